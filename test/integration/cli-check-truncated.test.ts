/**
 * RECORDING_TRUNCATED beyond WAV (issue 12): MP3 with a Xing header (sox's VBR), MP3 without
 * one (sox's CBR: its last frame is cut), FLAC (STREAMINFO's samples) and MP4 (an mdat box
 * longer than the file), each made whole in the test and then cut; `check --json` must flag
 * the cut ones on their rows and let the whole ones through.
 */
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './upload/cli'

let dir: string
const files: string[] = []

/** Writes `seconds` of tone with sox, then (when `keep` is given) keeps only that fraction of the bytes, plus `plus`. */
async function make(name: string, seconds: number, opts: string[], keep?: number, plus = 0): Promise<void> {
  const file = path.join(dir, name)
  execFileSync('sox', ['-n', ...opts, file, 'synth', String(seconds), 'sine', '440'])
  if (keep !== undefined) {
    const whole = await readFile(file)
    await writeFile(file, whole.subarray(0, Math.floor(whole.length * keep) + plus))
  }
  files.push(name)
}

/** An MP4 (M4A) box structure: ftyp, then an mdat declaring `declared` bytes of which `present` are there. */
function mp4(declared: number, present: number): Buffer {
  const ftyp = Buffer.alloc(24)
  ftyp.writeUInt32BE(24, 0)
  ftyp.write('ftypM4A ', 4, 'latin1')
  ftyp.write('M4A isom', 16, 'latin1')
  const mdat = Buffer.alloc(8 + present, 0x55)
  mdat.writeUInt32BE(8 + declared, 0)
  mdat.write('mdat', 4, 'latin1')
  return Buffer.concat([ftyp, mdat])
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bu-truncated-'))
  const vbr = ['-r', '44100', '-c', '1', '-C', '-4.2']
  const cbr = ['-r', '8000', '-c', '1']
  await make('vbr.mp3', 20, vbr) // row 1: whole
  await make('vbr-cut.mp3', 20, vbr, 0.4) // row 2
  await make('cbr.mp3', 20, cbr) // row 3: whole
  await make('cbr-cut.mp3', 20, cbr, 0.4, 7) // row 4: cut inside a frame
  await make('call.flac', 20, cbr) // row 5: whole
  await make('call-cut.flac', 20, cbr, 0.4) // row 6
  await writeFile(path.join(dir, 'call-cut.m4a'), mp4(100_000, 40_000)) // row 7
  files.push('call-cut.m4a')
  const lines = files.map((f, i) => `CR${i + 1},agent@example.com,2024-05-03T09:27:23+00:00,${f}`)
  await writeFile(path.join(dir, 'calls.csv'), ['Contact Reference,Agent ID,Contact Date,Audio filename', ...lines].join('\n') + '\n')
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('check finds MP3, FLAC and MP4 recordings cut short', () => {
  it('flags each cut file on its row with how much is there, and lets the whole ones through', async () => {
    const r = await runCli(['check', dir, '--json'], {})
    expect(r.code, r.stderr).toBe(1)
    const json = JSON.parse(r.stdout)
    const cut = json.issues.filter((i: { code: string }) => i.code === 'RECORDING_TRUNCATED')
    expect(cut.map((i: { row: number; file: string }) => [i.row, i.file])).toEqual([[2, 'vbr-cut.mp3'], [4, 'cbr-cut.mp3'], [6, 'call-cut.flac'], [7, 'call-cut.m4a']])
    expect(cut[0].message).toMatch(/stops at about (39|40)% of the MP3 stream/)
    expect(cut[1].message).toContain('last MP3 frame is cut off')
    expect(cut[2].message).toMatch(/stops at about 4\d% of the samples its FLAC header declares/)
    expect(cut[3].message).toContain('its mdat box declares')
    expect(cut[3].message).toContain('about 40%')
    expect(json.eligible).toBe(3)
    expect(json.counts.RECORDING_UNREADABLE).toBeUndefined()
    expect(json.audio.recordings).toBe(3)
  })
})
