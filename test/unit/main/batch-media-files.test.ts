/**
 * Which recordings the app plays (issue 12): the one rule in main/batch-media.ts, reached the
 * way both hosts reach it (CoreService.mediaFile), and Electron's `bulk-media://` protocol
 * (main/electron-media.ts) answering real Requests from real files. Only a recording of a check
 * still kept, inside its batch's folders, is served; everything else is refused.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises'
import { CoreService, WEB_HOST_ADAPTER } from '../../../main/core-service'
import { flushLog } from '../../../main/log'
import { generateBatch, type GeneratedBatch } from '../../fixtures/generate-batch'
import type { RecordingRow } from '../../../src/api'

type Handler = (request: Request) => Promise<Response>
const registered: { scheme: string; handler: Handler | null } = { scheme: '', handler: null }
vi.mock('electron', () => ({
  protocol: {
    handle: (scheme: string, handler: Handler) => {
      registered.scheme = scheme
      registered.handler = handler
    },
  },
}))
const { registerMediaProtocol } = await import('../../../main/electron-media')

let dir: string
let service: CoreService
let may: GeneratedBatch
let june: GeneratedBatch
let mayRows: RecordingRow[]
let mayCheck: string

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

async function check(batch: GeneratedBatch): Promise<{ checkId: string; rows: RecordingRow[] }> {
  expect((await service.scan([batch.dir])).ok).toBe(true)
  const report = await service.validate({ paths: [batch.dir], csvPath: batch.csvPath, mapping: { ...batch.mapping } })
  if (!report.ok) throw new Error(report.error.message)
  const rows = await service.listRecordings(report.value.checkId, 0, 100)
  if (!rows.ok) throw new Error(rows.error.message)
  return { checkId: report.value.checkId, rows: rows.value.rows }
}

const get = (handle: string, headers: Record<string, string> = {}): Promise<Response> =>
  registered.handler!(new Request(`bulk-media://recording/${handle}`, { headers }))

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bu-media-'))
  may = await generateBatch(path.join(dir, 'may'), { rows: 4, recordingBytes: 4096 })
  june = await generateBatch(path.join(dir, 'june'), { rows: 3, recordingBytes: 2048 })
  await writeFile(path.join(dir, 'secret.wav'), 'not a recording of any batch')
  service = new CoreService({ home: path.join(dir, 'home'), host: WEB_HOST_ADAPTER })
  ;({ checkId: mayCheck, rows: mayRows } = await check(may))
  registerMediaProtocol((handle) => service.mediaFile(handle))
})
afterAll(async () => {
  await flushLog()
  await rm(dir, { recursive: true, force: true })
})

describe('the files a check may play', () => {
  it('serves each recording of the checked batch: its own bytes, size and type', async () => {
    expect(registered.scheme).toBe('bulk-media')
    expect(mayRows.length).toBe(4)
    for (const row of mayRows) {
      const file = await service.mediaFile(row.media)
      expect(file).not.toBeNull()
      expect(path.relative(may.dir, file!.path).startsWith('..')).toBe(false)
      const res = await get(row.media)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('audio/wav')
      const body = new Uint8Array(await res.arrayBuffer())
      expect(body.length).toBe(row.size)
      expect(sha(body)).toBe(sha(await readFile(file!.path)))
    }
  })

  it('refuses handles that are not a recording of the check: out of range, made up, with .. or a path', async () => {
    for (const handle of [`${mayCheck}.999`, `${mayCheck}.-1`, 'nope.0', `${mayCheck}.0/../../secret.wav`, '..%2F..%2Fsecret.wav', `${mayCheck}..0`, encodeURIComponent(path.join(dir, 'secret.wav'))]) {
      expect(await service.mediaFile(decodeURIComponent(handle))).toBeNull()
      const res = await get(handle)
      expect(res.status).toBe(403)
      expect(await res.text()).not.toContain('not a recording of any batch')
    }
  })

  it("refuses another batch's handle given to this check, and a check no longer kept", async () => {
    const { checkId: juneCheck, rows: juneRows } = await check(june)
    // Same index, other check: the handle names its check, so it reaches only that check's files.
    const forged = `${mayCheck}.${juneRows[0]!.media.split('.')[1]}`
    const served = await service.mediaFile(forged)
    expect(served?.path.startsWith(may.dir)).toBe(true)
    expect((await service.mediaFile(juneRows[0]!.media))?.path.startsWith(june.dir)).toBe(true)
    expect(juneCheck).not.toBe(mayCheck)
    // Two more checks push May's out of the store: its handles stop playing.
    await check(june)
    await check(june)
    expect(await service.mediaFile(mayRows[0]!.media)).toBeNull()
    expect((await get(mayRows[0]!.media)).status).toBe(403)
  })
})

describe('a recording swapped after the check', () => {
  it('refuses a recording replaced by a symlink leading out of the batch folder', async () => {
    const { rows } = await check(may)
    const file = (await service.mediaFile(rows[1]!.media))!.path
    await unlink(file)
    await symlink(path.join(dir, 'secret.wav'), file)
    expect(await service.mediaFile(rows[1]!.media)).toBeNull()
    const res = await get(rows[1]!.media)
    expect(res.status).toBe(403)
    // The other rows still play.
    expect((await get(rows[0]!.media)).status).toBe(200)
  })
})

describe('ranges, so the audio element seeks', () => {
  it('answers a range with 206, its Content-Range and exactly those bytes; past the end with 416', async () => {
    const { rows } = await check(june)
    const row = rows[0]!
    const whole = await readFile((await service.mediaFile(row.media))!.path)
    const res = await get(row.media, { range: 'bytes=100-199' })
    expect(res.status).toBe(206)
    expect(res.headers.get('content-range')).toBe(`bytes 100-199/${whole.length}`)
    expect(res.headers.get('content-length')).toBe('100')
    expect(Buffer.from(await res.arrayBuffer()).equals(whole.subarray(100, 200))).toBe(true)
    const tail = await get(row.media, { range: 'bytes=-10' })
    expect(tail.status).toBe(206)
    expect(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(whole.length - 10))).toBe(true)
    const past = await get(row.media, { range: `bytes=${whole.length}-` })
    expect(past.status).toBe(416)
    expect(past.headers.get('content-range')).toBe(`bytes */${whole.length}`)
  })
})

describe("the mapping preview's recordings (before any check)", () => {
  it("plays a preview row's matched recording; a row whose file is missing has none; an earlier match's handles stop", async () => {
    const batch = await generateBatch(path.join(dir, 'july'), { rows: 5, recordingBytes: 1024, faults: { missingRecording: 1 } })
    expect((await service.scan([batch.dir])).ok).toBe(true)
    const spec = { paths: [batch.dir], csvPath: batch.csvPath, mapping: { ...batch.mapping } }
    const first = await service.matchPreviewRecordings(spec)
    if (!first.ok) throw new Error(first.error.message)
    expect(first.value.map((r) => r.row)).toEqual([1, 2, 3, 4, 5].filter((r) => !batch.faultRows.missingRecording.includes(r)))
    const row = first.value[0]!
    const res = await get(row.media)
    expect(res.status).toBe(200)
    const file = (await service.mediaFile(row.media))!
    expect(path.basename(file.path)).toBe(row.file)
    expect(sha(new Uint8Array(await res.arrayBuffer()))).toBe(sha(await readFile(file.path)))

    const again = await service.matchPreviewRecordings(spec)
    expect(again.ok && again.value[0]!.media).not.toBe(row.media)
    expect(await service.mediaFile(row.media)).toBeNull()
    expect((await get(row.media)).status).toBe(403)
  })

  it('refuses to match a batch the user never picked', async () => {
    const r = await service.matchPreviewRecordings({ paths: [path.join(dir, 'elsewhere')], csvPath: path.join(dir, 'elsewhere', 'calls.csv'), mapping: { ...may.mapping } })
    expect(r).toMatchObject({ ok: false, error: { code: 'OUT_OF_SCOPE' } })
  })
})
