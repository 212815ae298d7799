/**
 * `--remote-dir` outside the login folder is a bad invocation (exit 2, a sentence), refused
 * before any connection: it used to exit 3 ("run again to resume") after trying.
 */
import path from 'node:path'
import { mkdir, readdir, stat } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { startServer, type TestServer } from './servers'
import { runCli } from './cli'
import { checkedFixture, makeKeyPair, tempDir } from './support'

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

describe('bulk-upload upload --remote-dir', () => {
  it('refuses `..` and absolute folders with exit 2 and sends nothing; a subfolder works', async () => {
    const work = await tempDir('remote-dir')
    const key = await makeKeyPair(work)
    const server = await startServer('sandbox-posix', work, key.publicKey)
    servers.push(server)
    const fixture = await checkedFixture(path.join(work, 'batch'), { rows: 2, recordingBytes: 3000 })
    const args = (dir: string) => [
      'upload', fixture.gen.dir, '--host', server.host, '--port', String(server.port), '--user', server.username,
      '--key', path.join(work, 'id_ed25519'), '--known-hosts', server.knownHostsPath, '--state-dir', path.join(work, 'state'), '--remote-dir', dir,
    ]
    const env = { BULK_UPLOAD_HOME: path.join(work, 'home') }
    for (const bad of ['../..', '/tmp', 'in/../..']) {
      const r = await runCli(args(bad), env)
      expect(r.code, bad).toBe(2)
      expect(r.stderr).toMatch(/remote folder must be a path inside the login folder/)
      expect(r.stderr).not.toMatch(/run (it )?again/i)
    }
    expect(await readdir(server.root)).toEqual([])
    await mkdir(path.join(server.root, 'incoming'))
    const ok = await runCli(args('incoming'), env)
    expect(ok.code, ok.stdout + ok.stderr).toBe(0)
    expect((await readdir(path.join(server.root, 'incoming'))).length).toBe(3)
  })

  it('writes every file of its own (CSV copy, journal, report, ledger, known hosts) owner-only', async () => {
    const work = await tempDir('owner-only')
    const key = await makeKeyPair(work)
    const server = await startServer('sandbox-posix', work, key.publicKey)
    servers.push(server)
    const fixture = await checkedFixture(path.join(work, 'batch'), { rows: 2, recordingBytes: 3000 })
    const home = path.join(work, 'home')
    const r = await runCli([
      'upload', fixture.gen.dir, '--host', server.host, '--port', String(server.port), '--user', server.username,
      '--key', path.join(work, 'id_ed25519'), '--known-hosts', server.knownHostsPath, '--state-dir', path.join(home, 'state'),
    ], { BULK_UPLOAD_HOME: home })
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const modes: string[] = []
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name)
        modes.push(`${path.relative(home, full)} ${((await stat(full)).mode & 0o777).toString(8)}`)
        if (entry.isDirectory()) await walk(full)
      }
    }
    await walk(home)
    expect(modes.some((m) => m.endsWith('.csv 600'))).toBe(true)
    expect(modes.filter((m) => !/ (600|700)$/.test(m))).toEqual([])
  })
})
