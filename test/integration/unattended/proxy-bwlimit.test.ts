/**
 * `--proxy` and `--bwlimit` against real servers: uploads through a SOCKS5 and an HTTP
 * CONNECT proxy started here on 127.0.0.1 (each CONNECT logged), a refused proxy login, and
 * the rate measured over a few MB.
 */
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startProxy, type TestProxy } from '../../helpers/proxy-server'
import { runCli } from '../upload/cli'
import { listServerRoot, startServer, type ServerKind, type TestServer } from '../upload/servers'
import { checkedFixture, hashesIn, makeKeyPair, sha256File, tempDir } from '../upload/support'
import { pinnedTarget } from '../../../src/ssh/connection'
import { parseBandwidthLimit, RateLimiter } from '../../../src/ssh/rate-limiter'
import { makeRecordings, runEngineOn, simplePlan } from '../upload/support'
import { Journal } from '../../../src/transfer/journal'

const running: Array<TestServer | TestProxy> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()))
})

async function setup(kind: ServerKind, rows = 6) {
  const work = await tempDir('proxy')
  const key = await makeKeyPair(work)
  const server = await startServer(kind, work, key.publicKey)
  running.push(server)
  const fixture = await checkedFixture(path.join(work, 'batch'), { rows, recordingBytes: 40_000 })
  const args = (...extra: string[]) => [
    'upload', fixture.gen.dir, '--host', server.host, '--port', String(server.port), '--user', server.username,
    '--key', path.join(work, 'id_ed25519'), '--known-hosts', server.knownHostsPath, '--state-dir', path.join(work, 'state'), '--json', ...extra,
  ]
  const env = { BULK_UPLOAD_HOME: path.join(work, 'home'), ALL_PROXY: '', HTTPS_PROXY: '', all_proxy: '', https_proxy: '' }
  return { work, server, fixture, args, env, privateKey: key.privateKey }
}

/** Every recording of the batch is on the server, byte for byte. */
async function expectRecordingsOnServer(t: Awaited<ReturnType<typeof setup>>) {
  const onServer = await hashesIn(t.server.root)
  for (const r of t.fixture.checked.manifest.recordings) expect(onServer.get(r.remoteName), r.remoteName).toBe(await sha256File(r.localPath))
}

describe('--proxy', () => {
  it('uploads to sshd through a SOCKS5 proxy with a login, which logs the CONNECT to the server', async () => {
    const t = await setup('sshd')
    const proxy = await startProxy({ kind: 'socks5', username: 'qa', password: 's3cret' })
    running.push(proxy)
    const run = await runCli(t.args('--proxy', proxy.url), t.env)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ uploaded: 6, failed: 0 })
    await expectRecordingsOnServer(t)
    expect(proxy.connects.length).toBeGreaterThan(0)
    expect(proxy.connects.every((c) => c.target === `127.0.0.1:${t.server.port}` && c.allowed)).toBe(true)
    expect(proxy.bytesUp).toBeGreaterThan(6 * 40_000)
  })

  it('uploads to the sandbox through an HTTP CONNECT proxy taken from HTTPS_PROXY; --no-proxy ignores it', async () => {
    const t = await setup('sandbox-posix')
    const proxy = await startProxy({ kind: 'http' })
    running.push(proxy)
    const run = await runCli(t.args(), { ...t.env, HTTPS_PROXY: proxy.url })
    expect(run.code).toBe(0)
    await expectRecordingsOnServer(t)
    expect(proxy.connects.map((c) => c.target)).toContain(`127.0.0.1:${t.server.port}`)
    const csvs = (await listServerRoot(t.server.root)).filter((n) => n.endsWith('.csv'))
    expect(csvs).toHaveLength(1)

    const seen = proxy.connects.length
    const direct = await runCli(t.args('--no-proxy'), { ...t.env, HTTPS_PROXY: proxy.url })
    expect(direct.code).toBe(0)
    expect(proxy.connects.length).toBe(seen)
  })

  it('every connection of a first upload with --trust-new-host, the host key pinned on the way, goes through the proxy', async () => {
    const t = await setup('sandbox-posix')
    const proxy = await startProxy({ kind: 'socks5' })
    running.push(proxy)
    const knownHosts = path.join(t.work, 'fresh_known_hosts')
    const run = await runCli([...t.args('--proxy', proxy.url, '--trust-new-host'), '--known-hosts', knownHosts], t.env)
    expect(run.code).toBe(0)
    await expectRecordingsOnServer(t)
    expect(await readFile(knownHosts, 'utf8')).toContain(`[127.0.0.1]:${t.server.port}`)
    // The server counts every TCP connection it accepts; the proxy logs every CONNECT it relays.
    expect(t.server.sandbox!.stats.connections).toBeGreaterThan(0)
    expect(proxy.connects.filter((c) => c.allowed && c.target === `127.0.0.1:${t.server.port}`)).toHaveLength(t.server.sandbox!.stats.connections)
  })

  it('a refused proxy login stops with PROXY_REFUSED, its sentence and exit 4; nothing is sent', async () => {
    for (const kind of ['socks5', 'http'] as const) {
      const t = await setup('sandbox-posix', 2)
      const proxy = await startProxy({ kind, username: 'qa', password: 'right' })
      running.push(proxy)
      const wrong = proxy.url.replace(':right@', ':wrong@')
      const run = await runCli(t.args('--proxy', wrong), t.env)
      expect(run.code, kind).toBe(4)
      const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { error?: { code: string }; stoppedBy?: unknown }
      expect(run.stderr).toMatch(/The proxy refused the login\. Check the user name and password/)
      expect(run.stderr).not.toContain('wrong')
      expect(JSON.stringify(out)).toMatch(/PROXY_REFUSED/)
      expect(await listServerRoot(t.server.root)).toEqual([])
    }
  })
})

describe('--bwlimit', () => {
  // Upper bounds only: a busy machine may send more slowly than the limit, never faster. The
  // limiter's bucket holds a tenth of a second of bytes, so by any moment at most that, plus
  // the rate times the time since sending began, may have gone.
  it('holds 8 files in flight to the limit: the bytes they write never run ahead of 2 MiB/s', async () => {
    const work = await tempDir('bwlimit')
    const key = await makeKeyPair(work)
    const server = await startServer('sshd', work, key.publicKey)
    running.push(server)
    await mkdir(path.join(work, 'local'))
    const files = await makeRecordings(path.join(work, 'local'), 8, [6 * 1024 * 1024 / 8])
    const { target } = pinnedTarget({ host: server.host, port: server.port, username: server.username, privateKey: key.privateKey, knownHostsPath: server.knownHostsPath })
    const journal = await Journal.open(path.join(work, 'state'))
    const rate = 2 * 1024 * 1024
    const created = performance.now()
    const limiter = new RateLimiter(parseBandwidthLimit('2M'))
    // Every grant, with the total granted so far: what the 8 writers were allowed to send by then.
    const grants: Array<{ at: number; total: number }> = []
    let granted = 0
    const counted = { take: async (n: number, s?: AbortSignal) => { await limiter.take(n, s); granted += n; grants.push({ at: performance.now(), total: granted }) } }
    const outcome = await runEngineOn(target, { plan: simplePlan('bw', files), remoteDir: '', journal, workDir: path.join(work, 'state'), concurrency: 8, limiter: counted })
    journal.close()
    expect(outcome.stoppedBy).toBeNull()
    expect(outcome.files.every((f) => f.status === 'uploaded')).toBe(true)
    // Nothing was written without the limiter's leave, and the leave never ran ahead of the rate.
    expect(outcome.bytesSent).toBeLessThanOrEqual(granted)
    const over = grants.filter((g) => g.total > rate / 10 + rate * ((g.at - created) / 1000))
    expect(over, `granted ahead of 2 MiB/s: ${JSON.stringify(over.slice(0, 3))}`).toEqual([])
    // Bytes kept moving: every grant came, many times over, until all 6 MiB were through.
    expect(granted).toBeGreaterThanOrEqual(6 * 1024 * 1024)
    expect(grants.length).toBeGreaterThan(50)
  })

  it('upload --bwlimit 1M through a proxy: the bytes the proxy relays never run ahead of 1 MiB/s, and keep moving', async () => {
    const work = await tempDir('bwlimit-cli')
    const key = await makeKeyPair(work)
    const server = await startServer('sandbox-posix', work, key.publicKey)
    running.push(server)
    const fixture = await checkedFixture(path.join(work, 'batch'), { rows: 12, recordingBytes: 256 * 1024 })
    const proxy = await startProxy({ kind: 'socks5' })
    running.push(proxy)
    // Sampled at the proxy (what crosses the wire), from before the command starts.
    const marks: Array<{ at: number; bytes: number }> = [{ at: performance.now(), bytes: proxy.bytesUp }]
    const sampler = setInterval(() => marks.push({ at: performance.now(), bytes: proxy.bytesUp }), 20)
    const run = await runCli([
      'upload', fixture.gen.dir, '--host', server.host, '--port', String(server.port), '--user', server.username,
      '--key', path.join(work, 'id_ed25519'), '--known-hosts', server.knownHostsPath, '--state-dir', path.join(work, 'state'),
      '--bwlimit', '1M', '--proxy', proxy.url, '--json',
    ], { BULK_UPLOAD_HOME: path.join(work, 'home') }).finally(() => clearInterval(sampler))
    marks.push({ at: performance.now(), bytes: proxy.bytesUp })
    expect(run.code).toBe(0)
    const rate = 1024 * 1024
    // From the last look that saw nothing: past the proxy's reply to the first connection, which
    // nothing can outrun, so a pause in this process only makes the bound looser.
    const start = marks.filter((m) => m.bytes === 0).at(-1)!
    // Slack: the limiter's bucket (a tenth of a second), the SOCKS and SSH handshakes and the
    // login (well under 64 KiB), and 5% for SSH and SFTP framing around the recordings' bytes.
    const allowed = (m: { at: number }) => rate / 10 + 64 * 1024 + 1.05 * rate * ((m.at - start.at) / 1000)
    const over = marks.filter((m) => m.at >= start.at && m.bytes > allowed(m))
    expect(over, `relayed ahead of 1 MiB/s: ${JSON.stringify(over.slice(0, 3).map((m) => ({ s: (m.at - start.at) / 1000, bytes: m.bytes })))}`).toEqual([])
    // Bytes kept moving: the whole batch went through, seen growing at many separate looks.
    expect(marks.at(-1)!.bytes).toBeGreaterThan(12 * 256 * 1024)
    expect(marks.filter((m, i) => i > 0 && m.bytes > marks[i - 1]!.bytes).length).toBeGreaterThan(10)
  })
})
