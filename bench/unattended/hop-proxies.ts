/**
 * The proxies the proxy-hop bench goes through, each in its own process: this repo's test
 * proxies (SOCKS5 and HTTP CONNECT, bench/unattended/proxy-child.ts) and, where Debian's
 * packages are installed, independent ones (microsocks for SOCKS5, tinyproxy for HTTP
 * CONNECT), so our figure can be told apart from the cost of any proxy on this machine.
 * A missing one comes back with the reason it is skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../test/helpers/sshd'

const here = path.dirname(fileURLToPath(import.meta.url))

export interface HopProxy {
  name: string
  url: string
  /** The proxy's process, for its CPU time (cpuSeconds). */
  pid: number
  close(): Promise<void>
}

export type HopProxyResult = HopProxy | { name: string; skipped: string }

/** USER_HZ: what /proc/<pid>/stat counts CPU time in (100 on every Linux architecture Node runs on). */
const CLOCK_TICKS = 100

/** User + system CPU seconds a process has used so far, all its threads (Linux /proc). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

/** Stops a proxy process we started (by its own PID) and waits for it to exit. */
function stopper(child: ChildProcess): () => Promise<void> {
  return () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

/** Resolves once 127.0.0.1:port accepts a connection (the proxy has bound it), or rejects when it exits first. */
async function listening(child: ChildProcess, port: number, name: string): Promise<void> {
  const started = Date.now()
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before listening`)
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true) })
      s.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() - started > 10_000) throw new Error(`${name} did not listen on ${port} within 10 s`)
    await new Promise((r) => setTimeout(r, 20)) // retry interval of the readiness poll
  }
}

/** This repo's test proxy (test/helpers/proxy-server.ts) in a child process of its own. */
export function testProxyProcess(kind: 'socks5' | 'http'): Promise<HopProxy> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, '../../bin/run-ts.js'), path.join(here, 'proxy-child.ts'), kind], { stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout!.once('data', (d: Buffer) => resolve({ name: kind === 'socks5' ? 'SOCKS5 (test proxy)' : 'HTTP CONNECT (test proxy)', url: `${kind}://127.0.0.1:${Number(d.toString().trim())}`, close: stopper(child), pid: child.pid! }))
    child.once('error', reject)
  })
}

/** Debian's microsocks (SOCKS5, C, one thread per client). */
export async function microsocks(): Promise<HopProxyResult> {
  const name = 'SOCKS5 (microsocks)'
  const bin = '/usr/bin/microsocks'
  if (!existsSync(bin)) return { name, skipped: `${bin} is not installed (apt-get install microsocks)` }
  const port = await freePort()
  const child = spawn(bin, ['-i', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' })
  await listening(child, port, name)
  return { name, url: `socks5://127.0.0.1:${port}`, close: stopper(child), pid: child.pid! }
}

/** Debian's tinyproxy (HTTP CONNECT, C), in the foreground with a private config. */
export async function tinyproxy(work: string): Promise<HopProxyResult> {
  const name = 'HTTP CONNECT (tinyproxy)'
  const bin = '/usr/bin/tinyproxy'
  if (!existsSync(bin)) return { name, skipped: `${bin} is not installed (apt-get install tinyproxy)` }
  const port = await freePort()
  const config = path.join(work, 'tinyproxy.conf')
  // No ConnectPort line: CONNECT to any port (sshd's is not 443). Listen and Allow keep it on loopback.
  const lines = [`Port ${port}`, 'Listen 127.0.0.1', 'Allow 127.0.0.1', 'Timeout 600', 'MaxClients 100', 'LogLevel Critical']
  if (process.getuid?.() === 0) lines.push('User nobody', 'Group nogroup') // it refuses to run as root
  await writeFile(config, lines.join('\n') + '\n')
  const child = spawn(bin, ['-d', '-c', config], { stdio: 'ignore' })
  await listening(child, port, name)
  return { name, url: `http://127.0.0.1:${port}`, close: stopper(child), pid: child.pid! }
}
