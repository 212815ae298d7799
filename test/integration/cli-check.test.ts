/**
 * `bulk-upload check` run for real: a child process on real folders, asserting what a user
 * or a script sees (output, one JSON object, exit code).
 */
import os from 'node:os'
import path from 'node:path'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateBatch, type GeneratedBatch } from '../fixtures/generate-batch'

const BIN = fileURLToPath(new URL('../../bin/bulk-upload.js', import.meta.url))

function run(args: string[], cwd = os.tmpdir()): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'check', ...args], { cwd, env: { ...process.env, NO_COLOR: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

let root: string
let clean: GeneratedBatch
let faulty: GeneratedBatch

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'bu-cli-check-'))
  clean = await generateBatch(path.join(root, 'clean'), { rows: 40, recordings: 20, format: 'mixed', faults: { noUtcOffset: 1 } })
  faulty = await generateBatch(path.join(root, 'faulty'), { rows: 30, faults: { missingRecording: 1, invalidDate: 1, unsafeFilename: 2, orphanRecording: 1 } })
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('bulk-upload check', () => {
  it('exits 0 on a batch with warnings only, with a plain-text summary when not on a terminal', async () => {
    const r = await run([clean.dir])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Conversations\s+40/)
    expect(r.stdout).toMatch(/Eligible\s+40/)
    expect(r.stdout).toMatch(/Recordings\s+20 found, 20 to upload/)
    expect(r.stdout).toContain('NO_UTC_OFFSET')
    expect(r.stdout).toContain('Ready: all 40 conversations can be uploaded.')
    expect(r.stdout).not.toContain('\x1b[')
  })

  it.skipIf(!existsSync('/usr/bin/script'))('uses colours on a terminal (run under script(1) for a pseudo-terminal)', async () => {
    const out = await new Promise<string>((resolve) => {
      execFile('/usr/bin/script', ['-qec', `"${process.execPath}" "${BIN}" check "${clean.dir}"`, '/dev/null'], { env: { ...process.env, NO_COLOR: '' } }, (_err, stdout) => resolve(stdout))
    })
    expect(out).toContain('\x1b[32mReady: all 40 conversations can be uploaded.')
  })

  it('prints exactly one JSON object and exits 1 when rows have errors', async () => {
    const r = await run([faulty.dir, '--json'])
    expect(r.code).toBe(1)
    const json = JSON.parse(r.stdout)
    expect(json).toMatchObject({ ready: true, conversations: 30, eligible: faulty.eligibleRows, recordings: faulty.recordingFiles })
    expect(json.issues.map((i: { code: string; row: number | null }) => [i.code, i.row])).toEqual([
      ['MISSING_RECORDING', faulty.faultRows.missingRecording[0]],
      ['INVALID_DATE', faulty.faultRows.invalidDate[0]],
      ...faulty.faultRows.unsafeFilename.map((row) => ['UNSAFE_FILENAME', row]),
      ['ORPHAN_RECORDING', null],
    ])
    expect(Object.keys(json.issues[0]).sort()).toEqual(['code', 'file', 'message', 'row', 'severity'])
    expect(json.issues[0].severity).toBe('error')
  })

  it('takes the mapping from --mapping and --map, and converts dates with --date-format/--timezone', async () => {
    const dir = path.join(root, 'dates')
    await generateBatch(dir, { rows: 3 })
    const csv = path.join(dir, 'conversations.csv')
    await writeFile(csv, 'Ref,Who,When,Audio\r\nA,a@x.com,03/05/2019 09:27,rec-0000001.wav\r\nB,b@x.com,2019-05-03,rec-0000002.wav\r\nC,c@x.com,04/05/2019 10:00,rec-0000003.wav\r\n')
    await writeFile(path.join(root, 'mapping.json'), JSON.stringify({ contactReference: 'Ref', agentId: 'Who', contactDate: 'When' }))
    const r = await run([dir, '--mapping', path.join(root, 'mapping.json'), '--map', 'audioFilename=Audio', '--date-format', 'dd/MM/yyyy HH:mm', '--timezone', 'Europe/London', '--json'])
    const json = JSON.parse(r.stdout)
    expect(json.issues.map((i: { code: string; row: number }) => [i.code, i.row])).toEqual([['INVALID_DATE', 2]])
    expect(json.mapping).toEqual({ contactReference: 'Ref', agentId: 'Who', contactDate: 'When', audioFilename: 'Audio', dateFormat: 'dd/MM/yyyy HH:mm', timezone: 'Europe/London' })
    expect(r.code).toBe(1)
  })

  it('exits 2 with a sentence, never a stack trace, when the folder does not exist', async () => {
    const r = await run([path.join(root, 'nope')])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('does not exist or is not a folder')
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(r.stdout).toBe('')
  })

  it('exits 2 and asks which CSV when there are several, and accepts --csv', async () => {
    const dir = path.join(root, 'two-csv')
    await generateBatch(dir, { rows: 3, csvName: 'a.csv' })
    await generateBatch(dir, { rows: 3, csvName: 'b.csv' })
    const r = await run([dir, '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout)).toMatchObject({ ready: false, error: { code: 'CSV_NOT_CHOSEN', details: expect.stringContaining('a.csv, b.csv') } })
    expect(r.stderr).toContain('--csv FILE')
    const ok = await run([dir, '--csv', 'b.csv'])
    expect(ok.code).toBe(0)
  })

  it('exits 2 and names the field to map when the header does not say', async () => {
    const dir = path.join(root, 'unclear')
    await generateBatch(dir, { rows: 2 })
    await writeFile(path.join(dir, 'conversations.csv'), 'Ref,Person,When,Recording\r\nA,a,2024-01-01T10:00:00Z,rec-0000001.wav\r\n')
    const r = await run([dir])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Agent ID (agentId)')
    expect(r.stderr).toContain('--map agentId=COLUMN')
    expect(r.stderr).toContain('"Person"')
  })

  it('exits 2 on a bad --map and 1 on a CSV that cannot be parsed', async () => {
    const bad = await run([clean.dir, '--map', 'nonsense'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('Expected --map FIELD=COLUMN')
    const dir = path.join(root, 'broken')
    await generateBatch(dir, { rows: 2 })
    await writeFile(path.join(dir, 'conversations.csv'), 'Call ID,Agent Email,Start Time,Recording\r\nA,a,"2024-01-01T10:00:00Z,rec-0000001.wav\r\n')
    const r = await run([dir])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('CSV_PARSE_ERROR')
    expect(r.stdout).toContain('Not ready')
  })
})
