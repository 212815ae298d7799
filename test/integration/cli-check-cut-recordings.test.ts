/**
 * Cut recordings of every kind a phone system writes (issue 22, item 1): sox writes each WAV
 * sample width and telephony codec, and MP3; each is checked whole and cut at 10%, 45% and 99%
 * of its bytes less a few. `check --json` must flag every cut file on its row, with how much is
 * there, and let every whole one through with its duration. Two built files as well: a `data`
 * chunk declaring about 4 GB in 16 KB, and 2 million empty chunks (16 MB) before the audio.
 */
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './upload/cli'

/** sox options per kind (8 kHz mono, as calls are). */
const KINDS: Array<[string, string, string[]]> = [
  ['pcm8', 'wav', ['-b', '8', '-e', 'unsigned-integer']],
  ['pcm16', 'wav', ['-b', '16', '-e', 'signed-integer']],
  ['pcm24', 'wav', ['-b', '24', '-e', 'signed-integer']],
  ['pcm32', 'wav', ['-b', '32', '-e', 'signed-integer']],
  ['float32', 'wav', ['-b', '32', '-e', 'floating-point']],
  ['alaw', 'wav', ['-e', 'a-law']],
  ['ulaw', 'wav', ['-e', 'u-law']],
  ['gsm', 'wav', ['-e', 'gsm-full-rate']],
  ['cbr', 'mp3', []],
  ['vbr', 'mp3', ['-C', '-4.2']],
]
/** Fractions of the file's bytes kept (then less `LESS` bytes): a cut early, mid-way, and near the end. */
const CUTS = [0.1, 0.45, 0.99]
const LESS = 3
const SECONDS = 10

let dir: string
const rows: Array<{ file: string; cut: boolean }> = []

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bu-cut-recordings-'))
  for (const [kind, ext, opts] of KINDS) {
    const whole = path.join(dir, `${kind}.${ext}`)
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', ...opts, whole, 'synth', String(SECONDS), 'sine', '440'])
    rows.push({ file: `${kind}.${ext}`, cut: false })
    const bytes = await readFile(whole)
    for (const keep of CUTS) {
      const name = `${kind}-cut${Math.round(keep * 100)}.${ext}`
      await writeFile(path.join(dir, name), bytes.subarray(0, Math.floor(bytes.length * keep) - LESS))
      rows.push({ file: name, cut: true })
    }
  }
  // A 16-bit PCM WAV whose data chunk says 0xFFFFFF00 bytes, with 16 KB present.
  const huge = Buffer.from(execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', '-t', 'wav', '-', 'synth', '1', 'sine', '440'])).subarray(0, 16_384)
  huge.writeUInt32LE(0xffffff00, 40)
  await writeFile(path.join(dir, 'huge-claim.wav'), huge)
  rows.push({ file: 'huge-claim.wav', cut: true })
  // 2,000,000 empty `junk` chunks between the header and a real fmt/data.
  const fmtData = Buffer.from(execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', '-t', 'wav', '-', 'synth', '1', 'sine', '440'])).subarray(12)
  const junk = Buffer.alloc(8 * 2_000_000)
  for (let at = 0; at < junk.length; at += 8) junk.write('junk', at, 'latin1')
  const riff = Buffer.alloc(12)
  riff.write('RIFF', 0, 'latin1')
  riff.writeUInt32LE(4 + junk.length + fmtData.length, 4)
  riff.write('WAVE', 8, 'latin1')
  await writeFile(path.join(dir, 'junk-chunks.wav'), Buffer.concat([riff, junk, fmtData]))
  rows.push({ file: 'junk-chunks.wav', cut: true })
  const lines = rows.map((r, i) => `CR${i + 1},agent@example.com,2024-05-03T09:27:23+00:00,${r.file}`)
  await writeFile(path.join(dir, 'calls.csv'), ['Contact Reference,Agent ID,Contact Date,Audio filename', ...lines].join('\n') + '\n')
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

interface Issue { code: string; row: number; file: string; message: string }

describe('check finds cut recordings of every common kind', () => {
  it('flags each cut file on its row, lets each whole one through, and ends on the pathological ones', async () => {
    const r = await runCli(['check', dir, '--json'], {})
    expect(r.code, r.stderr).toBe(1)
    const json = JSON.parse(r.stdout)
    const issues = json.issues as Issue[]
    const flagged = (file: string): Issue[] => issues.filter((i) => i.file === file && i.code !== 'RECORDING_TOO_SHORT')
    for (const row of rows.filter((x) => !x.cut)) expect(flagged(row.file), row.file).toEqual([])
    for (const row of rows.filter((x) => x.cut && !['huge-claim.wav', 'junk-chunks.wav'].includes(x.file))) {
      const found = flagged(row.file)
      expect(found.map((i) => i.code), row.file).toEqual(['RECORDING_TRUNCATED'])
      expect(found[0]!.row).toBe(rows.findIndex((x) => x.file === row.file) + 1)
    }
    // WAVs say how much of the data declared is there.
    const share = (file: string): number => Number(/stops at about (\d+)% of what its header declares/.exec(flagged(file)[0]!.message)?.[1])
    for (const [kind, ext] of KINDS.filter(([, e]) => e === 'wav')) {
      expect(share(`${kind}-cut10.${ext}`), kind).toBeLessThanOrEqual(10)
      expect(share(`${kind}-cut45.${ext}`), kind).toBeGreaterThanOrEqual(43)
      expect(share(`${kind}-cut45.${ext}`), kind).toBeLessThanOrEqual(45)
      expect(share(`${kind}-cut99.${ext}`), kind).toBeGreaterThanOrEqual(97)
    }
    expect(flagged('huge-claim.wav')).toMatchObject([{ code: 'RECORDING_TRUNCATED', message: expect.stringContaining('stops at less than 1% of what its header declares') }])
    expect(flagged('junk-chunks.wav')).toMatchObject([{ code: 'RECORDING_UNREADABLE', message: expect.stringContaining('more than 1,000 chunks') }])
    const whole = rows.filter((x) => !x.cut).length
    expect(json.eligible).toBe(whole)
    expect(json.audio.recordings).toBe(whole)
    // Each whole file's own length: nothing declared beyond a file was read as a duration.
    expect(json.audio.minSeconds).toBeGreaterThan(SECONDS - 0.5)
    expect(json.audio.maxSeconds).toBeLessThan(SECONDS + 0.5)
  })
})
