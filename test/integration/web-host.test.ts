/**
 * The web host on a real port: one-time codes and session secrets (HTTP and WebSocket), path traversal refused over
 * the wire, and real WebSocket round trips through the browser client of renderer/transport
 * into the core service, with events pushed to every connected socket; then the whole flow a
 * UI drives: the built-in sandbox destination, its host key confirmed and pinned, a generated
 * batch checked and uploaded, and the files on the server byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import http from 'node:http'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { WebSocket as NodeWebSocket } from 'ws'
import type { BulkUploadApi, UploadEvent } from '../../src/api'
import { CoreService, WEB_HOST_ADAPTER } from '../../main/core-service'
import { startWebServer, type WebServer } from '../../main/web-host/server'
import { flushLog } from '../../main/log'
import { createWsApi } from '../../renderer/transport/ws-client'
import { generateBatch, type GeneratedBatch } from '../fixtures/generate-batch'
import { startSshd } from '../helpers/sshd'
import { hasSshd, skipWithReason } from '../helpers/system'

class TestService extends CoreService {
  push(event: UploadEvent): void {
    this.emit(event)
  }
}

let dir: string
let service: TestService
let server: WebServer
let batch: GeneratedBatch
let secret: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bu-webhost-'))
  const root = path.join(dir, 'renderer')
  await mkdir(path.join(root, 'assets'), { recursive: true })
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Bulk upload</title><script type="module" src="/assets/app.js"></script>')
  await writeFile(path.join(root, 'assets', 'app.js'), 'console.log("app")')
  await writeFile(path.join(dir, 'secret.txt'), 'secret')
  await mkdir(path.join(dir, 'batch', 'audio'), { recursive: true })
  await writeFile(path.join(dir, 'batch', 'calls.csv'), 'Ref,Agent,Date\n')
  batch = await generateBatch(path.join(dir, 'generated'), { rows: 20, faults: { missingRecording: 2, invalidDate: 1, orphanRecording: 1 } })
  service = new TestService({ home: path.join(dir, 'home'), host: WEB_HOST_ADAPTER })
  server = await startWebServer({ root, api: service })
  secret = (await exchange(codeOf(server.newAddress()))).body.secret as string
})
afterAll(async () => {
  await server.close()
  await service.close()
  await flushLog()
  await rm(dir, { recursive: true, force: true })
})

/** A raw request, so paths reach the server exactly as written (no URL normalisation). */
function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: pathAndQuery, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

const codeOf = (address: string): string => new URL(address).hash.replace(/^#code=/, '')

/** POST /session as the page does (its own Origin unless told otherwise). */
async function exchange(code: unknown, origin: string | null = `http://127.0.0.1:${server.port}`): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(origin === null ? {} : { Origin: origin }) },
    body: JSON.stringify({ code }),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers }
}

const sha256 = async (file: string): Promise<string> => createHash('sha256').update(await readFile(file)).digest('hex')
const client = (): BulkUploadApi => api()

function api(withSecret = secret, onSessionEnded?: (e: { code: string }) => void): BulkUploadApi {
  return createWsApi({
    url: `ws://127.0.0.1:${server.port}/api`,
    secret: withSecret,
    createSocket: (u) => new NodeWebSocket(u) as unknown as WebSocket,
    ...(onSessionEnded ? { onSessionEnded } : {}),
  })
}

/** Opens a socket, sends `hello` (when given) and says how it ended: 'ready', a close code, or an HTTP status. */
function openSocket(hello: unknown, headers: Record<string, string> = {}): Promise<number | 'ready'> {
  return new Promise((resolve) => {
    const ws = new NodeWebSocket(`ws://127.0.0.1:${server.port}/api`, { headers })
    ws.on('open', () => {
      if (hello !== undefined) ws.send(JSON.stringify(hello))
    })
    ws.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === 'ready') {
        ws.close()
        resolve('ready')
      }
    })
    ws.on('close', (code) => resolve(code))
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.on('error', () => undefined)
  })
}

describe('web host over HTTP', () => {
  it('listens on 127.0.0.1 and prints an address whose one-time code is in the fragment', () => {
    const address = server.newAddress()
    expect(address).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/#code=[A-Za-z0-9_-]{43}$`))
    expect(server.newAddress()).not.toBe(address)
  })

  it('serves the page (which holds no secret) and sets no cookie', async () => {
    const first = await get('/')
    expect(first.status).toBe(200)
    expect(first.body).toContain('<title>Bulk upload</title>')
    expect(first.headers['content-security-policy']).toContain("script-src 'self'")
    expect(first.headers['referrer-policy']).toBe('no-referrer')
    expect(first.headers['set-cookie']).toBeUndefined()
    const asset = await get('/assets/app.js')
    expect(asset.status).toBe(200)
    expect(asset.headers['content-type']).toMatch(/javascript/)
  })

  it('exchanges a code once: a second use, a wrong or made-up code get ACCESS_CODE_SPENT', async () => {
    const code = codeOf(server.newAddress())
    const first = await exchange(code)
    expect(first.status).toBe(200)
    expect(first.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(first.body.secret).not.toBe(code)
    expect(first.headers.get('set-cookie')).toBeNull()
    for (const bad of [code, code.slice(1), 'nope', 42, null]) {
      const again = await exchange(bad)
      expect(again.status, String(bad)).toBe(403)
      expect(again.body).toMatchObject({ error: { code: 'ACCESS_CODE_SPENT', message: expect.stringMatching(/Press Enter/) } })
    }
  })

  it('expires a code nobody used after its time', async () => {
    const shortLived = await startWebServer({ root: path.join(dir, 'renderer'), api: service, codeTtlMs: 1 })
    try {
      const code = codeOf(shortLived.newAddress())
      // One millisecond of validity: any request comes after it.
      await new Promise((resolve) => setTimeout(resolve, 5))
      const res = await fetch(`http://127.0.0.1:${shortLived.port}/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: `http://127.0.0.1:${shortLived.port}` }, body: JSON.stringify({ code }) })
      expect(res.status).toBe(403)
    } finally {
      await shortLived.close()
    }
  })

  it('takes codes only from its own page: another origin or none is refused, and the code stays unspent', async () => {
    const code = codeOf(server.newAddress())
    expect((await exchange(code, 'http://127.0.0.1:1')).status).toBe(403)
    expect((await exchange(code, 'http://evil.example')).status).toBe(403)
    expect((await exchange(code, null)).status).toBe(403)
    expect((await exchange(code)).status).toBe(200)
  })

  it('refuses paths leaving the build', async () => {
    for (const p of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets%2f..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
      const res = await get(p)
      expect([400, 403], p).toContain(res.status)
      expect(res.body).not.toContain('secret')
    }
  })

  it('refuses other Host names (DNS rebinding) and other methods', async () => {
    expect((await get('/', { host: `evil.example:${server.port}` })).status).toBe(403)
    const post = await new Promise<number>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path: '/', method: 'POST' }, (res) => resolve(res.statusCode ?? 0))
      req.end()
    })
    expect(post).toBe(405)
  })
})

describe('web host over WebSocket', () => {
  it('refuses a socket without its secret, with a wrong one, or from another origin', async () => {
    expect(await openSocket({ type: 'hello', secret: 'nope' })).toBe(4401)
    expect(await openSocket({ type: 'hello' })).toBe(4401)
    expect(await openSocket({ id: 1, call: 'getSettings', args: [] })).toBe(4401)
    expect(await openSocket({ type: 'hello', secret }, { origin: 'http://evil.example' })).toBe(403)
    expect(await openSocket({ type: 'hello', secret }, { origin: `http://127.0.0.1:${server.port}` })).toBe('ready')
    // The secret never works as a code, and a code never works as a secret.
    const code = codeOf(server.newAddress())
    expect(await openSocket({ type: 'hello', secret: code })).toBe(4401)
    expect((await exchange(secret)).status).toBe(403)
  })

  it('a call with a secret the host does not know comes back as SESSION_ENDED, not a hang, and says so once', async () => {
    const ended: string[] = []
    const client = api('forgotten', (e) => ended.push(e.code))
    expect(await client.getSettings()).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED', message: expect.stringMatching(/Press Enter/) } })
    expect(await client.getSettings()).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } })
    expect(ended).toEqual(['SESSION_ENDED'])
  })

  it('round-trips calls into the core service', async () => {
    const client = api()
    expect(await client.capabilities()).toEqual({ ok: true, value: { kind: 'web', nativeDialogs: false } })
    expect(await client.getSettings()).toEqual({ ok: true, value: { concurrency: null, retentionDays: 30, ledgerRetentionDays: 400, bandwidthLimit: '', proxy: 'system', proxyUrl: '', teamLedger: '' } })
    expect(await client.saveSettings({ concurrency: 3, retentionDays: 10, ledgerRetentionDays: 100, bandwidthLimit: '2M', proxy: 'none' as const, proxyUrl: '', teamLedger: '' })).toEqual({ ok: true, value: { concurrency: 3, retentionDays: 10, ledgerRetentionDays: 100, bandwidthLimit: '2M', proxy: 'none' as const, proxyUrl: '', teamLedger: '' } })
    expect(await client.getSettings()).toEqual({ ok: true, value: { concurrency: 3, retentionDays: 10, ledgerRetentionDays: 100, bandwidthLimit: '2M', proxy: 'none' as const, proxyUrl: '', teamLedger: '' } })
    const listing = await client.browse(path.join(dir, 'batch'))
    expect(listing).toEqual({
      ok: true,
      value: {
        path: path.join(dir, 'batch'),
        parent: dir,
        here: { csvFiles: 1, recordings: 0, complete: true },
        folders: [{ name: 'audio', path: path.join(dir, 'batch', 'audio'), counts: { csvFiles: 0, recordings: 0, complete: true } }],
      },
    })
    const destinations = await client.listDestinations()
    expect(destinations.ok && destinations.value[0]).toMatchObject({ id: 'sandbox', name: 'Sandbox (this computer)', sandbox: true })
  })

  it('answers bad payloads with BAD_ARGUMENT and missing things with coded errors', async () => {
    const client = api()
    const bad = await client.saveSettings({ concurrency: 0, retentionDays: 30, ledgerRetentionDays: 400, bandwidthLimit: '', proxy: 'system', proxyUrl: '', teamLedger: '' })
    expect(bad).toEqual({
      ok: false,
      error: { code: 'BAD_ARGUMENT', message: expect.any(String), details: 'Expected `settings.concurrency` to be an integer from 1 to 32, got `0`' },
    })
    const missing = await client.browse(path.join(dir, 'nope'))
    expect(missing).toMatchObject({ ok: false, error: { code: 'FILE_NOT_FOUND' } })
    expect(JSON.stringify(missing)).not.toMatch(/\n\s+at /)
  })

  it('closes a socket that sends something other than JSON requests', async () => {
    const code = await new Promise<number>((resolve) => {
      const ws = new NodeWebSocket(`ws://127.0.0.1:${server.port}/api`)
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', secret })))
      ws.on('message', () => ws.send('not json'))
      ws.on('close', (c) => resolve(c))
    })
    expect(code).toBe(1003)
  })

  it('pushes upload events to every connected socket, and unsubscribing stops them', async () => {
    const a = api()
    const b = api()
    const gotA: UploadEvent[] = []
    const gotB: UploadEvent[] = []
    const offA = a.onUploadEvent((e) => gotA.push(e))
    b.onUploadEvent((e) => gotB.push(e))
    // Subscribing opens the socket; a call proves it is open on the server side.
    await a.getSettings()
    await b.getSettings()
    const event: UploadEvent = { kind: 'batch-paused', batchId: 'b1', paused: true }
    service.push(event)
    await expect.poll(() => gotA.length + gotB.length).toBe(2)
    expect(gotA).toEqual([event])
    expect(gotB).toEqual([event])
    offA()
    service.push({ kind: 'batch-paused', batchId: 'b1', paused: false })
    await expect.poll(() => gotB.length).toBe(2)
    expect(gotA).toHaveLength(1)
  })
})

describe('batch calls over WebSocket', () => {
  it('scans, previews, validates and pages issues of a generated batch', async () => {
    const client = api()
    const scan = await client.scan([batch.dir])
    expect(scan.ok && scan.value).toMatchObject({ roots: [batch.dir], recordingCount: batch.recordingFiles, recordingBytes: batch.recordingBytesTotal })
    expect(scan.ok && scan.value.csvFiles.map((f) => f.path)).toEqual([batch.csvPath])

    const preview = await client.previewCsv(batch.csvPath)
    expect(preview.ok && preview.value.headers).toEqual(batch.headers)
    expect(preview.ok && preview.value.rows.length).toBe(20)

    expect(await client.checkProfile(batch.csvPath, batch.mapping)).toEqual({ ok: true, value: { fits: true, problems: [] } })
    const wrong = await client.checkProfile(batch.csvPath, { ...batch.mapping, agentId: 'Nope' })
    expect(wrong.ok && wrong.value.fits).toBe(false)

    const spec = { paths: [batch.dir], csvPath: batch.csvPath, mapping: batch.mapping }
    const report = await client.validate(spec)
    if (!report.ok) throw new Error(JSON.stringify(report.error))
    expect(report.value).toMatchObject({ conversations: 20, eligible: batch.eligibleRows, orphans: 1 })
    expect(report.value.counts.MISSING_RECORDING).toBe(2)

    const page = await client.listIssues(report.value.checkId, { code: 'MISSING_RECORDING', offset: 0, limit: 1 })
    expect(page.ok && page.value.total).toBe(2)
    expect(page.ok && page.value.issues).toHaveLength(1)
    expect(page.ok && page.value.issues[0]!.row).toBe(batch.faultRows.missingRecording[0])

    // The web host writes nothing where the user asks: the page downloads the list.
    const exported = await client.exportIssues(report.value.checkId)
    if (!exported.ok || exported.value.kind !== 'download') throw new Error(JSON.stringify(exported))
    expect(exported.value.name).toBe(`${path.basename(batch.csvPath, '.csv')}-problems.csv`)
    expect(exported.value.text.split('\r\n').filter((l) => l.includes('MISSING_RECORDING'))).toHaveLength(2)
    expect(await client.listIssues('no-such-check', { offset: 0, limit: 10 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })

  it('converts a date example and explains a value that does not fit', async () => {
    const client = api()
    expect(await client.convertDateExample('03/05/2019 09:27', 'dd/MM/yyyy HH:mm', 'Europe/London')).toEqual({ ok: true, value: '2019-05-03T09:27:00+01:00' })
    expect(await client.convertDateExample('yesterday', 'dd/MM/yyyy HH:mm', 'Europe/London')).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT', message: expect.stringMatching(/^"yesterday" does not match the format dd\/MM\/yyyy HH:mm/) } })
    expect(await client.convertDateExample('2019-05-03T09:27:23', '', 'Europe/London')).toEqual({ ok: true, value: '2019-05-03T09:27:23+01:00' })
    expect(await client.convertDateExample('03/05/2019 09:27', 'dd/MM/yyyy HH:mm', 'Mars/Olympus')).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } })
  })
})

describe('upload to the sandbox over WebSocket', () => {
  it('confirms the sandbox host key, uploads, and the files arrive intact', async () => {
    const api = client()
    const small = await generateBatch(path.join(dir, 'upload-batch'), { rows: 12, faults: { missingRecording: 1 } })
    const destinations = await api.listDestinations()
    expect(destinations.ok && destinations.value.map((d) => d.id)).toEqual(['sandbox'])

    const first = await api.testConnection('sandbox', null)
    if (!first.ok) throw new Error(JSON.stringify(first.error))
    expect(first.value.trusted).toBe(false)
    expect(first.value.hostKey.fingerprint).toMatch(/^SHA256:/)
    expect(await api.trustHost('sandbox', 'SHA256:not-the-key')).toMatchObject({ ok: false, error: { code: 'HOST_KEY_CHANGED' } })
    expect(await api.trustHost('sandbox', first.value.hostKey.fingerprint)).toEqual({ ok: true, value: undefined })
    const second = await api.testConnection('sandbox', null)
    expect(second.ok && second.value.trusted).toBe(true)

    const keys = await api.listKeys()
    expect(keys.ok && keys.value.map((k) => k.name)).toEqual(['default'])

    const spec = { paths: [small.dir], csvPath: small.csvPath, mapping: small.mapping }
    expect((await api.scan(spec.paths)).ok).toBe(true) // the user adds the folder
    const report = await api.validate(spec)
    expect(report.ok && report.value.ready).toBe(true)

    const events: UploadEvent[] = []
    api.onUploadEvent((e) => events.push(e))
    const started = await api.startUpload(spec, 'sandbox', null)
    if (!started.ok) throw new Error(JSON.stringify(started.error))
    await expect.poll(() => events.find((e) => e.kind === 'batch-done' || e.kind === 'batch-failed'), { timeout: 30_000 }).toBeTruthy()
    const end = events.find((e) => e.kind === 'batch-done' || e.kind === 'batch-failed')!
    if (end.kind !== 'batch-done') throw new Error(JSON.stringify(end))
    expect(end.summary).toMatchObject({ batchId: started.value.batchId, uploaded: small.eligibleRows, failed: 0 })
    expect(events.some((e) => e.kind === 'batch-started')).toBe(true)
    expect(events.filter((e) => e.kind === 'file-done').length).toBeGreaterThan(0)

    // The server's root holds every recording the eligible rows name, and the CSV, byte for byte.
    const serverRoot = service.sandboxRoot
    const onServer = (await readdir(serverRoot)).filter((n) => !n.startsWith('.'))
    expect(onServer).toContain(end.summary.csv)
    const checkedRecordings = onServer.filter((n) => n !== end.summary.csv)
    expect(checkedRecordings.length).toBeGreaterThan(0)
    for (const name of checkedRecordings) {
      const local = path.join(small.dir, 'recordings', name)
      expect(await sha256(path.join(serverRoot, name)), name).toBe(await sha256(local))
    }
    const csv = await readFile(path.join(serverRoot, end.summary.csv!), 'utf8')
    // One record per eligible row (a quoted note may span lines, so count record starts).
    expect(csv.split('\r\n').filter((line) => line.startsWith('CR-'))).toHaveLength(small.eligibleRows)

    expect(await api.listInterrupted()).toEqual({ ok: true, value: [] })

    // A page that lost its host for a while asks again: an ended batch sends its final event once more.
    const before = events.length
    expect(await api.resyncUpload(started.value.batchId)).toEqual({ ok: true, value: undefined })
    await expect.poll(() => events.length).toBe(before + 1)
    expect(events.at(-1)).toEqual(end)
    expect(await api.resyncUpload('0123456789abcdef')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })
})

describe.skipIf(skipWithReason(hasSshd(), 'web host to OpenSSH'))('a saved destination on OpenSSH, with a passphrase-protected key', () => {
  it('adds the destination, pins its host key, asks for the passphrase, and uploads', async () => {
    const api = client()
    const key = await api.generateKey('platform', 'ed25519', 'correct horse')
    if (!key.ok) throw new Error(JSON.stringify(key.error))
    expect(key.value).toMatchObject({ name: 'platform', type: 'ed25519', encrypted: true })
    const remote = path.join(dir, 'openssh-root')
    await mkdir(remote)
    const sshd = await startSshd({ root: remote, authorizedKeys: [key.value.publicKey] })
    try {
      const saved = await api.saveDestination({ name: 'Platform (OpenSSH)', host: '127.0.0.1', port: sshd.port, username: sshd.username, keyName: 'platform', remoteDir: '' })
      if (!saved.ok) throw new Error(JSON.stringify(saved.error))
      // Unknown server: its key is shown even though the private key is locked.
      const first = await api.testConnection(saved.value.id, null)
      if (!first.ok) throw new Error(JSON.stringify(first.error))
      expect(first.value.trusted).toBe(false)
      expect(sshd.knownHostsLine).toContain(first.value.hostKey.keyType)
      expect(await api.trustHost(saved.value.id, first.value.hostKey.fingerprint)).toMatchObject({ ok: true })
      expect(await api.testConnection(saved.value.id, null)).toMatchObject({ ok: false, error: { code: 'KEY_PASSPHRASE_NEEDED' } })
      expect(await api.testConnection(saved.value.id, 'wrong')).toMatchObject({ ok: false, error: { code: 'KEY_PASSPHRASE_WRONG' } })
      expect(await api.testConnection(saved.value.id, 'correct horse')).toMatchObject({ ok: true, value: { trusted: true } })

      const small = await generateBatch(path.join(dir, 'openssh-batch'), { rows: 6 })
      const spec = { paths: [small.dir], csvPath: small.csvPath, mapping: small.mapping }
      expect((await api.scan(spec.paths)).ok).toBe(true) // the user adds the folder
      expect(await api.startUpload(spec, saved.value.id, null)).toMatchObject({ ok: false, error: { code: 'KEY_PASSPHRASE_NEEDED' } })
      expect(await api.startUpload(spec, saved.value.id, 'wrong')).toMatchObject({ ok: false, error: { code: 'KEY_PASSPHRASE_WRONG' } })
      const events: UploadEvent[] = []
      const off = api.onUploadEvent((e) => events.push(e))
      const started = await api.startUpload(spec, saved.value.id, 'correct horse')
      if (!started.ok) throw new Error(JSON.stringify(started.error))
      await expect.poll(() => events.find((e) => (e.kind === 'batch-done' || e.kind === 'batch-failed') && e.batchId === started.value.batchId), { timeout: 30_000 }).toBeTruthy()
      off()
      const end = events.find((e) => e.kind === 'batch-done' || e.kind === 'batch-failed')!
      if (end.kind !== 'batch-done') throw new Error(JSON.stringify(end))
      for (const name of (await readdir(path.join(small.dir, 'recordings'), { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name)) {
        expect(await sha256(path.join(remote, name)), name).toBe(await sha256(path.join(small.dir, 'recordings', name)))
      }
      expect(await readdir(remote)).toContain(end.summary.csv)
      expect(await api.removeDestination(saved.value.id)).toMatchObject({ ok: true })
    } finally {
      await sshd.close()
    }
  })
})

describe.skipIf(skipWithReason(hasSshd(), 'web host: testing an unsaved destination on OpenSSH'))('Add destination\'s Test, before anything is saved', () => {
  it('trusts the new server, reports a refused login as refused, logs in, and saves nothing', async () => {
    const api = client()
    const key = await api.generateKey('unsaved-test', 'ed25519', null)
    if (!key.ok) throw new Error(JSON.stringify(key.error))
    const remote = path.join(dir, 'openssh-unsaved')
    await mkdir(remote)
    const sshd = await startSshd({ root: remote, authorizedKeys: [key.value.publicKey] })
    try {
      const before = await api.listDestinations()
      const fields = { name: 'Not saved yet', host: '127.0.0.1', port: sshd.port, username: sshd.username, keyName: 'unsaved-test', remoteDir: '' }
      const first = await api.testConnection(fields, null)
      if (!first.ok) throw new Error(JSON.stringify(first.error))
      expect(first.value.trusted).toBe(false)
      expect(await api.trustHost(fields, first.value.hostKey.fingerprint)).toMatchObject({ ok: true })
      // Trusted is not logged in: a user the server does not know is refused, with its sentence.
      expect(await api.testConnection({ ...fields, username: 'nobody-here' }, null)).toMatchObject({ ok: false, error: { code: 'AUTH_REFUSED' } })
      expect(await api.testConnection(fields, null)).toMatchObject({ ok: true, value: { trusted: true } })
      expect(await api.listDestinations()).toEqual(before)
      // The page names fields, never a file: a bad field is refused as a bad argument.
      expect(await api.testConnection({ ...fields, port: 0 }, null)).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } })
    } finally {
      await sshd.close()
    }
  })
})

describe.skipIf(skipWithReason(hasSshd(), 'web host host keys against OpenSSH'))('host keys over the API, against OpenSSH with RSA and Ed25519 keys', () => {
  it('trustHost never replaces a changed key; forgetHostKey, then testing and confirming again, does', async () => {
    const api = client()
    const key = await api.generateKey('rebuilt', 'ed25519', null)
    if (!key.ok) throw new Error(JSON.stringify(key.error))
    const remote = path.join(dir, 'rebuilt-root')
    await mkdir(remote)
    const sshd = await startSshd({ root: remote, authorizedKeys: [key.value.publicKey], hostKeyTypes: ['rsa', 'ed25519'] })
    try {
      const saved = await api.saveDestination({ name: 'Rebuilt (OpenSSH)', host: '127.0.0.1', port: sshd.port, username: sshd.username, keyName: 'rebuilt', remoteDir: '' })
      if (!saved.ok) throw new Error(JSON.stringify(saved.error))
      const knownHosts = path.join(dir, 'home', 'known_hosts')
      // Only the server's RSA key pinned (as from the platform's page): it logs in.
      await writeFile(knownHosts, `${sshd.hostKeys.rsa!.knownHostsLine}\n`, { mode: 0o600 })
      expect(await api.testConnection(saved.value.id, null)).toMatchObject({ ok: true, value: { trusted: true, hostKey: { keyType: 'ssh-rsa' } } })

      const newLine = await sshd.replaceHostKey('rsa')
      const changed = await api.testConnection(saved.value.id, null)
      expect(changed).toMatchObject({ ok: false, error: { code: 'HOST_KEY_CHANGED' } })
      const pinned = await readFile(knownHosts, 'utf8')
      const newFingerprint = `SHA256:${createHash('sha256').update(Buffer.from(newLine.split(' ')[2]!, 'base64')).digest('base64').replace(/=+$/, '')}`
      expect(await api.trustHost(saved.value.id, newFingerprint)).toMatchObject({ ok: false, error: { code: 'HOST_KEY_CHANGED' } })
      expect(await readFile(knownHosts, 'utf8')).toBe(pinned)
      expect(await api.testConnection(saved.value.id, null)).toMatchObject({ ok: false, error: { code: 'HOST_KEY_CHANGED' } })

      expect(await api.forgetHostKey(saved.value.id)).toEqual({ ok: true, value: undefined })
      expect(await readFile(knownHosts, 'utf8')).toBe('')
      const fresh = await api.testConnection(saved.value.id, null)
      if (!fresh.ok) throw new Error(JSON.stringify(fresh.error))
      expect(fresh.value.trusted).toBe(false)
      expect(await api.trustHost(saved.value.id, fresh.value.hostKey.fingerprint)).toEqual({ ok: true, value: undefined })
      expect(await api.testConnection(saved.value.id, null)).toMatchObject({ ok: true, value: { trusted: true, hostKey: { fingerprint: fresh.value.hostKey.fingerprint } } })
      expect(await api.removeDestination(saved.value.id)).toMatchObject({ ok: true })
    } finally {
      await sshd.close()
    }
  })
})
