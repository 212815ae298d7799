import { readFile, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import path from 'node:path'
import Papa from 'papaparse'
import { afterEach, describe, expect, it } from 'vitest'
import { eligibleRowNumbers, validateBatch } from '../../../src/batch'
import { listServerRoot, startServer, type TestServer } from './servers'
import { runCli, until } from './cli'
import { checkedFixture, makeKeyPair, sha256File, tempDir } from './support'

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function setup(rows: number, recordingBytes: number, faults = {}) {
  const work = await tempDir('cli-upload')
  const key = await makeKeyPair(work)
  const keyFile = path.join(work, 'id_ed25519')
  const server = await startServer('sandbox-posix', work, key.publicKey)
  servers.push(server)
  const fixture = await checkedFixture(path.join(work, 'batch'), { rows, recordingBytes, faults })
  const home = path.join(work, 'home')
  const args = (...extra: string[]) => [
    'upload', fixture.gen.dir, '--host', server.host, '--port', String(server.port), '--user', server.username,
    '--key', keyFile, '--known-hosts', server.knownHostsPath, '--state-dir', path.join(work, 'state'), ...extra,
  ]
  return { work, server, fixture, home, args, env: { BULK_UPLOAD_HOME: home } }
}

describe('bulk-upload upload', () => {
  it('uploads, prints one JSON summary, exits 1 when rows were excluded, and again 1 on a re-run that still leaves them out', async () => {
    const t = await setup(20, 10_000, { missingRecording: 1 })
    const first = await runCli(t.args('--json'), t.env)
    expect(first.stderr).not.toMatch(/at .*\.ts:\d+/) // no stack traces
    expect(first.code).toBe(1)
    const summary = JSON.parse(first.stdout) as Record<string, unknown>
    expect(Object.keys(summary)).toEqual(expect.arrayContaining(['batch', 'uploaded', 'skipped', 'excluded', 'failed', 'csv', 'bytes', 'seconds']))
    expect(summary).toMatchObject({ uploaded: 19, skipped: 0, excluded: 1, failed: 0 })
    expect(await listServerRoot(t.server.root)).toContain(summary.csv)

    const again = await runCli(t.args(), t.env)
    expect(again.code).toBe(1)
    expect(again.stdout).toMatch(/Nothing new to send: all \d+ rows were already delivered/)
    const json = await runCli(t.args('--json'), t.env)
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({ nothingNew: true, excluded: 1, uploaded: 0 })
  })

  it('refuses an unknown host with exit 4 and its fingerprint; --trust-new-host pins it', async () => {
    const t = await setup(3, 5_000)
    const empty = path.join(t.work, 'empty_known_hosts')
    await writeFile(empty, '')
    const args = t.args().map((a) => (a === t.server.knownHostsPath ? empty : a))
    const refused = await runCli(args, t.env)
    expect(refused.code).toBe(4)
    expect(refused.stderr).toContain(t.server.sandbox!.hostKeyFingerprint)
    expect(refused.stderr).toMatch(/--trust-new-host/)
    expect(await listServerRoot(t.server.root)).toEqual([])

    const trusted = await runCli([...args, '--trust-new-host'], t.env)
    expect(trusted.code).toBe(0)
    expect(await readFile(empty, 'utf8')).toContain(`[127.0.0.1]:${t.server.port}`)
  })

  it('accepts the name of a key made by `bulk-upload keygen` as --key', async () => {
    const t = await setup(3, 5_000)
    const made = await runCli(['keygen', '--name', 'office'], t.env)
    expect(made.code, made.stderr).toBe(0)
    const publicKey = (await readFile(path.join(t.home, 'keys', 'office.pub'), 'utf8')).trim()
    expect(made.stdout).toContain(publicKey)
    const server = await startServer('sandbox-posix', await tempDir('keygen-server'), publicKey)
    servers.push(server)
    const args = ['upload', t.fixture.gen.dir, '--host', server.host, '--port', String(server.port), '--user', server.username, '--key', 'office', '--known-hosts', server.knownHostsPath, '--state-dir', path.join(t.work, 'state-keygen')]
    const run = await runCli(args, t.env)
    expect(run.code, run.stderr).toBe(0)
    expect((await listServerRoot(server.root)).filter((n) => n.endsWith('.csv'))).toHaveLength(1)
  })

  it('bad invocation exits 2 with a sentence', async () => {
    const t = await setup(2, 1000)
    const missingKey = await runCli(['upload', t.fixture.gen.dir, '--host', '127.0.0.1', '--user', 'x', '--key', path.join(t.work, 'nope')], t.env)
    expect(missingKey.code).toBe(2)
    expect(missingKey.stderr).toContain(path.join(t.work, 'nope'))
    expect(missingKey.stderr).not.toMatch(/at .*\.ts:\d+/)
    const noHost = await runCli(['upload', t.fixture.gen.dir], t.env)
    expect(noHost.code).toBe(2)
  })

  it('logs in while the folder is checked, and a batch that cannot go exits at once, abandoning a login the server never answers', async () => {
    const t = await setup(3, 1000)
    // Only the header row is left: no row can go.
    const csv = await readFile(t.fixture.gen.csvPath, 'utf8')
    await writeFile(t.fixture.gen.csvPath, csv.split(/\r?\n/)[0] + '\r\n')
    // A server that takes the connection and never says a word: without abandoning the login
    // the command would wait for its 20 s ready timeout (longer than this test's limit).
    const silent: Socket[] = []
    let closed = 0
    const mute = createServer((sock) => {
      silent.push(sock)
      sock.resume()
      sock.on('close', () => closed++)
    })
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve))
    try {
      const port = String((mute.address() as AddressInfo).port)
      const args = t.args().map((a) => (a === String(t.server.port) ? port : a))
      const r = await runCli(args, t.env)
      expect(r.stderr).toContain('Not uploaded:')
      expect(r.code).toBe(2)
      // The login began before the check ended, and ended with the command.
      expect(silent.length).toBe(1)
      await until(() => closed === 1, 5_000)
    } finally {
      silent.forEach((s) => s.destroy())
      await new Promise((resolve) => mute.close(resolve))
    }
  }, 15_000)

  it('SIGKILLed at random points and run again: every recording arrives intact, exactly one CSV with the eligible rows', async () => {
    const t = await setup(40, 250_000)
    const { sandbox } = t.server
    // Slow the server so each kill lands mid-upload: ~10 MB at 4 MB/s.
    sandbox!.setFaults({ throttleBytesPerSecond: 4_000_000 })
    const total = t.fixture.checked.manifest.recordings.reduce((n, r) => n + r.size, 0)
    let killedRuns = 0
    for (let i = 0; i < 3; i++) {
      const at = sandbox!.stats.bytesReceived + Math.floor(Math.random() * 0.2 * total) + 100_000
      const run = await runCli(t.args(), t.env, (pid) => {
        void until(() => sandbox!.stats.bytesReceived >= at).then(() => process.kill(pid, 'SIGKILL'), () => undefined)
      })
      if (run.signal !== 'SIGKILL') break // finished before the kill point: the checks below still hold
      killedRuns++
    }
    expect(killedRuns).toBeGreaterThan(0)
    sandbox!.setFaults({ throttleBytesPerSecond: null })
    const final = await runCli(t.args('--json'), t.env)
    expect(final.code, final.stderr).toBe(0)

    const { manifest } = await validateBatch(t.fixture.spec)
    for (const r of manifest.recordings) expect(await sha256File(path.join(t.server.root, r.remoteName))).toBe(await sha256File(r.localPath))
    const listed = await listServerRoot(t.server.root)
    const csvs = listed.filter((n) => n.endsWith('.csv'))
    expect(csvs).toHaveLength(1)
    expect(listed.filter((n) => n.endsWith('.part'))).toEqual([])
    const rows = Papa.parse<string[]>((await readFile(path.join(t.server.root, csvs[0]!), 'utf8')).trim()).data
    expect(rows).toHaveLength(eligibleRowNumbers(manifest).length + 1)
    // Re-sent bytes stay small: at most what was in flight at each kill.
    expect(sandbox!.stats.bytesReceived).toBeLessThan(total * 2)
  })
})
