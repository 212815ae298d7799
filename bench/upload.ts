/**
 * Upload throughput: this engine against OpenSSH sftp, lftp and rclone, all to the same
 * OpenSSH sshd on 127.0.0.1, on three sets, on loopback and through a relay adding 20 ms each
 * way; plus the ssh ceiling, bytes re-sent after an interruption, and peak memory.
 * `BENCH_SCALE=0.1 npm run bench -- upload` runs every set at a tenth of its size (a dry run).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { mkdir, open, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { generatePair } from '../src/keys'
import { DEFAULT_CONCURRENCY } from '../src/transfer/upload-engine'
import { startSshd, type SshdServer } from '../test/helpers/sshd'
import type { BenchSection } from './run'
import { CIPHER, ceilingTool, engineTool, lftpTool, rcloneTool, sftpTool, type Target, type Tool } from './upload/tools'

const scale = Number(process.env.BENCH_SCALE ?? '1')
const here = path.dirname(fileURLToPath(import.meta.url))
const MiB = 2 ** 20

export interface DataSet {
  name: string
  count: number
  size: number
  /** Long-link runs per tool: the plain sftp on 20,000 files would take most of an hour. */
  longLink: boolean
}

const SETS: DataSet[] = [
  { name: '1 x 1 GiB', count: 1, size: Math.round(1024 * MiB * scale), longLink: true },
  { name: '2,000 x 512 KiB', count: Math.max(20, Math.round(2000 * scale)), size: 512 * 1024, longLink: true },
  { name: '20,000 x 32 KiB', count: Math.max(200, Math.round(20000 * scale)), size: 32 * 1024, longLink: false },
]

export async function makeSet(root: string, set: DataSet): Promise<string> {
  const dir = path.join(root, `${set.count}x${set.size}`)
  if (existsSync(dir) && (await readdir(dir)).length === set.count) return warm(dir)
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  const block = Buffer.alloc(Math.min(set.size, 8 * MiB))
  for (let i = 0; i < set.count; i++) {
    const file = path.join(dir, `rec-${String(i).padStart(5, '0')}.wav`)
    const fh = await open(file, 'w')
    for (let written = 0; written < set.size; written += block.length) {
      randomFillSync(block)
      await fh.write(block, 0, Math.min(block.length, set.size - written))
    }
    await fh.close()
  }
  return dir
}

function startRelay(targetPort: number, delayMs: number): Promise<{ port: number; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, '../bin/run-ts.js'), path.join(here, 'upload/relay.ts'), String(targetPort), String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout!.once('data', (d: Buffer) => resolve({ port: Number(d.toString().trim()), child }))
    child.once('error', reject)
  })
}

/**
 * Reads every file of a set once, so the first tool measured does not pay for disk reads the
 * others get from the page cache (seen: the first tool of a set up to 1.7x slower).
 */
async function warm(dir: string): Promise<string> {
  const block = Buffer.allocUnsafe(8 * MiB)
  for (const name of await readdir(dir)) {
    const fh = await open(path.join(dir, name), 'r')
    try {
      while ((await fh.read(block, 0, block.length, null)).bytesRead > 0) {
        // the bytes are not needed: reading them puts them in the page cache
      }
    } finally {
      await fh.close()
    }
  }
  return dir
}

/** Total bytes of the files in a folder on the server's disk. */
async function bytesIn(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0
  let bytes = 0
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const st = await stat(path.join(dir, name))
    if (st.isFile() && name.endsWith('.wav')) {
      files++
      bytes += st.size
    }
  }
  return { files, bytes }
}

const mbps = (bytes: number, seconds: number) => bytes / 1e6 / seconds
/** The engine at its default concurrency, compared with each peer in the summary table. */
const ENGINE = engineTool(DEFAULT_CONCURRENCY)
const SFTP = sftpTool(false)
const SFTP_TUNED = sftpTool(true)

async function run(): Promise<string> {
  const work = path.join(os.tmpdir(), 'bulk-upload-bench')
  await mkdir(work, { recursive: true })
  const keyFile = path.join(work, 'bench_ed25519')
  const pair = generatePair('ed25519')
  await writeFile(keyFile, pair.privateKey, { mode: 0o600 })
  const serverRoot = path.join(work, 'server-root')
  await rm(serverRoot, { recursive: true, force: true })
  await mkdir(serverRoot)
  const sshd: SshdServer = await startSshd({ root: serverRoot, authorizedKeys: [pair.publicKey] })
  const relay = await startRelay(sshd.port, 20)
  const knownHosts = path.join(work, 'known_hosts')
  const keyPart = sshd.knownHostsLine.split(' ').slice(1).join(' ')
  await writeFile(knownHosts, `[127.0.0.1]:${sshd.port} ${keyPart}\n[127.0.0.1]:${relay.port} ${keyPart}\n`)

  const before = await treeBeforeHashing(work)
  const BEFORE = before ? engineTool(DEFAULT_CONCURRENCY, undefined, { root: before, label: `before hashing, ${BEFORE_HASHING}` }) : null
  const tools: Tool[] = [ENGINE, ...(BEFORE ? [BEFORE] : []), engineTool(8), SFTP, SFTP_TUNED, lftpTool, rcloneTool, ceilingTool]
  const rows: string[] = []
  const notes: string[] = []
  let runId = 0
  const results = new Map<string, number>()
  try {
    for (const link of ['loopback', '40 ms round trip'] as const) {
      const port = link === 'loopback' ? sshd.port : relay.port
      for (const set of SETS) {
        if (link !== 'loopback' && !set.longLink) {
          notes.push(`${set.name} was not run on the 40 ms link: the plain sftp client alone needs about 20,000 x 3 round trips (40 min).`)
          continue
        }
        const localDir = await makeSet(path.join(work, 'sets'), set)
        const total = set.count * set.size
        for (const tool of tools) {
          const missing = tool.available()
          if (missing) {
            notes.push(`${tool.name}: not measured, ${missing}.`)
            continue
          }
          const remoteDir = `run-${++runId}`
          await mkdir(path.join(serverRoot, remoteDir))
          const target: Target = { host: '127.0.0.1', port, username: sshd.username, keyFile, knownHosts, remoteDir, localDir, work }
          process.stdout.write(`  ${link}, ${set.name}, ${tool.name}... `)
          try {
            const r = await tool.run(target, 20 * 60_000)
            const landed = await bytesIn(path.join(serverRoot, remoteDir))
            const complete = tool === ceilingTool || (landed.files === set.count && landed.bytes === total)
            const rate = mbps(total, r.seconds)
            results.set(`${link}|${set.name}|${tool.name}`, rate)
            rows.push(`| ${link} | ${set.name} | ${tool.name} | ${r.seconds.toFixed(1)} | ${rate.toFixed(1)} | ${r.maxRssKiB ? (r.maxRssKiB / 1024).toFixed(0) : ''} | ${complete ? 'yes' : `NO (${landed.files} files)`} |`)
            console.log(`${rate.toFixed(1)} MB/s`)
          } catch (err) {
            rows.push(`| ${link} | ${set.name} | ${tool.name} | failed | | | ${(err as Error).message.split('\n')[0]!.slice(0, 120)} |`)
            console.log('failed')
          }
          await rm(path.join(serverRoot, remoteDir), { recursive: true, force: true })
        }
      }
    }
    const resent = await measureResend(work, sshd, serverRoot, keyFile, knownHosts)
    notes.push(resent)
    notes.push(BEFORE ? hashingCost(results, BEFORE.name) : 'The cost of hashing was not measured: no git checkout to build the engine before hashing from.')
  } finally {
    relay.child.kill('SIGTERM')
    await sshd.close()
    if (before) execFileSync('git', ['-C', repoRoot, 'worktree', 'remove', '--force', before], { stdio: 'ignore' })
  }
  return render(rows, notes, results)
}

/**
 * The engine as it was before it hashed recordings while sending them (issue 8: sha256 of
 * every byte read, no second read). Both are measured in the same run, as whole processes.
 */
export const BEFORE_HASHING = '1fc5735'
export const repoRoot = path.join(here, '..')

/** A checkout of BEFORE_HASHING sharing this one's node_modules, or null without git history. */
export async function treeBeforeHashing(work: string): Promise<string | null> {
  const dir = path.join(work, `engine-${BEFORE_HASHING}`)
  try {
    execFileSync('git', ['-C', repoRoot, 'worktree', 'remove', '--force', dir], { stdio: 'ignore' })
  } catch {
    // none left from an earlier run
  }
  try {
    await rm(dir, { recursive: true, force: true })
    execFileSync('git', ['-C', repoRoot, 'worktree', 'add', '--detach', dir, BEFORE_HASHING], { stdio: 'ignore' })
    await symlink(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'))
    return dir
  } catch {
    return null
  }
}

/** One line per set: how much slower the engine is since it hashes what it sends. */
function hashingCost(results: Map<string, number>, beforeName: string): string {
  const parts: string[] = []
  for (const key of results.keys()) {
    const [link, set, tool] = key.split('|')
    if (tool !== ENGINE.name) continue
    const before = results.get(`${link}|${set}|${beforeName}`)
    if (!before) continue
    const cost = (before / results.get(key)! - 1) * 100
    parts.push(`${link}, ${set}: ${cost >= 0 ? '+' : ''}${cost.toFixed(1)}% time`)
  }
  return `Engine before hashing (${BEFORE_HASHING}) against today's, one run each in this table: ${parts.join('; ')}. Single runs on a shared machine vary by more than the effect; the hashing section repeats them alternately.`
}

/** Kills the engine mid-way through the 2,000-file set, runs it again, and counts bytes sent twice. */
async function measureResend(work: string, sshd: SshdServer, serverRoot: string, keyFile: string, knownHosts: string): Promise<string> {
  const set = SETS[1]!
  const localDir = await makeSet(path.join(work, 'sets'), set)
  const total = set.count * set.size
  const remoteDir = 'resend'
  await mkdir(path.join(serverRoot, remoteDir))
  const stateDir = path.join(work, `resend-state-${Date.now()}`)
  const options = { dir: localDir, host: '127.0.0.1', port: sshd.port, username: sshd.username, keyFile, knownHosts, remoteDir, stateDir, concurrency: DEFAULT_CONCURRENCY }
  const args = [path.join(here, '../bin/run-ts.js'), path.join(here, 'upload/engine-runner.ts'), JSON.stringify(options)]
  const first = spawn(process.execPath, args, { stdio: 'ignore' })
  let exited = false
  const closed = new Promise((r) => first.once('close', () => r((exited = true))))
  // Kill once about 40% of the bytes are on the server's disk (polled, not a fixed sleep).
  while (!exited && (await bytesIn(path.join(serverRoot, remoteDir))).bytes < total * 0.4) await new Promise((r) => setTimeout(r, 20))
  if (exited) return 'Interruption: not measured, the engine finished before 40% could be observed.'
  first.kill('SIGKILL')
  await closed
  const landed = (await bytesIn(path.join(serverRoot, remoteDir))).bytes
  const second = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d))
    child.on('close', () => resolve(out))
  })
  const sent = (JSON.parse(second.trim().split('\n').pop()!) as { bytes: number }).bytes
  const resentBytes = landed + sent - total
  await rm(path.join(serverRoot, remoteDir), { recursive: true, force: true })
  return `Interruption (${set.name}, SIGKILL at 40%, ${options.concurrency} files in flight): ${(landed / MiB).toFixed(1)} MiB had landed; the next run sent ${(sent / MiB).toFixed(1)} MiB; bytes sent twice: ${(resentBytes / 1024).toFixed(0)} KiB (${(resentBytes / set.size).toFixed(2)} files' worth; target under ${options.concurrency}).`
}

function render(rows: string[], notes: string[], results: Map<string, number>): string {
  const ratio = (link: string, set: string, a: string, b: string) => {
    const x = results.get(`${link}|${set}|${a}`)
    const y = results.get(`${link}|${set}|${b}`)
    return x && y ? `${(x / y).toFixed(2)}x` : 'n/a'
  }
  const summary: string[] = []
  for (const link of ['loopback', '40 ms round trip']) {
    for (const set of SETS) {
      if (link !== 'loopback' && !set.longLink) continue
      const cells = [SFTP, SFTP_TUNED, lftpTool, rcloneTool, ceilingTool].map((peer) => ratio(link, set.name, ENGINE.name, peer.name))
      summary.push(`| ${link} | ${set.name} | ${cells.join(' | ')} |`)
    }
  }
  return [
    '## upload',
    '',
    `All tools upload the same files to the same OpenSSH sshd on 127.0.0.1 (key auth, cipher ${CIPHER}), one after another; the 40 ms link is a relay process delaying each direction by 20 ms.${scale !== 1 ? ` **Scaled run: BENCH_SCALE=${scale}.**` : ''} MB/s = 10^6 bytes per second of file data.`,
    '',
    '| link | set | tool | seconds | MB/s | peak RSS (MiB) | all files on server |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Engine (${ENGINE.name}) speed as a multiple of each peer:`,
    '',
    `| link | set | vs ${SFTP.name} | vs ${SFTP_TUNED.name} | vs lftp | vs rclone | vs ssh ceiling |`,
    '|---|---|---|---|---|---|---|',
    ...summary,
    '',
    ...notes.map((n) => `- ${n}`),
  ].join('\n')
}

export const uploadBench: BenchSection = { name: 'upload', run }
