/**
 * Shared setup for the upload engine's integration tests: a key pair made by ssh-keygen,
 * a folder of recordings with random bytes, a known_hosts file, and sha256 of files.
 */
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { ConnectTarget } from '../../../src/ssh/connection'
import { listRemoteSizes } from '../../../src/transfer/remote-state'
import { createPool, runEngine, type EngineOptions, type EngineOutcome, type PlannedFile, type UploadPlan } from '../../../src/transfer/upload-engine'

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `bu-${prefix}-`))
}

/** An unencrypted Ed25519 key pair made by OpenSSH's ssh-keygen. */
export async function makeKeyPair(dir: string): Promise<{ privateKey: string; publicKey: string }> {
  const file = path.join(dir, 'id_ed25519')
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test', '-f', file])
  return { privateKey: await readFile(file, 'utf8'), publicKey: (await readFile(`${file}.pub`, 'utf8')).trim() }
}

/** Writes `count` recordings of random bytes; sizes cycle through `sizes`. */
export async function makeRecordings(dir: string, count: number, sizes: number[]): Promise<PlannedFile[]> {
  const files: PlannedFile[] = []
  for (let i = 0; i < count; i++) {
    const name = `call-${String(i).padStart(4, '0')}.wav`
    const localPath = path.join(dir, name)
    const size = sizes[i % sizes.length]!
    await writeFile(localPath, randomBytes(size))
    const { statSync } = await import('node:fs')
    const st = statSync(localPath)
    files.push({ localPath, remoteName: name, size: st.size, mtimeMs: st.mtimeMs })
  }
  return files
}

/** A plan whose CSV has one row per recording (minus omitted ones). */
export function simplePlan(batchId: string, files: PlannedFile[], csvName = `batch-${batchId}.csv`): UploadPlan {
  return {
    batchId,
    files,
    csvName,
    async writeCsv(localPath, omit) {
      const rows = files.filter((f) => !omit.has(f.remoteName))
      const lines = ['Contact Reference,Agent ID,Contact Date,Audio filename', ...rows.map((f, i) => `C${i},agent@example.com,2026-11-25T10:00:00+00:00,${f.remoteName}`)]
      await writeFile(localPath, lines.join('\r\n') + '\r\n')
      return { rows: rows.length, conversations: rows.map((f, i) => ({ reference: `C${i}`, recording: f.remoteName })) }
    },
    recordDelivery: () => undefined,
  }
}

/** Runs the engine as upload.ts does: a pool sized for `concurrency`, and one listing of the remote folder first. */
export async function runEngineOn(target: ConnectTarget, opts: Omit<EngineOptions, 'pool' | 'remoteSizes'>): Promise<EngineOutcome> {
  const pool = createPool(target, opts.concurrency)
  try {
    await pool.connectFirst()
    const remoteSizes = await listRemoteSizes(await pool.acquire(0), opts.remoteDir)
    return await runEngine({ ...opts, pool, remoteSizes })
  } finally {
    pool.closeAll()
  }
}

export async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex')
}

/** name → sha256 of every file directly in `dir`. */
export async function hashesIn(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const name of await readdir(dir)) out.set(name, await sha256File(path.join(dir, name)))
  return out
}

/** A generated batch, checked by the batch core, ready to upload. */
export async function checkedFixture(dir: string, opts: import('../../fixtures/generate-batch').GenerateOptions) {
  const { generateBatch } = await import('../../fixtures/generate-batch')
  const { validateBatch } = await import('../../../src/batch')
  const gen = await generateBatch(dir, opts)
  await randomiseRecordings(dir)
  const spec = { paths: [dir], csvPath: gen.csvPath, mapping: gen.mapping }
  const checked = await validateBatch(spec)
  return { gen, spec, checked }
}

/**
 * The fixture generator gives every recording the same bytes; appending random bytes makes
 * each file unique, so a recording written under another's name cannot pass a sha256 check.
 */
async function randomiseRecordings(dir: string): Promise<void> {
  const { appendFile } = await import('node:fs/promises')
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name)
      if (entry.isDirectory()) await walk(full)
      else if (/\.(wav|mp3)$/i.test(entry.name) && (await import('node:fs')).statSync(full).size > 0) {
        await appendFile(full, randomBytes(1 + (entry.name.length * 7919) % 5000))
      }
    }
  }
  await walk(dir)
}
