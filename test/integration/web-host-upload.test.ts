/**
 * The whole flow a UI drives, through the web host's WebSocket into the core service: the
 * built-in sandbox destination, its host key confirmed and pinned, a generated batch checked
 * and uploaded, every event pushed to the socket, and the files on the server byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { WebSocket as NodeWebSocket } from 'ws'
import type { BulkUploadApi, UploadEvent } from '../../src/api'
import { CoreService, WEB_HOST_ADAPTER } from '../../main/core-service'
import { startWebServer, type WebServer } from '../../main/web-host/server'
import { createWsApi } from '../../renderer/transport/ws-client'
import { generateBatch, type GeneratedBatch } from '../fixtures/generate-batch'

let dir: string
let service: CoreService
let server: WebServer
let batch: GeneratedBatch
let api: BulkUploadApi

const sha256 = async (file: string): Promise<string> => createHash('sha256').update(await readFile(file)).digest('hex')

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bu-webhost-upload-'))
  const root = path.join(dir, 'renderer')
  await mkdir(root)
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>t</title>')
  batch = await generateBatch(path.join(dir, 'batch'), { rows: 12, faults: { missingRecording: 1 } })
  service = new CoreService({ home: path.join(dir, 'home'), host: WEB_HOST_ADAPTER })
  server = await startWebServer({ root, api: service })
  api = createWsApi({ url: `ws://127.0.0.1:${server.port}/api?token=${server.token}`, createSocket: (u) => new NodeWebSocket(u) as unknown as WebSocket })
})
afterAll(async () => {
  await server?.close()
  await service?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('upload to the sandbox over WebSocket', () => {
  it('confirms the sandbox host key, uploads, and the files arrive intact', async () => {
    const destinations = await api.listDestinations()
    expect(destinations.ok && destinations.value.map((d) => d.id)).toEqual(['sandbox'])

    const first = await api.testConnection('sandbox')
    if (!first.ok) throw new Error(JSON.stringify(first.error))
    expect(first.value.trusted).toBe(false)
    expect(first.value.hostKey.fingerprint).toMatch(/^SHA256:/)
    expect(await api.trustHost('sandbox', 'SHA256:not-the-key')).toMatchObject({ ok: false, error: { code: 'HOST_KEY_CHANGED' } })
    expect(await api.trustHost('sandbox', first.value.hostKey.fingerprint)).toEqual({ ok: true, value: undefined })
    const second = await api.testConnection('sandbox')
    expect(second.ok && second.value.trusted).toBe(true)

    const keys = await api.listKeys()
    expect(keys.ok && keys.value.map((k) => k.name)).toEqual(['default'])

    const spec = { paths: [batch.dir], csvPath: batch.csvPath, mapping: batch.mapping }
    const report = await api.validate(spec)
    expect(report.ok && report.value.ready).toBe(true)

    const events: UploadEvent[] = []
    api.onUploadEvent((e) => events.push(e))
    const started = await api.startUpload(spec, 'sandbox', null)
    if (!started.ok) throw new Error(JSON.stringify(started.error))
    await expect.poll(() => events.find((e) => e.kind === 'batch-done' || e.kind === 'batch-failed'), { timeout: 30_000 }).toBeTruthy()
    const end = events.find((e) => e.kind === 'batch-done' || e.kind === 'batch-failed')!
    if (end.kind !== 'batch-done') throw new Error(JSON.stringify(end))
    expect(end.summary).toMatchObject({ batchId: started.value.batchId, uploaded: batch.eligibleRows, failed: 0 })
    expect(events.some((e) => e.kind === 'batch-started')).toBe(true)
    expect(events.filter((e) => e.kind === 'file-done').length).toBeGreaterThan(0)

    // The server's root holds every recording the eligible rows name, and the CSV, byte for byte.
    const serverRoot = service.sandboxRoot
    const onServer = (await readdir(serverRoot)).filter((n) => !n.startsWith('.'))
    expect(onServer).toContain(end.summary.csv)
    const checkedRecordings = onServer.filter((n) => n !== end.summary.csv)
    expect(checkedRecordings.length).toBeGreaterThan(0)
    for (const name of checkedRecordings) {
      const local = path.join(batch.dir, 'recordings', name)
      expect(await sha256(path.join(serverRoot, name)), name).toBe(await sha256(local))
    }
    const csv = await readFile(path.join(serverRoot, end.summary.csv!), 'utf8')
    // One record per eligible row (a quoted note may span lines, so count record starts).
    expect(csv.split('\r\n').filter((line) => line.startsWith('CR-'))).toHaveLength(batch.eligibleRows)

    expect(await api.listInterrupted()).toEqual({ ok: true, value: [] })
  })
})
