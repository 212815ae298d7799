/**
 * Bytes sent twice after an interruption: the engine is killed mid-way through 2,000 x 512 KiB,
 * run again, and what landed plus what the second run sent is compared with the set's size.
 */
import { spawn } from 'node:child_process'
import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_CONCURRENCY } from '../../src/transfer/upload-engine'
import type { SshdServer } from '../../test/helpers/sshd'
import { makeSet, type DataSet } from './plain-sets'

const here = path.dirname(fileURLToPath(import.meta.url))
const MiB = 2 ** 20
const SET: DataSet = { name: '2,000 x 512 KiB', count: 2000, size: 512 * 1024 }

async function bytesIn(dir: string): Promise<number> {
  let bytes = 0
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const st = await stat(path.join(dir, name)).catch(() => null)
    if (st?.isFile() && name.endsWith('.wav')) bytes += st.size
  }
  return bytes
}

export async function measureResend(work: string, sshd: SshdServer, serverRoot: string, keyFile: string, knownHosts: string): Promise<string> {
  const localDir = await makeSet(path.join(work, 'sets'), SET)
  const total = SET.count * SET.size
  const remoteDir = 'resend'
  await mkdir(path.join(serverRoot, remoteDir))
  const stateDir = path.join(work, `resend-state-${Date.now()}`)
  const options = { dir: localDir, host: '127.0.0.1', port: sshd.port, username: sshd.username, keyFile, knownHosts, remoteDir, stateDir, concurrency: DEFAULT_CONCURRENCY }
  const args = [path.join(here, '../../bin/run-ts.js'), path.join(here, 'engine-runner.ts'), JSON.stringify(options)]
  const first = spawn(process.execPath, args, { stdio: 'ignore' })
  let exited = false
  const closed = new Promise((r) => first.once('close', () => r((exited = true))))
  // Kill once about 40% of the bytes are on the server's disk (polled, not a fixed sleep).
  while (!exited && (await bytesIn(path.join(serverRoot, remoteDir))) < total * 0.4) await new Promise((r) => setTimeout(r, 20))
  if (exited) return 'Interruption: not measured, the engine finished before 40% could be observed.'
  first.kill('SIGKILL')
  await closed
  const landed = await bytesIn(path.join(serverRoot, remoteDir))
  const second = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d))
    child.on('close', () => resolve(out))
  })
  const sent = (JSON.parse(second.trim().split('\n').pop()!) as { bytes: number }).bytes
  const resentBytes = landed + sent - total
  await rm(path.join(serverRoot, remoteDir), { recursive: true, force: true })
  return `Interruption (engine, ${SET.name} on loopback, SIGKILL at 40%, ${options.concurrency} files in flight): ${(landed / MiB).toFixed(1)} MiB had landed; the next run sent ${(sent / MiB).toFixed(1)} MiB; bytes sent twice: ${(resentBytes / 1024).toFixed(0)} KiB (${(resentBytes / SET.size).toFixed(2)} files' worth; target under ${options.concurrency}).`
}
