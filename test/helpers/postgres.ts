/**
 * A private PostgreSQL server for a test (Debian's `postgresql` package): a new cluster in a
 * temp dir, on a free 127.0.0.1 port, trust authentication for its own `postgres` user, no
 * fsync (a test cluster is thrown away). Started and stopped (by PID) by the test that uses
 * it. PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { freePort } from './sshd'
import type { SystemCheck } from './system'

const PG_ROOT = '/usr/lib/postgresql'

/** The newest installed server's bin folder, or null. */
function serverBin(): string | null {
  if (!existsSync(PG_ROOT)) return null
  const versions = readdirSync(PG_ROOT).filter((v) => existsSync(path.join(PG_ROOT, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a))
  return versions[0] ? path.join(PG_ROOT, versions[0], 'bin') : null
}

/** PostgreSQL's server, for the team-ledger tests. */
export function hasPostgres(): SystemCheck {
  const bin = serverBin()
  return bin
    ? { ok: true, path: bin, reason: null }
    : { ok: false, path: null, reason: `${PG_ROOT}/*/bin/postgres not found: install the Debian package postgresql (apt-get install -y postgresql); .ci/run installs it` }
}

export interface PostgresServer {
  port: number
  /** postgresql://postgres@127.0.0.1:PORT/DB for a new database of its own. */
  createDatabase(name: string): Promise<string>
  /** The server's own PID (not a wrapper's). */
  pid: number
  close(): Promise<void>
}

/** The uid and gid the cluster runs as: `postgres` when we are root, else ourselves. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
  return { uid, gid }
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = serverBin()
  if (!bin) throw new Error(hasPostgres().reason!)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bulk-upload-pg-'))
  const data = path.join(dir, 'data')
  const owner = runAs()
  if (owner) {
    chownSync(dir, owner.uid, owner.gid)
    chmodSync(dir, 0o700)
  }
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {}
  execFileSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], { ...as, stdio: 'ignore', cwd: dir })
  const port = await freePort()
  const server: ChildProcess = spawn(
    path.join(bin, 'postgres'),
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=60'],
    { ...as, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let log = ''
  server.stderr!.on('data', (d: Buffer) => (log = (log + String(d)).slice(-4000)))
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()))
  const admin = `postgresql://postgres@127.0.0.1:${port}/postgres`
  await untilAccepting(admin, () => server.exitCode !== null, () => log)
  return {
    port,
    pid: server.pid!,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: admin })
      await client.connect()
      try {
        await client.query(`CREATE DATABASE ${name}`)
      } finally {
        await client.end()
      }
      return `postgresql://postgres@127.0.0.1:${port}/${name}`
    },
    async close() {
      // SIGINT: PostgreSQL's fast shutdown (sessions ended, no wait for clients).
      if (server.exitCode === null) server.kill('SIGINT')
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Polls until the server accepts a connection (a state, not a fixed sleep). */
async function untilAccepting(url: string, died: () => boolean, log: () => string): Promise<void> {
  const started = Date.now()
  for (;;) {
    if (died()) throw new Error(`postgres exited while starting:\n${log()}`)
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
    try {
      await client.connect()
      await client.end()
      return
    } catch {
      await client.end().catch(() => undefined)
    }
    if (Date.now() - started > 60_000) throw new Error(`postgres did not accept connections within 60 s:\n${log()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
