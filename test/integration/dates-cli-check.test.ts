/**
 * `bulk-upload check` on day-first dates, run for real: a child process on a Windows-1252,
 * semicolon-separated export, asserting what a user sees (message, exit code) when the date
 * format is wrong, missing, right, or cannot be decided from the data.
 */
import os from 'node:os'
import path from 'node:path'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateBatch } from '../fixtures/generate-batch'

const BIN = fileURLToPath(new URL('../../bin/bulk-upload.js', import.meta.url))
const ROWS = 40

/** The French headers are not suggested from their names: mapped on the command line, as a user would. */
const MAP = ['--map', 'contactReference=Référence', '--map', 'agentId=Agent', '--map', 'contactDate=Début d’appel', '--map', 'audioFilename=Enregistrement']

function check(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'check', ...args, ...MAP], { cwd: os.tmpdir(), env: { ...process.env, NO_COLOR: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/**
 * A batch whose CSV (Windows-1252, `;`) has dates written `dd/MM/yyyy HH:mm`, day = day(r);
 * rows in `unreadable` hold that text instead of a date.
 */
async function dayFirstBatch(dir: string, day: (r: number) => number, rows = ROWS, unreadable: Record<number, string> = {}): Promise<void> {
  await generateBatch(dir, { rows, recordings: rows })
  const lines = ['Référence;Agent;Début d’appel;Enregistrement;Client']
  for (let r = 1; r <= rows; r++) lines.push(`CR-${r};agent${r % 5}@example.com;${unreadable[r] ?? `${pad(day(r))}/05/2024 ${pad(8 + (r % 9))}:${pad((r * 7) % 60)}`};rec-${pad(r, 7)}.wav;Zoë Müller`)
  await writeFile(path.join(dir, 'conversations.csv'), iconv.encode(lines.join('\r\n') + '\r\n', 'windows-1252'))
}

let root: string
let dayFirst: string
let ambiguous: string
let dirty: string
const DIRTY_ROWS = 60
const DIRTY = { 9: 'n/a', 44: '-' }

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'bu-dates-cli-'))
  dayFirst = path.join(root, 'day-first')
  ambiguous = path.join(root, 'ambiguous')
  await dayFirstBatch(dayFirst, (r) => 1 + (r % 28))
  await dayFirstBatch(ambiguous, (r) => 1 + (r % 12))
  dirty = path.join(root, 'dirty')
  await dayFirstBatch(dirty, (r) => 1 + (r % 28), DIRTY_ROWS, DIRTY)
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('bulk-upload check with day-first dates', () => {
  it('exits 1 with DATE_FORMAT_MISMATCH naming dd/MM/yyyy HH:mm when --date-format MM/dd/yyyy HH:mm is given', async () => {
    const r = await check([dayFirst, '--date-format', 'MM/dd/yyyy HH:mm', '--timezone', 'Europe/London'])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('(Windows-1252, semicolon)')
    expect(r.stdout).toContain('DATE_FORMAT_MISMATCH')
    const failing = Array.from({ length: ROWS }, (_, i) => 1 + ((i + 1) % 28)).filter((d) => d > 12).length
    expect(r.stdout).toContain(`The date format "MM/dd/yyyy HH:mm" does not read ${failing} of 40 rows (first: row 12, "13/05/2024 11:24"), but "dd/MM/yyyy HH:mm" reads every row (${failing} of 40 readable dates have a day above 12 in the first place).`)
    expect(r.stdout).toContain('Not ready')
  })

  it('without --date-format, says which format fits and that --date-format and --timezone are needed (exit 1)', async () => {
    const r = await check([dayFirst])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('The Contact Date column "Début d’appel" is not ISO 8601. Some days are above 12 (e.g. "13/05/2024 11:24"), so the day comes first: dd/MM/yyyy HH:mm.')
    expect(r.stderr).toContain('Give --date-format "dd/MM/yyyy HH:mm" and --timezone ZONE')
    expect(r.stdout).toContain('"ISO 8601" does not read 40 of 40 rows')
  })

  it('is ready with the format that fits (exit 0)', async () => {
    const r = await check([dayFirst, '--date-format', 'dd/MM/yyyy HH:mm', '--timezone', 'Europe/London'])
    expect(r.stderr).toBe('')
    expect(r.stdout).toContain(`Ready: all ${ROWS} conversations can be uploaded.`)
    expect(r.code).toBe(0)
  })

  it('refuses MM/dd/yyyy HH:mm on day-first data with 2 unreadable cells of 60, with the evidence (issue 22)', async () => {
    const r = await check([dirty, '--date-format', 'MM/dd/yyyy HH:mm', '--timezone', 'Europe/London'])
    const days = Array.from({ length: DIRTY_ROWS }, (_, i) => i + 1).filter((row) => !(row in DIRTY)).map((row) => 1 + (row % 28))
    const over12 = days.filter((d) => d > 12).length
    expect(r.stdout).toContain('DATE_FORMAT_MISMATCH')
    expect(r.stdout).toContain(`The date format "MM/dd/yyyy HH:mm" does not read ${over12 + 2} of 60 rows (first: row 9, "n/a"), but "dd/MM/yyyy HH:mm" reads every readable date (${over12} of 58 readable dates have a day above 12 in the first place).`)
    expect(r.stdout).toContain('Not ready')
    expect(r.code).toBe(1)
  })

  it('without --date-format on the same data, proposes dd/MM/yyyy HH:mm and names the unreadable cells', async () => {
    const r = await check([dirty])
    expect(r.stderr).toContain('so the day comes first: dd/MM/yyyy HH:mm. 2 of 60 cells are not a date it reads (e.g. "n/a"): they are reported as bad dates.')
    expect(r.stderr).toContain('Give --date-format "dd/MM/yyyy HH:mm" and --timezone ZONE')
  })

  it('with dd/MM/yyyy HH:mm on the same data, leaves out the 2 unreadable rows as bad dates and is ready with the rest', async () => {
    const r = await check([dirty, '--date-format', 'dd/MM/yyyy HH:mm', '--timezone', 'Europe/London', '--json'])
    const json = JSON.parse(r.stdout)
    expect(json.counts.DATE_FORMAT_MISMATCH).toBeUndefined()
    expect(json.issues.filter((i: { code: string }) => i.code === 'INVALID_DATE').map((i: { row: number }) => i.row)).toEqual([9, 44])
    expect(json.eligible).toBe(58)
  })

  it('when every day is 12 or less, says why the user must choose and offers both orders', async () => {
    const r = await check([ambiguous])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/12 or less \(e\.g\. "02\/05\/2024 09:07" could be 2 May or 5 February\), so the data cannot tell which comes first/)
    expect(r.stderr).toMatch(/Give --date-format "(dd\/MM\/yyyy HH:mm" or "MM\/dd\/yyyy HH:mm|MM\/dd\/yyyy HH:mm" or "dd\/MM\/yyyy HH:mm)" and --timezone ZONE/)
  })
})
