/**
 * The MP3 truncation check from the bytes the sniffer reads (head and tail) must give what
 * reading the file gives (findTruncation), or step aside (undefined) so the file is read.
 */
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HEAD_BYTES, TAIL_BYTES } from '../../../src/batch/container-heads'
import { findTruncation, mp3TruncationFromEnds } from '../../../src/batch/container-truncation'
import { mp3Bytes } from '../../fixtures/audio-bytes'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mp3-ends-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** CBR frames of `kbps` at 44.1 kHz (MPEG-1 Layer III), after an empty ID3v2 tag. */
function cbr(kbps: 32 | 128 | 320, frames: number): Buffer {
  const index = { 32: 1, 128: 9, 320: 14 }[kbps]
  const length = Math.floor((144 * kbps * 1000) / 44100)
  const buf = Buffer.alloc(10 + frames * length)
  buf.write('ID3', 0, 'ascii')
  buf[3] = 4
  for (let f = 0; f < frames; f++) {
    const at = 10 + f * length
    buf[at] = 0xff
    buf[at + 1] = 0xfb
    buf[at + 2] = index << 4
    buf[at + 3] = 0xc4
  }
  return buf
}

async function judge(name: string, bytes: Buffer) {
  const file = path.join(dir, name)
  await writeFile(file, bytes)
  const fh = await open(file, 'r')
  try {
    const head = Buffer.alloc(HEAD_BYTES)
    const tail = Buffer.alloc(TAIL_BYTES)
    const h = (await fh.read(head, 0, HEAD_BYTES, 0)).bytesRead
    const t = (await fh.read(tail, 0, Math.min(TAIL_BYTES, bytes.length), Math.max(0, bytes.length - TAIL_BYTES))).bytesRead
    const quick = mp3TruncationFromEnds({ head: head.subarray(0, h), tail: tail.subarray(0, t), size: bytes.length })
    return { quick, read: await findTruncation(file, bytes.length, 'mp3') }
  } finally {
    await fh.close()
  }
}

const withXing = (b: Buffer, declared: number): Buffer => {
  const xing = 10 + 4 + 17 // after the first frame's header and mono side information
  b.write('Xing', xing, 'ascii')
  b.writeUInt32BE(2, xing + 4) // the byte count is present
  b.writeUInt32BE(declared, xing + 8)
  return b
}

describe('MP3 truncation from the sniffed ends', () => {
  it.each([
    ['the fixtures’ MP3, whole', mp3Bytes(16_384), null],
    ['a 1 MiB MP3 at 128 kbit/s, whole', cbr(128, 2500), null],
    ['a 1 MiB MP3 cut in its last frame', cbr(128, 2500).subarray(0, 2500 * 417 - 200), 'its last MP3 frame is cut off where the file ends'],
    ['a 32 kbit/s MP3 cut in its last frame', cbr(32, 600).subarray(0, 10 + 600 * 104 - 50), 'its last MP3 frame is cut off where the file ends'],
    ['an MP3 with an ID3v1 tag, whole', Buffer.concat([cbr(128, 100), Buffer.from('TAG'), Buffer.alloc(125)]), null],
    ['a Xing MP3 holding what it declares', withXing(cbr(128, 200), 200 * 417), null],
    ['a Xing MP3 cut to half', withXing(cbr(128, 200), 400 * 417), 'its data stops at about 50% of the MP3 stream its header declares'],
  ])('%s: settled from the ends, as reading the file says', async (_label, bytes, expected) => {
    const { quick, read } = await judge('a.mp3', bytes)
    expect(read).toBe(expected)
    expect(quick).toBe(expected)
  })

  it.each([
    ['320 kbit/s, cut (fewer than three frames in the tail)', cbr(320, 300).subarray(0, 10 + 300 * 1044 - 300)],
    ['320 kbit/s, whole', cbr(320, 300)],
    ['an ID3v2 tag longer than the head', Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0x40, 0]), Buffer.alloc(8192), cbr(128, 100).subarray(10)])],
    ['junk at the end after the frames', Buffer.concat([cbr(128, 100), Buffer.alloc(3000, 1)])],
  ])('%s: left to a read of the file', async (_label, bytes) => {
    const { quick } = await judge('b.mp3', bytes)
    expect(quick).toBeUndefined()
  })
})
