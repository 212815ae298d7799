/**
 * Human-facing CSVs (report.csv, the exported problem list) neutralise formula-starting cells
 * with a `'` (OWASP); the platform's CSV carries the same values verbatim.
 */
import path from 'node:path'
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import type { MappingProfile } from '../../../src/api'
import { sheetCell, validateBatch, writeUploadCsv } from '../../../src/batch'
import { writeReport } from '../../../src/transfer/report'
import { issuesCsvFile } from '../../../main/batch-checks'
import { wavBytes } from '../../fixtures/audio-bytes'
import { parseCsv, tempDir, writeFiles } from './helpers'

const MAP: MappingProfile = { contactReference: 'Call ID', agentId: 'Agent', contactDate: 'Date', audioFilename: 'File' }
// Contact references a hostile export could carry. A tab or CR cannot start a mapped value
// (CONTROL_CHARACTER excludes the row), so those two are checked on sheetCell alone.
const HOSTILE = ['=HYPERLINK("http://evil.example","x")', '+SUM(1+1)', '-2+3', '@cmd|/c calc']

async function hostileBatch() {
  const dir = await tempDir()
  const rows = HOSTILE.map((ref, i) => `"${ref.replace(/"/g, '""')}",a@x.com,2024-01-01T10:00:00Z,r${i}.wav`)
  const files: Record<string, string | Buffer> = { 'calls.csv': `Call ID,Agent,Date,File\r\n${rows.join('\r\n')}\r\n`, '=orphan.wav': wavBytes(200) }
  HOSTILE.forEach((_, i) => (files[`r${i}.wav`] = wavBytes(200)))
  await writeFiles(dir, files)
  return { dir, c: await validateBatch({ paths: [dir], csvPath: path.join(dir, 'calls.csv'), mapping: MAP }) }
}

describe('sheetCell', () => {
  it("prefixes = + - @ tab and CR with ', leaves every other cell alone", () => {
    expect([...HOSTILE, '\t=1', '\r=1'].map(sheetCell)).toEqual([...HOSTILE, '\t=1', '\r=1'].map((v) => `'${v}`))
    for (const plain of ['', 'A1', 'a@x.com', ' =1', "'=1", '2024-01-01', 'José']) expect(sheetCell(plain)).toBe(plain)
  })
})

describe('human-facing CSVs against the platform CSV', () => {
  it('report.csv and the problem export neutralise formulas; the uploaded CSV keeps them verbatim', async () => {
    const { dir, c } = await hostileBatch()

    const upload = path.join(dir, 'upload.csv')
    await writeUploadCsv(c.manifest, upload)
    expect(parseCsv(await readFile(upload, 'utf8')).slice(1).map((r) => r[0])).toEqual(HOSTILE)

    const reportCsv = path.join(dir, 'report.csv')
    const recordingStatus = new Map(c.manifest.recordings.map((r) => [r.remoteName, { status: 'uploaded' as const }]))
    const summary = { batchId: 'b', uploaded: HOSTILE.length, skipped: 0, excluded: 0, failed: 0, csv: 'x.csv', bytes: 0, seconds: 0, reportCsv, reportJson: '' }
    await writeReport({ manifest: c.manifest, validated: c.manifest, issues: c.issues, recordingStatus, summary }, reportCsv, path.join(dir, 'report.json'))
    const report = parseCsv(await readFile(reportCsv, 'utf8'))
    expect(report.slice(1).map((r) => r[1])).toEqual(HOSTILE.map((v) => `'${v}`))
    // The JSON report is data, not a sheet: verbatim.
    const json = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as { rows: Array<{ contactReference: string }> }
    expect(json.rows.map((r) => r.contactReference)).toEqual(HOSTILE)

    const problems = parseCsv((await issuesCsvFile(c)).text)
    const orphan = problems.find((r) => r[5] === 'ORPHAN_RECORDING')
    expect(orphan?.[4]).toBe("'=orphan.wav")
    for (const cells of problems) for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/)
  })
})
