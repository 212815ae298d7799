/**
 * Issue 11: with a proxy set, *every* TCP connection to the SFTP server goes through it, on
 * each path a user takes: the desktop/web host's connection test (Add destination's Test, the
 * host-key look of a key that needs its passphrase, Trust this server), an upload with more
 * files in flight than one connection carries, an upload whose link is cut (the reconnections),
 * an upload killed and run again (the resume), and `watch --once` over two folders.
 *
 * The proof is two independent counts: a relay on 127.0.0.1 in front of sshd counts every
 * connection the server side accepts, and the test proxy logs every CONNECT it relays. The
 * client is given the relay's port as the server, so a connection that bypassed the proxy would
 * reach the relay without a CONNECT and the counts would differ. With --no-proxy (or the
 * "Directly" setting) the relay still counts connections and the proxy logs none.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS } from '../../../main/settings-store'
import { generateBatch } from '../../fixtures/generate-batch'
import { startCuttableRelay, type CuttableRelay } from '../../helpers/cuttable-relay'
import { startProxy, type TestProxy } from '../../helpers/proxy-server'
import { startSshd, type SshdServer } from '../../helpers/sshd'
import { startTestWebHost } from '../../helpers/web-host'
import { runCli, until } from '../upload/cli'
import { checkedFixture, hashesIn, makeKeyPair, sha256File, tempDir } from '../upload/support'

const running: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()))
})

/** Never cuts: the relay only counts (cuttable-relay.ts cuts once this many bytes have passed). */
const NEVER = Number.POSITIVE_INFINITY

/** sshd trusting `publicKey`, a counting relay in front of it, and a known_hosts naming the relay's port. */
async function serverBehindRelay(work: string, publicKey: string, cutAfterBytes = NEVER) {
  const root = path.join(work, 'server')
  await mkdir(root)
  const sshd: SshdServer = await startSshd({ root, authorizedKeys: [publicKey] })
  running.push(sshd)
  const relay = await startCuttableRelay(sshd.port, cutAfterBytes)
  running.push(relay)
  const knownHostsPath = path.join(work, 'known_hosts')
  // The client connects to the relay's port, so that is the address the host key is pinned for.
  await writeFile(knownHostsPath, sshd.knownHostsLine.replace(`[127.0.0.1]:${sshd.port}`, `[127.0.0.1]:${relay.port}`) + '\n')
  return { sshd, relay, root, knownHostsPath }
}

async function proxy(kind: 'socks5' | 'http', login?: { username: string; password: string }): Promise<TestProxy> {
  const p = await startProxy({ kind, ...login })
  running.push(p)
  return p
}

/** The relay accepted connections, and exactly as many as the proxy relayed to it: none went around. */
function expectAllThroughProxy(relay: CuttableRelay, p: TestProxy, atLeast = 1): void {
  expect(relay.connections).toBeGreaterThanOrEqual(atLeast)
  expect(p.connects.filter((c) => !c.allowed || c.target !== `127.0.0.1:${relay.port}`)).toEqual([])
  expect(p.connects).toHaveLength(relay.connections)
}

/** A key pair, sshd behind a relay, a generated batch, and `upload` arguments aimed at the relay. */
async function cliSetup(prefix: string, batch: { rows: number; recordingBytes: number }, cutAfterBytes = NEVER) {
  const work = await tempDir(prefix)
  const key = await makeKeyPair(work)
  const s = await serverBehindRelay(work, key.publicKey, cutAfterBytes)
  const fixture = await checkedFixture(path.join(work, 'batch'), batch)
  const login = (home: string) => [
    '--host', '127.0.0.1', '--port', String(s.relay.port), '--user', s.sshd.username, '--key', path.join(work, 'id_ed25519'),
    '--known-hosts', s.knownHostsPath, '--state-dir', path.join(home, 'state'), '--json',
  ]
  const upload = (home: string, ...extra: string[]) => ['upload', fixture.gen.dir, ...login(home), ...extra]
  const env = (home: string, proxyEnv = '') => ({ BULK_UPLOAD_HOME: home, ALL_PROXY: proxyEnv, HTTPS_PROXY: '', all_proxy: '', https_proxy: '' })
  return { work, ...s, fixture, login, upload, env, home: path.join(work, 'home') }
}

/** Every recording of the batch is on the server, byte for byte. */
async function expectRecordingsOnServer(root: string, fixture: Awaited<ReturnType<typeof checkedFixture>>): Promise<void> {
  const onServer = await hashesIn(root)
  for (const r of fixture.checked.manifest.recordings) expect(onServer.get(r.remoteName), r.remoteName).toBe(await sha256File(r.localPath))
}

describe('every connection goes through the proxy', () => {
  it('the web host connection test: Add destination\'s Test, the host-key look without a passphrase, Trust, Test with it', async () => {
    const work = await tempDir('every-conn-test')
    const host = await startTestWebHost(work, path.join(work, 'home'))
    running.push(host)
    const api = host.client()
    const key = await api.generateKey('platform', 'ed25519', 'key pass')
    if (!key.ok) throw new Error(JSON.stringify(key.error))
    const { sshd, relay } = await serverBehindRelay(work, key.value.publicKey)
    const p = await proxy('socks5', { username: 'qa', password: 's3cret' })
    expect((await api.saveSettings({ ...DEFAULT_SETTINGS, proxy: 'url', proxyUrl: p.url })).ok).toBe(true)
    const draft = { name: 'Platform', host: '127.0.0.1', port: relay.port, username: sshd.username, keyName: 'platform', remoteDir: '' }

    // No passphrase given: the test looks at the host key only (fetchHostKey), and shows it.
    const first = await api.testConnection(draft, null)
    if (!first.ok) throw new Error(JSON.stringify(first.error))
    expect(first.value.trusted).toBe(false)
    expect(await api.trustHost(draft, first.value.hostKey.fingerprint)).toEqual({ ok: true, value: undefined })
    expect(await api.testConnection(draft, 'key pass')).toMatchObject({ ok: true, value: { trusted: true, hostKey: { fingerprint: first.value.hostKey.fingerprint } } })
    expect(await api.testConnection(draft, null)).toMatchObject({ ok: false, error: { code: 'KEY_PASSPHRASE_NEEDED' } })
    // Test (key look), Trust (key look), Test with the passphrase (login), Test without (key look).
    expectAllThroughProxy(relay, p, 4)

    // "Directly": the relay still sees the test, the proxy does not.
    const before = relay.connections
    expect((await api.saveSettings({ ...DEFAULT_SETTINGS, proxy: 'none' })).ok).toBe(true)
    expect(await api.testConnection(draft, 'key pass')).toMatchObject({ ok: true, value: { trusted: true } })
    expect(relay.connections).toBe(before + 1)
    expect(p.connects).toHaveLength(before)
  })

  it('upload --concurrency 24 (three connections of 8 channels) through SOCKS5; with --no-proxy the proxy in ALL_PROXY sees none', async () => {
    const t = await cliSetup('every-conn-many', { rows: 30, recordingBytes: 20_000 })
    const p = await proxy('socks5', { username: 'qa', password: 's3cret' })
    const run = await runCli(t.upload(t.home, '--concurrency', '24', '--proxy', p.url), t.env(t.home))
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ uploaded: 30, failed: 0 })
    await expectRecordingsOnServer(t.root, t.fixture)
    expectAllThroughProxy(t.relay, p, 3)

    // A fresh data folder (no ledger): it connects, finds the recordings there and sends a CSV, directly.
    const seen = p.connects.length
    const before = t.relay.connections
    const other = path.join(t.work, 'home-direct')
    const direct = await runCli(t.upload(other, '--concurrency', '24', '--no-proxy'), t.env(other, p.url))
    expect(direct.code).toBe(0)
    expect(t.relay.connections).toBeGreaterThan(before)
    expect(p.connects).toHaveLength(seen)
  })

  it('a link cut mid-upload: the reconnections go through the HTTP CONNECT proxy too, and every byte arrives', async () => {
    const rows = 8
    const recordingBytes = 256 * 1024
    const t = await cliSetup('every-conn-cut', { rows, recordingBytes }, Math.round((rows * recordingBytes) / 3))
    const p = await proxy('http')
    const run = await runCli(t.upload(t.home, '--proxy', p.url), t.env(t.home))
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ uploaded: rows, failed: 0 })
    await t.relay.cut // the cut did happen (the relay resolves this once it has cut)
    await expectRecordingsOnServer(t.root, t.fixture)
    expect((await readdir(t.root)).filter((n) => n.endsWith('.csv'))).toHaveLength(1)
    // The first connection, and at least one reconnection after the cut.
    expectAllThroughProxy(t.relay, p, 2)
  })

  it('an upload killed halfway and run again: the resumed run connects through the proxy taken from ALL_PROXY', async () => {
    const rows = 12
    const recordingBytes = 512 * 1024
    const t = await cliSetup('every-conn-resume', { rows, recordingBytes })
    const p = await proxy('socks5')
    // Killed (a crash, a closed laptop) once a third of the bytes have crossed the link.
    const killed = await runCli(t.upload(t.home, '--bwlimit', '4M'), t.env(t.home, p.url), (pid) => {
      void until(() => t.relay.bytesUp > (rows * recordingBytes) / 3).then(() => process.kill(pid, 'SIGKILL')).catch(() => undefined)
    })
    expect(killed.signal).toBe('SIGKILL')
    expect((await readdir(t.root)).filter((n) => n.endsWith('.csv'))).toEqual([])
    const firstRun = t.relay.connections
    const again = await runCli(t.upload(t.home), t.env(t.home, p.url))
    expect(again.code).toBe(0)
    const summary = JSON.parse(again.stdout) as { uploaded: number; sentEarlier: number; skipped: number; failed: number }
    expect(summary.failed).toBe(0)
    expect(summary.uploaded + summary.sentEarlier + summary.skipped).toBe(rows)
    await expectRecordingsOnServer(t.root, t.fixture)
    expect(t.relay.connections).toBeGreaterThan(firstRun)
    expectAllThroughProxy(t.relay, p, 2)
  })

  it('watch --once over two folders: each batch\'s connections go through the proxy; --no-proxy makes the pass directly', async () => {
    const t = await cliSetup('every-conn-watch', { rows: 1, recordingBytes: 1000 })
    const exports = path.join(t.work, 'exports')
    for (const day of ['2026-11-01', '2026-11-02']) {
      const gen = await generateBatch(path.join(exports, day), { rows: 5, recordingBytes: 10_000 })
      // Each day's conversations are its own (the generator numbers every batch alike).
      await writeFile(gen.csvPath, (await readFile(gen.csvPath, 'utf8')).replace(/^CR-/gm, `${day}-`))
    }
    const p = await proxy('http')
    // --settle 0: the folders were just written, and a single pass leaves folders younger than --settle.
    const watch = (...extra: string[]) => ['watch', exports, '--once', '--settle', '0', ...t.login(t.home), ...extra]
    const run = await runCli(watch('--proxy', p.url), t.env(t.home))
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { folder: string; result: string })
    expect(lines.map((l) => [path.basename(l.folder), l.result])).toEqual([['2026-11-01', 'delivered'], ['2026-11-02', 'delivered']])
    expect((await readdir(t.root)).filter((n) => n.endsWith('.csv'))).toHaveLength(2)
    expectAllThroughProxy(t.relay, p, 2)

    // The same pass again with --no-proxy (proxy still in ALL_PROXY): it still connects, directly.
    const seen = p.connects.length
    const before = t.relay.connections
    const direct = await runCli(watch('--no-proxy'), t.env(t.home, p.url))
    expect(direct.code).toBe(0)
    expect(t.relay.connections).toBeGreaterThan(before)
    expect(p.connects).toHaveLength(seen)
  })
})
