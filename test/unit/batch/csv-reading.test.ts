import path from 'node:path'
import { writeFile } from 'node:fs/promises'
import iconv from 'iconv-lite'
import Papa from 'papaparse'
import { describe, expect, it } from 'vitest'
import type { CsvEncoding } from '../../../src/api'
import { detectCsvFormat, detectEncoding, previewCsv, readCsv } from '../../../src/batch'
import { createDecoder, NotUtf8Error } from '../../../src/batch/encoding'
import { READ_CHUNK } from '../../../src/batch/csv-reader'
import { tempDir } from './helpers'

const TEXT = 'Call ID,Agent,Date,Customer\r\nA1,ann@x.com,2024-01-01T10:00:00Z,José Müller\r\nA2,bob@x.com,2024-01-01T11:00:00Z,"Zoë, ""the"" boss"\r\n'

function encode(text: string, enc: CsvEncoding): Buffer {
  switch (enc) {
    case 'utf-8': return Buffer.from(text, 'utf8')
    case 'utf-8-bom': return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
    case 'utf-16le': return Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')])
    case 'utf-16be': return Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf-16be')])
    case 'windows-1252': return iconv.encode(text, 'windows-1252')
  }
}

async function readAll(file: string): Promise<{ headers: string[]; rows: string[][]; problem: unknown }> {
  const fmt = await detectCsvFormat(file)
  let headers: string[] = []
  const rows: string[][] = []
  const { problem } = await readCsv(file, fmt, { onHeader: (h) => (headers = h), onRows: (r) => void rows.push(...r) })
  return { headers, rows, problem }
}

describe('encodings', () => {
  it.each(['utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'windows-1252'] as CsvEncoding[])('detects and reads %s', async (enc) => {
    const dir = await tempDir()
    const file = path.join(dir, 'x.csv')
    await writeFile(file, encode(TEXT, enc))
    const preview = await previewCsv(file)
    expect(preview.encoding).toBe(enc)
    expect(preview.headers).toEqual(['Call ID', 'Agent', 'Date', 'Customer'])
    expect(preview.rows[0]![3]).toBe('José Müller')
    const all = await readAll(file)
    expect(all.problem).toBeNull()
    expect(all.headers[0]).toBe('Call ID') // no BOM left on the first header
    expect(all.rows).toEqual([
      ['A1', 'ann@x.com', '2024-01-01T10:00:00Z', 'José Müller'],
      ['A2', 'bob@x.com', '2024-01-01T11:00:00Z', 'Zoë, "the" boss'],
    ])
  })

  it('decodes UTF-8 characters cut anywhere by a read boundary, drops the BOM, refuses bad bytes', () => {
    const bytes = Buffer.from('\uFEFFa€b😀c通', 'utf8')
    for (let cut = 0; cut <= bytes.length; cut++) {
      for (const cut2 of [cut, Math.min(bytes.length, cut + 1), Math.min(bytes.length, cut + 2)]) {
        const d = createDecoder('utf-8-bom')
        const text = d.write(bytes.subarray(0, cut)) + d.write(bytes.subarray(cut, cut2)) + d.write(bytes.subarray(cut2)) + d.end()
        expect(text).toBe('a€b😀c通')
      }
    }
    expect(() => createDecoder('utf-8').write(Buffer.from([0x61, 0xff, 0x62]))).toThrow(NotUtf8Error)
    const cutShort = createDecoder('utf-8')
    cutShort.write(Buffer.from([0x61, 0xe2, 0x82]))
    expect(() => cutShort.end()).toThrow(NotUtf8Error)
  })

  it('detects UTF-16 without a BOM from its zero bytes', () => {
    expect(detectEncoding(iconv.encode('a,b\r\n1,2\r\n', 'utf-16le'))).toBe('utf-16le')
    expect(detectEncoding(iconv.encode('a,b\r\n1,2\r\n', 'utf-16be'))).toBe('utf-16be')
  })

  it('reads text in Windows-1252 whose first accent comes after the first megabyte', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'late.csv')
    const filler = Array.from({ length: 30_000 }, (_, i) => `R${i},agent@x.com,2024-01-01T10:00:00Z,Plain Name`).join('\r\n')
    await writeFile(file, iconv.encode(`Call ID,Agent,Date,Customer\r\n${filler}\r\nLAST,a@x.com,2024-01-01T10:00:00Z,Renée Côté\r\n`, 'windows-1252'))
    expect((await detectCsvFormat(file)).encoding).toBe('utf-8')
    // readCsv reports the bad bytes; validateBatch then reads the file again as Windows-1252.
    const { problem } = await readAll(file)
    expect(problem).toMatchObject({ notUtf8: true })
    const rows: string[][] = []
    await readCsv(file, { encoding: 'windows-1252', delimiter: ',' }, { onHeader: () => undefined, onRows: (r) => void rows.push(...r) })
    expect(rows.at(-1)).toEqual(['LAST', 'a@x.com', '2024-01-01T10:00:00Z', 'Renée Côté'])
  })
})

describe('delimiters and CSV dialects', () => {
  it.each([
    [',', 'comma'],
    [';', 'semicolon (Excel in much of Europe)'],
    ['\t', 'tab'],
    ['|', 'pipe'],
  ])('detects %j (%s), even with the other delimiters inside quoted values', async (d) => {
    const dir = await tempDir()
    const file = path.join(dir, 'x.csv')
    const rows = [['id', 'note', 'n'], ['1', 'a,b;c|d\te', '1,5'], ['2', 'plain', '2']]
    const text = rows.map((r) => r.map((f) => (/[,;|\t]/.test(f) ? `"${f}"` : f)).join(d)).join('\r\n')
    await writeFile(file, text)
    const p = await previewCsv(file)
    expect(p.delimiter).toBe(d)
    expect(p.rows).toEqual(rows.slice(1))
  })

  it('reads quoted fields holding line breaks, CRLF and LF, and skips blank lines and Excel\'s empty rows', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'x.csv')
    await writeFile(file, 'id,note\r\n1,"line one\r\nline two"\r\n\r\n2,"a\nb"\r\n,\r\n3,last\r\n')
    const all = await readAll(file)
    expect(all.rows).toEqual([['1', 'line one\r\nline two'], ['2', 'a\nb'], ['3', 'last']])
  })

  it('reads a file with LF line ends and a stray CR at a line end', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'x.csv')
    await writeFile(file, 'id,note\n1,x\n2,y\r\n3,z')
    expect((await readAll(file)).rows).toEqual([['1', 'x'], ['2', 'y'], ['3', 'z']])
  })

  it('reads an Excel "CSV UTF-8" export: BOM, semicolons, CRLF, quoted cells with ; and line breaks', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'excel.csv')
    const text = 'Interaction ID;Agent Email;Start Time;Notes\r\nI-1;a@x.com;2024-01-01T10:00:00+01:00;"Rückruf; bitte\nmorgen"\r\nI-2;b@x.com;2024-01-01T10:05:00+01:00;\r\n;;;\r\n'
    await writeFile(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))
    const p = await previewCsv(file)
    expect(p).toMatchObject({ encoding: 'utf-8-bom', delimiter: ';', headers: ['Interaction ID', 'Agent Email', 'Start Time', 'Notes'] })
    expect(p.rows).toEqual([['I-1', 'a@x.com', '2024-01-01T10:00:00+01:00', 'Rückruf; bitte\nmorgen'], ['I-2', 'b@x.com', '2024-01-01T10:05:00+01:00', '']])
    expect(p.suggestion).toEqual({ contactReference: 'Interaction ID', agentId: 'Agent Email', contactDate: 'Start Time' })
  })

  it('reports an unclosed quote with the row where it starts', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'x.csv')
    await writeFile(file, 'id,note\r\n1,ok\r\n2,"never closed\r\n3,more\r\n')
    const all = await readAll(file)
    expect(all.rows).toEqual([['1', 'ok']])
    expect(all.problem).toMatchObject({ row: 2, detail: expect.stringContaining('never closed') })
  })

  it('reads records that straddle several read chunks', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'big.csv')
    const long = 'x'.repeat(450_000)
    await writeFile(file, `id,note\r\n1,"${long}\r\n${long}"\r\n2,"b"\r\n`)
    const all = await readAll(file)
    expect(all.rows.map((r) => [r[0], r[1]!.length])).toEqual([['1', 900_002], ['2', 1]])
  })

  it('reads a quoted field whose closing quote and CR end one read chunk and whose LF starts the next', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'edge.csv')
    // 'id,note\r\n' + '1,"' is 12 characters: the closing quote lands on the second-to-last byte
    // of the fourth read and the CR on its last byte.
    const n = 4 * READ_CHUNK - 14
    await writeFile(file, `id,note\r\n1,"${'x'.repeat(n)}"\r\n2,b\r\n`)
    const all = await readAll(file)
    expect(all.problem).toBeNull()
    expect(all.rows.map((r) => [r[0], r[1]!.length])).toEqual([['1', n], ['2', 1]])
  })
})

describe('streaming equals parsing the whole text at once', () => {
  it.each(['\r\n', '\n'])('across many reads: quoted, multi-line, non-ASCII records (line end %j)', async (eol) => {
    let seed = 7
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n)
    const pieces = ['a', 'é', '"', ',', '\r\n', '\n', ' ', 'Zoë', '通話', 'xyz']
    const field = (): string => {
      const raw = Array.from({ length: rand(12) }, () => pieces[rand(pieces.length)]).join('')
      return /[",\r\n]/.test(raw) ? `"${raw.replace(/"/g, '""')}"` : raw
    }
    const lines = ['h1,h2,h3']
    for (let i = 0; lines.length < 40_000; i++) lines.push([`r${i}`, field(), field()].join(','))
    const text = lines.join(eol) + eol
    const dir = await tempDir()
    const file = path.join(dir, 'fuzz.csv')
    await writeFile(file, text)
    const expected = Papa.parse<string[]>(text, { delimiter: ',', newline: eol as '\n', skipEmptyLines: 'greedy' }).data
    let headers: string[] = []
    const rows: string[][] = []
    const { problem } = await readCsv(file, { encoding: 'utf-8', delimiter: ',' }, { onHeader: (h) => (headers = h), onRows: (r) => void rows.push(...r) })
    expect(problem).toBeNull()
    expect(headers).toEqual(expected[0])
    expect(rows.length).toBe(expected.length - 1)
    expect(rows).toEqual(expected.slice(1))
  })
})

describe('previewCsv', () => {
  it('reads only the start of a large file and returns 100 complete rows', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'x.csv')
    const rows = Array.from({ length: 60_000 }, (_, i) => `${i},"note ${i}, with comma",${'y'.repeat(20)}`)
    await writeFile(file, `id,note,pad\n${rows.join('\n')}\n`)
    const p = await previewCsv(file)
    expect(p.rows).toHaveLength(100)
    expect(p.rows[99]).toEqual(['99', 'note 99, with comma', 'y'.repeat(20)])
  })
  it('pads short rows to the header width and keeps a cut last row out', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'x.csv')
    await writeFile(file, 'a,b,c\n1,2\n')
    expect((await previewCsv(file)).rows).toEqual([['1', '2', '']])
  })
  it('explains an empty file', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'x.csv')
    await writeFile(file, '')
    await expect(previewCsv(file)).rejects.toMatchObject({ code: 'CSV_UNREADABLE' })
    await expect(previewCsv(path.join(dir, 'missing.csv'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' })
  })
})
