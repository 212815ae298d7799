/**
 * The quick container reading (from the bytes the sniffer reads) must say exactly what
 * music-metadata says, or step aside (null). Each file is judged both ways; the common
 * layouts must take the quick path, the others must not.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HEAD_BYTES, TAIL_BYTES } from '../../../src/batch/container-heads'
import { checkTruncation, probeContainer, probeFromEnds } from '../../../src/batch/container-probe'
import { mp3Bytes, wavBytes } from '../../fixtures/audio-bytes'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'container-heads-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Reads the ends of a file as the sniffing worker does. */
async function ends(file: string): Promise<{ head: Uint8Array; tail: Uint8Array; size: number }> {
  const fh = await open(file, 'r')
  try {
    const size = (await fh.stat()).size
    const head = Buffer.alloc(HEAD_BYTES)
    const tail = Buffer.alloc(TAIL_BYTES)
    const h = (await fh.read(head, 0, HEAD_BYTES, 0)).bytesRead
    const t = (await fh.read(tail, 0, Math.min(TAIL_BYTES, size), Math.max(0, size - TAIL_BYTES))).bytesRead
    return { head: head.subarray(0, h), tail: tail.subarray(0, t), size }
  } finally {
    await fh.close()
  }
}

async function both(name: string, bytes: Buffer) {
  const file = path.join(dir, name)
  await writeFile(file, bytes)
  const quick = probeFromEnds(path.extname(name).slice(1), await ends(file))
  // As container-checks.ts does: a quick MP3 verdict still gets the read of its end that tells a cut file.
  const checked = quick?.ok && quick.truncation ? await checkTruncation(file, bytes.length, quick) : quick
  return { quick: checked, full: await probeContainer(file, bytes.length) }
}

/** A WAV whose header declares `declared` data bytes, followed by `extra` chunks. */
function wavWith(opts: { dataBytes: number; declared?: number; chunksBefore?: Buffer; chunksAfter?: Buffer; formatTag?: number; fact?: number }): Buffer {
  const fmt = Buffer.alloc(24)
  fmt.write('fmt ', 0, 'ascii')
  fmt.writeUInt32LE(16, 4)
  fmt.writeUInt16LE(opts.formatTag ?? 1, 8)
  fmt.writeUInt16LE(1, 10)
  fmt.writeUInt32LE(8000, 12)
  fmt.writeUInt32LE(16000, 16)
  fmt.writeUInt16LE(2, 20)
  fmt.writeUInt16LE(16, 22)
  const fact = opts.fact === undefined ? Buffer.alloc(0) : Buffer.concat([Buffer.from('fact'), Buffer.from([4, 0, 0, 0]), Buffer.from(new Uint32Array([opts.fact]).buffer)])
  const dataHead = Buffer.alloc(8)
  dataHead.write('data', 0, 'ascii')
  dataHead.writeUInt32LE(opts.declared ?? opts.dataBytes, 4)
  const body = Buffer.concat([Buffer.from('WAVE'), fmt, opts.chunksBefore ?? Buffer.alloc(0), fact, dataHead, Buffer.alloc(opts.dataBytes, 7), opts.chunksAfter ?? Buffer.alloc(0)])
  const riff = Buffer.alloc(8)
  riff.write('RIFF', 0, 'ascii')
  riff.writeUInt32LE(body.length, 4)
  return Buffer.concat([riff, body])
}

const chunk = (id: string, size: number): Buffer => Buffer.concat([Buffer.from(id, 'ascii'), Buffer.from(new Uint32Array([size]).buffer), Buffer.alloc(size + (size % 2))])

describe('quick container reading', () => {
  it.each([
    ['the fixtures’ PCM WAV, 16 KiB', 'a.wav', wavBytes(16_384)],
    ['a PCM WAV of 1 MiB', 'b.wav', wavBytes(1 << 20)],
    ['a half-second PCM WAV (too short)', 'c.wav', wavBytes(8044)],
    ['a WAV cut short (data declared larger than the file)', 'd.wav', wavWith({ dataBytes: 32_000, declared: 64_000 })],
    ['an A-law WAV with a fact chunk', 'e.wav', wavWith({ dataBytes: 24_000, formatTag: 6, fact: 24_000 })],
    ['a WAV with an unknown chunk before the data', 'f.wav', wavWith({ dataBytes: 20_000, chunksBefore: chunk('junk', 27) })],
    ['a WAV of a format music-metadata does not name', 'g.wav', wavWith({ dataBytes: 20_000, formatTag: 0x1234 })],
    ['a WAV whose data chunk is empty', 'h.wav', wavWith({ dataBytes: 0 })],
    ['the fixtures’ MP3 (empty ID3v2 tag, CBR frames), 16 KiB', 'a.mp3', mp3Bytes(16_384)],
    ['an MP3 of 1 MiB', 'b.mp3', mp3Bytes(1 << 20)],
    ['an MP3 without any tag', 'c.mp3', mp3Bytes(40_000).subarray(10)],
    ['an MP3 of five frames', 'd.mp3', mp3Bytes(2_000)],
    ['an MP3 of three frames (ends before CBR is decided: no duration)', 'e.mp3', mp3Bytes(1_024)],
    ['an MP3 of one frame', 'f.mp3', mp3Bytes(300)],
  ])('%s: the same as music-metadata, without it', async (_label, name, bytes) => {
    const { quick, full } = await both(name, bytes)
    expect(quick).not.toBeNull()
    expect(quick).toEqual(full)
  })

  it.each([
    ['a WAV with a LIST chunk after the data', 'x.wav', wavWith({ dataBytes: 20_000, chunksAfter: chunk('LIST', 40) })],
    ['a WAV with a LIST chunk before the data', 'y.wav', wavWith({ dataBytes: 20_000, chunksBefore: chunk('LIST', 40) })],
    ['an MP3 with an ID3v1 tag at the end', 'x.mp3', Buffer.concat([mp3Bytes(20_000), Buffer.from('TAG'), Buffer.alloc(125)])],
    ['an MP3 with a Xing frame', 'y.mp3', (() => {
      const b = mp3Bytes(20_000)
      b.write('Xing', 10 + 4 + 17, 'ascii') // after the first frame's header and mono side information
      return b
    })()],
    ['a .wav holding MP3 frames', 'z.wav', mp3Bytes(20_000)],
  ])('%s: left to music-metadata', async (_label, name, bytes) => {
    const { quick } = await both(name, bytes)
    expect(quick).toBeNull()
  })

  it('reads what sox writes the same way (PCM, u-law, MP3 when sox can)', async () => {
    const files: Array<[string, string[]]> = [['s1.wav', []], ['s2.wav', ['-e', 'u-law']], ['s3.wav', ['-e', 'a-law']]]
    for (const [name, opts] of files) {
      const file = path.join(dir, name)
      execFileSync('sox', ['-n', '-r', '8000', '-c', '1', ...opts, file, 'synth', '3', 'sine', '440'])
      const quick = probeFromEnds('wav', await ends(file))
      const full = await probeContainer(file, (await ends(file)).size)
      // sox adds no LIST to these: the quick path applies and agrees.
      expect(quick).toEqual(full)
      expect(quick).toMatchObject({ ok: true, seconds: 3 })
    }
  })
})
