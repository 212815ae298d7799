import path from 'node:path'
import { readFile, utimes, writeFile } from 'node:fs/promises'
import { PassThrough } from 'node:stream'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import type { MappingProfile } from '../../../src/api'
import { manifestFromJson, manifestToJson, uploadCsvName, validateBatch, writeUploadCsv } from '../../../src/batch'
import { generateBatch } from '../../fixtures/generate-batch'
import { wavBytes } from '../../fixtures/audio-bytes'
import { parseCsv, tempDir, writeFiles } from './helpers'

const WAV = wavBytes(200)
const MAP: MappingProfile = { contactReference: 'Call ID', agentId: 'Agent', contactDate: 'Date', audioFilename: 'File' }

async function checked(files: Record<string, string | Buffer>, mapping: MappingProfile = MAP) {
  const dir = await tempDir()
  await writeFiles(dir, files)
  const c = await validateBatch({ paths: [dir], csvPath: path.join(dir, 'calls.csv'), mapping })
  return { dir, c }
}

describe('writeUploadCsv', () => {
  it('writes the source columns, eligible rows only, real remote names, dates in the platform shape, UTF-8 without BOM, comma, CRLF', async () => {
    const source = 'Call ID;Agent;Date;File;Notes;Queue\r\n' +
      'A1;a@x.com;2024-01-01T10:00:00Z;sub/one.wav;"Said ""hi"", then\nleft";Sales\r\n' +
      'A2;;2024-01-01T10:00:00Z;two.wav;excluded: no agent;Sales\r\n' +
      'A3;c@x.com;2024-01-01T10:00:00Z;TWO.WAV;José, café;Support\r\n'
    const { dir, c } = await checked({ 'calls.csv': iconv.encode(source, 'windows-1252'), 'sub/one.wav': WAV, 'two.wav': WAV })
    expect(c.manifest).toMatchObject({ encoding: 'windows-1252', delimiter: ';' })
    const out = path.join(dir, 'upload.csv')
    const res = await writeUploadCsv(c.manifest, out)
    const bytes = await readFile(out)
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false)
    const text = bytes.toString('utf8')
    expect(res).toEqual({ rows: 2, bytes: bytes.length })
    expect(text.endsWith('\r\n')).toBe(true)
    expect(parseCsv(text)).toEqual([
      ['Call ID', 'Agent', 'Date', 'File', 'Notes', 'Queue'],
      ['A1', 'a@x.com', '2024-01-01T10:00:00+00:00', 'one.wav', 'Said "hi", then\nleft', 'Sales'],
      ['A3', 'c@x.com', '2024-01-01T10:00:00+00:00', 'two.wav', 'José, café', 'Support'],
    ])
    expect(text).toContain('"Said ""hi"", then\nleft"')
  })

  it('converts dates when a source format and zone were chosen', async () => {
    const { c } = await checked(
      { 'calls.csv': 'Call ID,Agent,Date,File\nA,a,03/05/2019 09:27,a.wav\nB,b,03/01/2019 09:27,a.wav\n', 'a.wav': WAV },
      { ...MAP, dateFormat: 'dd/MM/yyyy HH:mm', timezone: 'Europe/London' },
    )
    const sink = new PassThrough()
    const chunks: Buffer[] = []
    sink.on('data', (b: Buffer) => chunks.push(b))
    await writeUploadCsv(c.manifest, sink)
    expect(parseCsv(Buffer.concat(chunks).toString()).slice(1).map((r) => r[2])).toEqual(['2019-05-03T09:27:00+01:00', '2019-01-03T09:27:00+00:00'])
  })

  it('leaves out rows whose recording failed to upload', async () => {
    const dir = await tempDir()
    const g = await generateBatch(dir, { rows: 12, recordings: 4 })
    const c = await validateBatch({ paths: [dir], csvPath: g.csvPath, mapping: g.mapping })
    const out = path.join(dir, 'upload.csv')
    const res = await writeUploadCsv(c.manifest, out, { omitRemoteNames: new Set(['rec-0000002.wav']) })
    const rows = parseCsv(await readFile(out, 'utf8'))
    expect(res.rows).toBe(9)
    expect(rows.slice(1).map((r) => r[0])).toEqual(['CR-0000001', 'CR-0000003', 'CR-0000004', 'CR-0000005', 'CR-0000007', 'CR-0000008', 'CR-0000009', 'CR-0000011', 'CR-0000012'])
    expect(rows[0]).toEqual(g.headers)
    // All metadata kept, including quoted notes with line breaks (row 7).
    expect(rows.find((r) => r[0] === 'CR-0000007')![6]).toBe('Said "call back", then\nhung up; twice')
  })

  it('writes a UTF-16 source as UTF-8 and survives a manifest saved as JSON', async () => {
    const source = '\uFEFFCall ID\tAgent\tDate\tFile\r\nÄ1\ta\t2024-01-01T10:00:00+02:00\tx.wav\r\n'
    const { dir, c } = await checked({ 'calls.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(source.slice(1), 'utf-16le')]), 'x.wav': WAV })
    const again = manifestFromJson(JSON.parse(JSON.stringify(manifestToJson(c.manifest))))
    const out = path.join(dir, 'u.csv')
    await writeUploadCsv(again, out)
    expect(await readFile(out, 'utf8')).toBe('Call ID,Agent,Date,File\r\nÄ1,a,2024-01-01T10:00:00+02:00,x.wav\r\n')
  })

  it('writes the platform layout: its names and order, missing columns empty, new ones left out; reports each row written', async () => {
    const { dir, c } = await checked({ 'calls.csv': 'Queue,Call ID,Agent,Date,File,Wrap\nSales,A,a@x.com,2019-123T09:27:23.5Z,a.wav,done\n', 'a.wav': WAV })
    const layout = {
      recordedAt: '2026-01-01T00:00:00Z',
      columns: [
        { name: 'Contact Reference', field: 'contactReference' as const }, { name: 'Agent ID', field: 'agentId' as const },
        { name: 'Contact Date', field: 'contactDate' as const }, { name: 'Audio filename', field: 'audioFilename' as const },
        { name: 'Direction', field: null }, { name: 'Queue', field: null },
      ],
    }
    const written: string[][] = []
    const out = path.join(dir, 'u.csv')
    await writeUploadCsv(c.manifest, out, { layout, onRow: (reference, recording) => written.push([reference, recording]) })
    expect(parseCsv(await readFile(out, 'utf8'))).toEqual([
      ['Contact Reference', 'Agent ID', 'Contact Date', 'Audio filename', 'Direction', 'Queue'],
      ['A', 'a@x.com', '2019-05-03T09:27:23+00:00', 'a.wav', '', 'Sales'],
    ])
    expect(written).toEqual([['A', 'a.wav']])
  })

  it("fails with the file system's error when this computer's disk is full, without an unhandled stream error", async () => {
    const { c } = await checked({ 'calls.csv': 'Call ID,Agent,Date,File\nA,a,2024-01-01T10:00:00Z,a.wav\n', 'a.wav': WAV })
    await expect(writeUploadCsv(c.manifest, '/dev/full')).rejects.toMatchObject({ code: 'ENOSPC' })
  })

  it('refuses to write from a CSV that changed since it was checked', async () => {
    const { dir, c } = await checked({ 'calls.csv': 'Call ID,Agent,Date,File\nA,a,2024-01-01T10:00:00Z,a.wav\n', 'a.wav': WAV })
    await writeFile(path.join(dir, 'calls.csv'), 'Call ID,Agent,Date,File\nB,b,2024-01-01T10:00:00Z,a.wav\n')
    await utimes(path.join(dir, 'calls.csv'), new Date(), new Date(Date.now() + 5000))
    await expect(writeUploadCsv(c.manifest, path.join(dir, 'u.csv'))).rejects.toMatchObject({ code: 'LOCAL_FILE_CHANGED' })
  })
})

describe('uploadCsvName', () => {
  it('is unique per batch and uses safe characters only', () => {
    const at = new Date('2026-01-25T09:30:00.123Z')
    expect(uploadCsvName('/data/Calls März 2026 (final).CSV', 'b-3f2a9c1b-77', at)).toBe('Calls-Marz-2026-final_20260125T093000Z_b3f2a9c1b77.csv')
    expect(uploadCsvName('C:\\exports\\calls.csv', 'abc', at)).toBe('calls_20260125T093000Z_abc.csv')
    expect(uploadCsvName('/x/../.csv', '', at)).toBe('conversations_20260125T093000Z_batch.csv')
    expect(uploadCsvName('/x/a.csv', 'one', at)).not.toBe(uploadCsvName('/x/a.csv', 'two', at))
    expect(uploadCsvName('/x/a.csv', 'one', at)).toMatch(/^[A-Za-z0-9._-]+$/)
  })
})
