/**
 * Sized containers (WAV, AIFF) cut short, and the bounds on every probe (issue 22, item 1):
 * a declared data size beyond the file by more than a frame is a cut file, never a duration;
 * a file built of endless parts ends as unreadable instead of stalling the check.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { probeContainer } from '../../../src/batch/container-probe'
import { checkSizedContainer, dataShortfall, MAX_CHUNKS } from '../../../src/batch/sized-containers'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sized-containers-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function write(name: string, bytes: Uint8Array): Promise<string> {
  const file = path.join(dir, name)
  await writeFile(file, bytes)
  return file
}

/** sox's output for `name` (its extension picks the container), `seconds` of tone at 8 kHz. */
async function sox(name: string, seconds: number, opts: string[] = []): Promise<Buffer> {
  const file = path.join(dir, name)
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', ...opts, file, 'synth', String(seconds), 'sine', '440'])
  return readFile(file)
}

describe('dataShortfall', () => {
  const e = { declared: 32_000, frameBytes: 2, bytesPerSecond: 16_000 }
  it('allows one frame of slack, and no more', () => {
    expect(dataShortfall({ ...e, present: 32_000 })).toBeNull()
    expect(dataShortfall({ ...e, present: 40_000 })).toBeNull() // chunks after the data
    expect(dataShortfall({ ...e, present: 31_998 })).toBeNull()
    expect(dataShortfall({ ...e, present: 31_997 })).toBe('its data stops at about 99% of what its header declares (2.0 s of 2.0 s)')
  })
  it('says how much is there, in seconds when the byte rate is known, and "less than 1%" for a huge claim', () => {
    expect(dataShortfall({ ...e, present: 12_800 })).toBe('its data stops at about 40% of what its header declares (0.8 s of 2.0 s)')
    expect(dataShortfall({ declared: 0xffffff00, present: 16_340, frameBytes: 2, bytesPerSecond: 0 })).toBe('its data stops at less than 1% of what its header declares (16,340 of 4,294,967,040 bytes)')
  })
})

describe('AIFF (the other container whose header sizes its data)', () => {
  it('a whole AIFF is read for its duration; one cut at 10%, 45% or 99% is RECORDING_TRUNCATED with its share', async () => {
    for (const bits of ['8', '16', '24', '32']) {
      const whole = await sox(`t${bits}.aiff`, 4, ['-b', bits])
      expect(await checkSizedContainer(path.join(dir, `t${bits}.aiff`), whole.length)).toBeNull()
      expect(await probeContainer(path.join(dir, `t${bits}.aiff`), whole.length)).toMatchObject({ ok: true, seconds: 4 })
      for (const keep of [0.1, 0.45, 0.99]) {
        const cut = whole.subarray(0, Math.floor(whole.length * keep) - 3)
        const file = await write(`t${bits}-cut${keep}.aiff`, cut)
        const r = await probeContainer(file, cut.length)
        expect(r, `${bits} bits, ${keep}`).toMatchObject({ ok: false, code: 'RECORDING_TRUNCATED' })
        const share = Number(/about (\d+)%/.exec((r as { detail: string }).detail)?.[1])
        expect(share).toBeLessThanOrEqual(Math.round(keep * 100))
        expect(share).toBeGreaterThanOrEqual(Math.round(keep * 100) - 2)
      }
    }
  })
})

describe('bounds on reading one recording', () => {
  it(`calls a WAV of more than ${MAX_CHUNKS} chunks before its data unreadable, without walking them all`, async () => {
    const pcm = (await sox('pcm.wav', 1)).subarray(12)
    const junk = Buffer.alloc(8 * 2_000_000)
    for (let at = 0; at < junk.length; at += 8) junk.write('junk', at, 'latin1')
    const riff = Buffer.from('RIFF\0\0\0\0WAVE', 'latin1')
    riff.writeUInt32LE(4 + junk.length + pcm.length, 4)
    const bytes = Buffer.concat([riff, junk, pcm])
    const file = await write('junk.wav', bytes)
    const r = await probeContainer(file, bytes.length)
    expect(r).toEqual({ ok: false, code: 'RECORDING_UNREADABLE', detail: `it is made of more than 1,000 chunks before its audio data, which no recorder writes` })
    // A few hundred chunks of metadata is still a recording.
    const some = Buffer.concat([riff, junk.subarray(0, 8 * 500), pcm])
    some.writeUInt32LE(some.length - 8, 4)
    expect(await probeContainer(await write('some-junk.wav', some), some.length)).toMatchObject({ ok: true, seconds: 1 })
  })

  it('ends a music-metadata probe that needs more reads than allowed, or more time, as RECORDING_UNREADABLE', async () => {
    // An MP4 of an ftyp and 5,000 empty `free` boxes: each is one read for the parser.
    const ftyp = Buffer.alloc(24)
    ftyp.writeUInt32BE(24, 0)
    ftyp.write('ftypM4A M4A isom', 4, 'latin1')
    const free = Buffer.alloc(8 * 5000)
    for (let at = 0; at < free.length; at += 8) {
      free.writeUInt32BE(8, at)
      free.write('free', at + 4, 'latin1')
    }
    const bytes = Buffer.concat([ftyp, free])
    const file = await write('boxes.m4a', bytes)
    expect(await probeContainer(file, bytes.length, { seconds: 600, reads: 1000 })).toEqual({ ok: false, code: 'RECORDING_UNREADABLE', detail: 'it is made of too many parts to read (more than 1,000)' })
    // No time at all: the first read is already too late.
    const ogg = await sox('call.ogg', 2)
    expect(await probeContainer(path.join(dir, 'call.ogg'), ogg.length, { seconds: 0, reads: 1000 })).toEqual({ ok: false, code: 'RECORDING_UNREADABLE', detail: 'it took too long to read (more than 0 s)' })
    // The same files within the default bounds: the parser's own verdict.
    expect(await probeContainer(path.join(dir, 'call.ogg'), ogg.length)).toMatchObject({ ok: true, seconds: 2 })
  })
})
