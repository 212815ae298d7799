import path from 'node:path'
import { readFile, symlink, writeFile } from 'node:fs/promises'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { ISSUE_CODES, type IssueCode, type MappingProfile } from '../../../src/api'
import { ISSUE_RULES, validateBatch, type CheckedBatch } from '../../../src/batch'
import { generateBatch } from '../../fixtures/generate-batch'
import { wavBytes } from '../../fixtures/audio-bytes'
import { tempDir, writeFiles } from './helpers'

const MAP: MappingProfile = { contactReference: 'Call ID', agentId: 'Agent', contactDate: 'Date', audioFilename: 'File' }
// Just over a second (8 kHz, 16-bit mono): shorter recordings are flagged RECORDING_TOO_SHORT.
const WAV = wavBytes(16_100)
const rowsOf = (c: CheckedBatch, code: IssueCode): Array<number | null> => c.issues.filter((i) => i.code === code).map((i) => i.row)

async function check(files: Record<string, string | Buffer>, mapping: MappingProfile = MAP, csv = 'calls.csv'): Promise<CheckedBatch> {
  const dir = await tempDir()
  await writeFiles(dir, files)
  return validateBatch({ paths: [dir], csvPath: path.join(dir, csv), mapping })
}

describe('validateBatch on a generated batch with every row fault', () => {
  it('flags exactly the faulty rows, excludes the rows with errors, and keeps the batch ready', async () => {
    const dir = await tempDir()
    const g = await generateBatch(dir, {
      rows: 80,
      format: 'mixed',
      faults: { missingRecording: 2, duplicateReference: 2, invalidDate: 2, noUtcOffset: 2, missingField: 2, emptyRecording: 1, unrecognisedAudio: 1, caseMismatch: 1, unsafeFilename: 5, nameCollision: 1, orphanRecording: 3 },
    })
    const c = await validateBatch({ paths: [dir], csvPath: g.csvPath, mapping: g.mapping })
    expect(rowsOf(c, 'MISSING_RECORDING')).toEqual(g.faultRows.missingRecording)
    expect(rowsOf(c, 'DUPLICATE_REFERENCE')).toEqual(g.faultRows.duplicateReference)
    expect(rowsOf(c, 'INVALID_DATE')).toEqual(g.faultRows.invalidDate)
    expect(rowsOf(c, 'NO_UTC_OFFSET')).toEqual(g.faultRows.noUtcOffset)
    expect(rowsOf(c, 'MISSING_FIELD')).toEqual(g.faultRows.missingField)
    expect(rowsOf(c, 'EMPTY_RECORDING')).toEqual(g.faultRows.emptyRecording)
    expect(rowsOf(c, 'CASE_MISMATCH')).toEqual(g.faultRows.caseMismatch)
    expect(rowsOf(c, 'UNSAFE_FILENAME')).toEqual(g.faultRows.unsafeFilename)
    expect(rowsOf(c, 'NAME_COLLISION')).toEqual(g.faultRows.nameCollision)
    expect(c.issues.filter((i) => i.code === 'UNRECOGNISED_AUDIO').map((i) => i.file)).toEqual(['recordings/notaudio-0.wav'])
    expect(c.issues.filter((i) => i.code === 'ORPHAN_RECORDING').map((i) => i.file)).toEqual(g.orphanFiles)
    expect(c.report).toMatchObject({ ready: true, conversations: 80, eligible: g.eligibleRows, excluded: 80 - g.eligibleRows, recordings: g.recordingFiles, orphans: 3 })
    expect(c.manifest.eligibleRows).toBe(g.eligibleRows)
    // Warnings do not exclude: the case-mismatched row is uploaded under the real name.
    const caseRow = g.faultRows.caseMismatch[0]!
    expect(c.manifest.recordings[c.manifest.rowRecording[caseRow - 1]!]!.remoteName).toBe('CaseFile-0.wav')
    for (const i of c.issues) {
      expect(i.severity).toBe(ISSUE_RULES[i.code].severity)
      expect(i.message).toMatch(/\.$/)
    }
  })

  it('sniffs a big folder on the worker thread with the same findings', async () => {
    const dir = await tempDir()
    const g = await generateBatch(dir, { rows: 400, format: 'mixed', faults: { unrecognisedAudio: 2, emptyRecording: 1, orphanRecording: 1 } })
    const c = await validateBatch({ paths: [dir], csvPath: g.csvPath, mapping: g.mapping })
    expect(c.issues.filter((i) => i.code === 'UNRECOGNISED_AUDIO').map((i) => i.file)).toEqual(['recordings/notaudio-0.wav', 'recordings/notaudio-1.wav'])
    expect(c.report).toMatchObject({ ready: true, eligible: g.eligibleRows, orphans: 1 })
  })

  it('lists each recording once, with the rows that use it, when rows share recordings', async () => {
    const dir = await tempDir()
    const g = await generateBatch(dir, { rows: 30, recordings: 10 })
    const c = await validateBatch({ paths: [dir], csvPath: g.csvPath, mapping: g.mapping })
    expect(c.report.ready).toBe(true)
    expect(c.manifest.recordings).toHaveLength(10)
    expect(c.manifest.recordings[0]).toMatchObject({ remoteName: 'rec-0000001.wav', relPath: 'recordings/rec-0000001.wav', size: 16_384, rows: [1, 11, 21] })
    expect(c.report.eligibleBytes).toBe(10 * 16_384)
  })
})

describe('the blocking codes', () => {
  it('CSV_PARSE_ERROR: an unclosed quote blocks the batch', async () => {
    const c = await check({ 'calls.csv': 'Call ID,Agent,Date,File\r\nA,a,2024-01-01T10:00:00Z,a.wav\r\nB,b,"2024-01-01,b.wav\r\n', 'a.wav': WAV })
    expect(c.issues[0]).toMatchObject({ code: 'CSV_PARSE_ERROR', severity: 'error', row: 2 })
    expect(c.report.ready).toBe(false)
  })
  it('CSV_PARSE_ERROR: a row with more fields than the header blocks the batch', async () => {
    const c = await check({ 'calls.csv': 'Call ID,Agent,Date,File\nA,a,2024-01-01T10:00:00Z,a.wav\nB,b,2024-01-01T10:00:00Z,a.wav,extra\n', 'a.wav': WAV })
    expect(c.issues.map((i) => [i.code, i.row])).toEqual([['CSV_PARSE_ERROR', 2]])
    expect(c.report).toMatchObject({ ready: false, eligible: 1 })
  })
  it('CSV_PARSE_ERROR: a UTF-8 file (BOM) with bytes that are not UTF-8', async () => {
    const c = await check({ 'calls.csv': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Call ID,Agent,Date,File\nA,a'), Buffer.from([0xff]), Buffer.from(',2024-01-01T10:00:00Z,a.wav\n')]), 'a.wav': WAV })
    expect(c.issues[0]).toMatchObject({ code: 'CSV_PARSE_ERROR', message: expect.stringContaining('not valid UTF-8') })
  })
  it.each([
    ['an empty file', '', 'no header row'],
    ['a header only', 'Call ID,Agent,Date,File\r\n', 'no data rows'],
    ['blank lines only', '\r\n\r\n,,,\r\n', 'no header row'],
  ])('CSV_EMPTY: %s', async (_, text, why) => {
    const c = await check({ 'calls.csv': text })
    expect(c.issues.map((i) => i.code)).toEqual(['CSV_EMPTY'])
    expect(c.issues[0]!.message).toContain(why)
    expect(c.report.ready).toBe(false)
  })
  it('ROW_TOO_LONG: a row of megabytes without a line break is named as such, not as a quote error', async () => {
    const head = 'Call ID,Agent,Date,File\nA,a@x.com,2024-01-01T10:00:00Z,a.wav\n'
    const c = await check({ 'calls.csv': `${head}B,b@x.com,2024-01-01T10:00:00Z,${'x'.repeat(3 << 20)}\n`, 'a.wav': WAV })
    expect(c.issues.map((i) => [i.code, i.row])).toEqual([['ROW_TOO_LONG', 2]])
    expect(c.issues[0]!.message).toContain('no line break')
    expect(c.issues[0]!.message).not.toContain('never closed')
    expect(c.report.ready).toBe(false)
  })
  it('ROW_TOO_LONG: a quote opened and never closed says so, at the row it opened in', async () => {
    const head = 'Call ID,Agent,Date,File\nA,a@x.com,2024-01-01T10:00:00Z,a.wav\n'
    const rest = 'C,c@x.com,2024-01-01T10:00:00Z,c.wav\n'.repeat(60_000)
    const c = await check({ 'calls.csv': `${head}B,"b@x.com,2024-01-01T10:00:00Z,b.wav\n${rest}`, 'a.wav': WAV })
    expect(c.issues.map((i) => [i.code, i.row])).toEqual([['ROW_TOO_LONG', 2]])
    expect(c.issues[0]!.message).toContain('never closed')
  })
  it('MAPPING_COLUMN_NOT_FOUND: names the column and a near spelling, and checks no rows', async () => {
    const c = await check({ 'calls.csv': 'call id,Agent,Date,File\nA,a,2024-01-01T10:00:00Z,a.wav\n', 'a.wav': WAV })
    expect(c.issues.map((i) => i.code)).toEqual(['MAPPING_COLUMN_NOT_FOUND'])
    expect(c.issues[0]!.message).toContain('"Call ID" mapped to Contact Reference')
    expect(c.issues[0]!.message).toContain('the CSV has "call id"')
    expect(c.report).toMatchObject({ ready: false, conversations: 1, eligible: 0 })
  })
})

describe('recordings', () => {
  const csv = (files: string[]): string => `Call ID,Agent,Date,File\n${files.map((f, i) => `R${i + 1},a@x.com,2024-01-01T10:00:00Z,${f}`).join('\n')}\n`

  it('matches a relative path, a bare name anywhere, and a path from above the dropped folder', async () => {
    const c = await check({ 'calls.csv': csv(['sub/a.wav', 'b.wav', 'calls/sub/c.wav', 'sub\\d.wav']), 'sub/a.wav': WAV, 'deep/er/b.wav': WAV, 'sub/c.wav': WAV, 'sub/d.wav': WAV })
    expect(c.issues).toEqual([])
    expect(c.manifest.recordings.map((r) => [r.relPath, r.remoteName])).toEqual([['sub/a.wav', 'a.wav'], ['deep/er/b.wav', 'b.wav'], ['sub/c.wav', 'c.wav'], ['sub/d.wav', 'd.wav']])
  })
  it('NAME_COLLISION: a bare name found in two folders', async () => {
    const c = await check({ 'calls.csv': csv(['a.wav']), 'x/a.wav': WAV, 'y/a.wav': WAV })
    expect(c.issues.map((i) => [i.code, i.row])).toEqual([['NAME_COLLISION', 1]])
  })
  it('matches names in Unicode NFC: a CSV naming "Amélie.wav" finds the file written as e + combining accent, which keeps its own name', async () => {
    const nfd = 'Ame\u0301lie.wav'
    const c = await check({ 'calls.csv': csv(['Am\u00e9lie.wav']), [nfd]: WAV })
    expect(c.issues).toEqual([])
    expect(c.manifest.recordings.map((r) => r.remoteName)).toEqual([nfd])
  })
  it('NAME_COLLISION: the same accented name spelled in NFC and NFD in two folders', async () => {
    const c = await check({ 'calls.csv': csv(['x/Am\u00e9lie.wav', 'y/Ame\u0301lie.wav']), 'x/Am\u00e9lie.wav': WAV, 'y/Ame\u0301lie.wav': WAV })
    expect(c.issues.map((i) => [i.code, i.row])).toEqual([['NAME_COLLISION', 1], ['NAME_COLLISION', 2]])
  })
  it('NAME_COLLISION: two files whose names differ only in case would meet in the server root', async () => {
    const c = await check({ 'calls.csv': csv(['x/Call.wav', 'y/call.wav', 'z.wav']), 'x/Call.wav': WAV, 'y/call.wav': WAV, 'z.wav': WAV })
    expect(c.issues.map((i) => [i.code, i.row])).toEqual([['NAME_COLLISION', 1], ['NAME_COLLISION', 2]])
    expect(c.report).toMatchObject({ ready: true, eligible: 1 })
  })
  it('UNSAFE_FILENAME: a symlink leaving the folder, POSIX and Windows-style traversal', async () => {
    const outside = await tempDir()
    await writeFiles(outside, { 'secret.wav': WAV })
    const dir = await tempDir()
    await writeFiles(dir, { 'calls.csv': csv(['link.wav', '..\\..\\secret.wav', '../secret.wav', `${outside}/secret.wav`, 'C:\\secret.wav']) })
    await symlink(path.join(outside, 'secret.wav'), path.join(dir, 'link.wav'))
    const c = await validateBatch({ paths: [dir], csvPath: path.join(dir, 'calls.csv'), mapping: MAP })
    expect(c.issues.map((i) => [i.code, i.row])).toEqual([1, 2, 3, 4, 5].map((r) => ['UNSAFE_FILENAME', r]))
    expect(c.issues[0]!.message).toContain('a link to a place outside the folder')
    expect(c.report.ready).toBe(false) // nothing eligible
  })
  it('UNSAFE_FILENAME: with no audio column, a recording named after the reference that links outside', async () => {
    const outside = await tempDir()
    await writeFiles(outside, { 'secret.wav': WAV })
    const dir = await tempDir()
    await writeFiles(dir, { 'calls.csv': 'Call ID,Agent,Date\nR1,a,2024-01-01T10:00:00Z\n' })
    await symlink(path.join(outside, 'secret.wav'), path.join(dir, 'R1.wav'))
    const c = await validateBatch({ paths: [dir], csvPath: path.join(dir, 'calls.csv'), mapping: { contactReference: 'Call ID', agentId: 'Agent', contactDate: 'Date' } })
    expect(c.issues.map((i) => [i.code, i.row])).toEqual([['UNSAFE_FILENAME', 1]])
    expect(c.issues[0]!.message).toContain('"R1.*"')
  })
  it('EMPTY_RECORDING, MISSING_RECORDING and UNRECOGNISED_AUDIO', async () => {
    const c = await check({ 'calls.csv': csv(['empty.wav', 'gone.wav', 'fake.mp3', 'call-4']), 'empty.wav': '', 'fake.mp3': WAV, 'call-4.wav': WAV })
    expect(c.issues.map((i) => [i.code, i.row, i.file])).toEqual([
      ['EMPTY_RECORDING', 1, 'empty.wav'],
      ['MISSING_RECORDING', 2, 'gone.wav'], // the name the row expects, to look for or correct
      ['UNRECOGNISED_AUDIO', null, 'fake.mp3'],
    ])
    expect(c.issues[2]!.message).toContain('looks like WAV audio, not .mp3')
    // A name without extension matches the one recording of that name.
    expect(c.manifest.recordings.map((r) => r.remoteName)).toEqual(['fake.mp3', 'call-4.wav'])
  })
  it('with no audio column, matches the recording named after the contact reference', async () => {
    const mapping = { contactReference: 'Call ID', agentId: 'Agent', contactDate: 'Date' }
    const text = 'Call ID,Agent,Date\nR1,a,2024-01-01T10:00:00Z\nR2,a,2024-01-01T10:00:00Z\nR3,a,2024-01-01T10:00:00Z\nR4,a,2024-01-01T10:00:00Z\n'
    const c = await check({ 'calls.csv': text, 'R1.wav': WAV, 'sub/r2.MP3': WAV, 'R4.wav': WAV, 'R4.mp3': WAV, 'extra.wav': WAV }, mapping)
    expect(c.issues.map((i) => [i.code, i.row, i.file])).toEqual([
      ['CASE_MISMATCH', 2, 'sub/r2.MP3'],
      ['MISSING_RECORDING', 3, 'R3.*'],
      ['MISSING_RECORDING', 4, 'R4.*'],
      ['UNRECOGNISED_AUDIO', null, 'sub/r2.MP3'],
      ['ORPHAN_RECORDING', null, 'extra.wav'],
    ])
    expect(c.issues[2]!.message).toContain('several files')
    expect(c.manifest.recordings.map((r) => r.remoteName)).toEqual(['R1.wav', 'r2.MP3'])
  })
})

describe('dates with a source format', () => {
  it('accepts rows in the format and flags the rest as INVALID_DATE', async () => {
    const text = 'Call ID,Agent,Date,File\nA,a,03/05/2019 09:27,a.wav\nB,b,2019-05-03T09:27:00Z,a.wav\nC,c,31/02/2019 10:00,a.wav\n'
    const c = await check({ 'calls.csv': text, 'a.wav': WAV }, { ...MAP, dateFormat: 'dd/MM/yyyy HH:mm', timezone: 'Europe/London' })
    expect(c.issues.map((i) => [i.code, i.row])).toEqual([['INVALID_DATE', 2], ['INVALID_DATE', 3]])
    expect(c.issues[0]!.message).toContain('dd/MM/yyyy HH:mm')
  })
  it('is DATE_FORMAT_MISMATCH (blocking, not ready) when month-first is chosen on day-first data, naming dd/MM/yyyy', async () => {
    const dates = Array.from({ length: 1000 }, (_, i) => `${String(1 + (i % 28)).padStart(2, '0')}/05/2024 09:00`)
    const text = `Call ID,Agent,Date,File\n${dates.map((d, i) => `R${i + 1},a,${d},a.wav`).join('\n')}\n`
    const c = await check({ 'calls.csv': text, 'a.wav': WAV }, { ...MAP, dateFormat: 'MM/dd/yyyy HH:mm', timezone: 'Europe/London' })
    expect(c.report.ready).toBe(false)
    expect(c.report.counts.DATE_FORMAT_MISMATCH).toBe(1)
    const mismatch = c.issues.find((i) => i.code === 'DATE_FORMAT_MISMATCH')!
    expect(mismatch).toMatchObject({ severity: 'error', row: null })
    // Days 13..28 of every 28 rows fail: 16 x 35 + 16 (rows 989..1000 hold days 9..20).
    const failing = dates.filter((d) => +d.slice(0, 2) > 12).length
    expect(mismatch.message).toBe(`The date format "MM/dd/yyyy HH:mm" does not read ${failing} of 1,000 rows (first: row 13, "13/05/2024 09:00"), but "dd/MM/yyyy HH:mm" reads every row (${failing} of 1,000 readable dates have a day above 12 in the first place). Choose that format (check day and month order), then check again.`)
    expect(c.issues[0]!.code).toBe('DATE_FORMAT_MISMATCH')
  })
  it('is DATE_FORMAT_MISMATCH when no format is chosen but every date is in one other format', async () => {
    const text = 'Call ID,Agent,Date,File\nA,a,13/05/2024 09:00,a.wav\nB,b,14/05/2024 09:00,a.wav\n'
    const c = await check({ 'calls.csv': text, 'a.wav': WAV })
    expect(c.report.ready).toBe(false)
    expect(c.issues[0]!.message).toContain('"ISO 8601" does not read 2 of 2 rows (first: row 1, "13/05/2024 09:00"), but "dd/MM/yyyy HH:mm" reads every row')
  })
  it('stays a row error (no mismatch) when the readable dates fit no other format', async () => {
    const text = 'Call ID,Agent,Date,File\nA,a,13/05/2024 09:00,a.wav\nB,b,05/13/2024 09:00,a.wav\nC,c,garbage,a.wav\n'
    const c = await check({ 'calls.csv': text, 'a.wav': WAV }, { ...MAP, dateFormat: 'MM/dd/yyyy HH:mm', timezone: 'UTC' })
    expect(c.report.counts.DATE_FORMAT_MISMATCH).toBeUndefined()
    expect(rowsOf(c, 'INVALID_DATE')).toEqual([1, 3])
    expect(c.report.ready).toBe(true)
  })
  it('is DATE_FORMAT_MISMATCH when month-first is chosen on day-first data with a few unreadable cells (issue 22)', async () => {
    // 3,000 day-first dates, three of them unreadable ("n/a", "-", "#VALUE!"): the order is decided by the rest.
    const dates = Array.from({ length: 3000 }, (_, i) => (i === 40 ? 'n/a' : i === 1200 ? '-' : i === 2900 ? '#VALUE!' : `${String(1 + (i % 28)).padStart(2, '0')}/${String(1 + (i % 12)).padStart(2, '0')}/2024 09:00`))
    const text = `Call ID,Agent,Date,File\n${dates.map((d, i) => `R${i + 1},a,${d},a.wav`).join('\n')}\n`
    const chosen = await check({ 'calls.csv': text, 'a.wav': WAV }, { ...MAP, dateFormat: 'MM/dd/yyyy HH:mm', timezone: 'Europe/London' })
    expect(chosen.report.ready).toBe(false)
    const mismatch = chosen.issues.find((i) => i.code === 'DATE_FORMAT_MISMATCH')!
    const dayOver12 = dates.filter((d) => /^\d/.test(d) && +d.slice(0, 2) > 12).length
    expect(mismatch.message).toBe(`The date format "MM/dd/yyyy HH:mm" does not read ${(dayOver12 + 3).toLocaleString('en-US')} of 3,000 rows (first: row 13, "13/01/2024 09:00"), but "dd/MM/yyyy HH:mm" reads every readable date (${dayOver12.toLocaleString('en-US')} of 2,997 readable dates have a day above 12 in the first place). Choose that format (check day and month order), then check again.`)
    // The format that fits: ready with the three bad cells left out as bad dates.
    const right = await check({ 'calls.csv': text, 'a.wav': WAV }, { ...MAP, dateFormat: 'dd/MM/yyyy HH:mm', timezone: 'Europe/London' })
    expect(right.report.counts.DATE_FORMAT_MISMATCH).toBeUndefined()
    expect(rowsOf(right, 'INVALID_DATE')).toEqual([41, 1201, 2901])
    expect(right.report.ready).toBe(true)
  })
  it('refuses a format without a zone before reading anything', async () => {
    await expect(check({ 'calls.csv': 'x' }, { ...MAP, dateFormat: 'dd/MM/yyyy' })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
  })
})

describe('scale and control', () => {
  it('re-reads a file as Windows-1252 when bytes after the first megabyte are not UTF-8', async () => {
    const dir = await tempDir()
    const g = await generateBatch(dir, { rows: 30_000, recordings: 5, recordingBytes: 100 })
    await writeFile(g.csvPath, Buffer.concat([await readFile(g.csvPath), iconv.encode('CR-LAST,agent@x.com,2024-01-01T10:00:00Z,rec-0000001.wav,Renée,Q,\r\n', 'windows-1252')]))
    const c = await validateBatch({ paths: [dir], csvPath: g.csvPath, mapping: g.mapping })
    expect(c.manifest.encoding).toBe('windows-1252')
    expect(c.report).toMatchObject({ ready: true, conversations: 30_001, eligible: 30_001 })
  })
  it('keeps exact counts but caps the issues kept per code', async () => {
    const text = `Call ID,Agent,Date,File\n${Array.from({ length: 50 }, (_, i) => `R${i},,2024-01-01T10:00:00Z,a.wav`).join('\n')}\n`
    const dir = await tempDir()
    await writeFiles(dir, { 'calls.csv': text, 'a.wav': WAV })
    const c = await validateBatch({ paths: [dir], csvPath: path.join(dir, 'calls.csv'), mapping: MAP }, { maxIssuesPerCode: 10 })
    expect(c.report.counts.MISSING_FIELD).toBe(50)
    expect(c.report.issueTotal).toBe(50)
    expect(c.issues).toHaveLength(10)
    expect(c.issuesOmitted).toBe(40)
  })
  it('reports progress and can be aborted', async () => {
    const dir = await tempDir()
    const g = await generateBatch(dir, { rows: 2000, recordings: 5 })
    const seen: number[] = []
    await validateBatch({ paths: [dir], csvPath: g.csvPath, mapping: g.mapping }, { onProgress: (p) => seen.push(p.rows) })
    expect(seen.at(-1)).toBe(2000)
    await expect(validateBatch({ paths: [dir], csvPath: g.csvPath, mapping: g.mapping }, { signal: AbortSignal.abort() })).rejects.toThrow()
  })
  it('has a message and a severity for every code, in one table', () => {
    for (const code of ISSUE_CODES) expect(ISSUE_RULES[code].message({ row: 3 })).toMatch(/\.$/)
  })
})
