/**
 * Recordings checked inside: real audio written by sox in the test, then cut short, emptied
 * or overwritten, and `bulk-upload check --json` run on the folder as a script would.
 * Each code is asserted with its row, and the durations with what sox wrote.
 */
import os from 'node:os'
import path from 'node:path'
import { execFile, execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../../bin/bulk-upload.js', import.meta.url))

function check(dir: string, extra: string[] = []): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'check', dir, ...extra], { env: { ...process.env, NO_COLOR: '' } }, (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }))
  })
}

/** sox -n: synthesise `seconds` of tone into `file`, with extra output options (encoding, rate). */
const sox = (file: string, seconds: number, opts: string[] = []): void => {
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', ...opts, file, 'synth', String(seconds), 'sine', '440'])
}

let dir: string
/** Per row (1-based): file name and what sox was asked for. */
const ROWS: Array<{ file: string; seconds: number }> = []

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bu-audio-'))
  const add = (file: string, seconds: number): void => void ROWS.push({ file, seconds })
  sox(path.join(dir, 'pcm.wav'), 5); add('pcm.wav', 5) // row 1
  sox(path.join(dir, 'ulaw.wav'), 3, ['-e', 'u-law']); add('ulaw.wav', 3) // row 2
  sox(path.join(dir, 'alaw.wav'), 2, ['-e', 'a-law']); add('alaw.wav', 2) // row 3
  sox(path.join(dir, 'gsm.wav'), 4, ['-e', 'gsm-full-rate']); add('gsm.wav', 4) // row 4
  sox(path.join(dir, 'call.flac'), 6); add('call.flac', 6) // row 5
  sox(path.join(dir, 'call.ogg'), 2); add('call.ogg', 2) // row 6
  sox(path.join(dir, 'call.mp3'), 7); add('call.mp3', 7) // row 7
  // Row 8: the file stops at 40% of its bytes, so its data at 39% of what the header declares.
  sox(path.join(dir, 'cut.wav'), 10)
  const whole = await readFile(path.join(dir, 'cut.wav'))
  await writeFile(path.join(dir, 'cut.wav'), whole.subarray(0, Math.floor(whole.length * 0.4)))
  add('cut.wav', 10)
  // Row 9: a header with no samples at all.
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', path.join(dir, 'nothing.wav'), 'trim', '0', '0'])
  add('nothing.wav', 0)
  // Row 10: a RIFF/WAVE header over random bytes.
  await writeFile(path.join(dir, 'noise.wav'), Buffer.concat([Buffer.from('RIFF\x00\x80\x00\x00WAVE', 'latin1'), randomBytes(20000)]))
  add('noise.wav', 0)
  // Row 11: a tenth of a second.
  sox(path.join(dir, 'blip.wav'), 0.1); add('blip.wav', 0.1)
  const lines = ROWS.map((r, i) => `CR${1000 + i},agent${i % 3}@example.com,2024-05-03T09:27:23+00:00,${r.file}`)
  await writeFile(path.join(dir, 'calls.csv'), ['Contact Reference,Agent ID,Contact Date,Audio filename', ...lines].join('\n') + '\n')
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('check reads each recording\'s container', () => {
  it('flags truncated, unreadable, empty and very short recordings on their rows and leaves the broken ones out', async () => {
    const r = await check(dir, ['--json'])
    expect(r.code).toBe(1)
    const json = JSON.parse(r.stdout)
    const byCode = (code: string): Array<{ row: number; file: string }> => json.issues.filter((i: { code: string }) => i.code === code).map((i: { row: number; file: string }) => ({ row: i.row, file: i.file }))
    expect(byCode('RECORDING_TRUNCATED')).toEqual([{ row: 8, file: 'cut.wav' }])
    expect(byCode('RECORDING_NO_AUDIO')).toEqual([{ row: 9, file: 'nothing.wav' }])
    expect(byCode('RECORDING_UNREADABLE')).toEqual([{ row: 10, file: 'noise.wav' }])
    expect(byCode('RECORDING_TOO_SHORT')).toEqual([{ row: 11, file: 'blip.wav' }])
    expect(json.issues.find((i: { code: string }) => i.code === 'RECORDING_TRUNCATED').message).toContain('about 39% of what its header declares (4.0 s of 10.0 s)')
    // The eight readable recordings go; the three broken ones are left out.
    expect(json.eligible).toBe(8)
    expect(json.excluded).toBe(3)
  })

  it('sums the durations of the recordings to send and gives min, median and max', async () => {
    const json = JSON.parse((await check(dir, ['--json'])).stdout)
    const good = ROWS.filter((r) => r.seconds > 0 && r.file !== 'cut.wav').map((r) => r.seconds)
    expect(json.audio.recordings).toBe(8)
    // MP3 frames round the duration up to a whole frame (sox pads the last one).
    expect(json.audio.totalSeconds).toBeCloseTo(good.reduce((a, b) => a + b, 0), 0)
    expect(json.audio.minSeconds).toBeCloseTo(0.1, 2)
    expect(json.audio.medianSeconds).toBeCloseTo(3.5, 1)
    expect(json.audio.maxSeconds).toBeCloseTo(7, 0)
  })

  it('prints the total audio time and the spread in the human summary', async () => {
    const r = await check(dir)
    expect(r.stdout).toMatch(/Audio\s+0:29 in 8 recordings \(min 0:00, median 0:04, max 0:07\)/)
    expect(r.stdout).toContain('Row 8 uses the recording "cut.wav": its data stops at about 39% of what its header declares (4.0 s of 10.0 s)')
  })
})
