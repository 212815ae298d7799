/**
 * RECORDING_TRUNCATED beyond WAV/AIFF (whose header declares the data size, see
 * container-probe.ts): MP3 (Xing/Info/VBRI byte count, or a last frame running past the end),
 * FLAC (STREAMINFO's total samples against the last frame's), MP4/M4A (a top-level box, mdat
 * most often, declaring more bytes than the file holds). Reads the file's head and, for MP3
 * and FLAC, its tail: never the audio in between.
 */
import { open, type FileHandle } from 'node:fs/promises'
import { samplesReached, streamInfo } from './flac-truncation'
import type { RecordingEnds } from './container-heads'
import { declaredBytes, firstFrame, id3v2Size, lastFrameCut, lastFramesVerdict } from './mp3-truncation'

/** Bytes read at the head: an MP3's first frames after a small ID3v2 tag, or FLAC's STREAMINFO. */
const HEAD_BYTES = 16 << 10
/** Bytes read at the tail: several MP3 frames, or two FLAC frames of the usual sizes. */
const TAIL_BYTES = 64 << 10
/** Top-level MP4 boxes looked at (a real file has a handful). */
const MAX_BOXES = 64

async function readAt(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = Buffer.alloc(length)
  const { bytesRead } = await fh.read(buf, 0, length, position)
  return buf.subarray(0, bytesRead)
}

const pct = (part: number, whole: number): number => Math.floor((part / whole) * 100)

/** The containers judged here, by what the parser named them. */
export type TruncationKind = 'mp3' | 'flac' | 'mp4'

/** music-metadata's container name → the kind judged here (undefined: not one of them). */
export function truncationKind(container: string): TruncationKind | undefined {
  if (container === 'MPEG') return 'mp3'
  if (container === 'FLAC') return 'flac'
  return /^(M4A|M4B|mp4|mp42|isom|iso\d|3gp)/i.test(container) ? 'mp4' : undefined
}

/** True when the file starts as an MP4 does (an `ftyp` box), whatever the parser made of it. */
export async function looksLikeMp4(path: string): Promise<boolean> {
  const fh = await open(path, 'r')
  try {
    const h = await readAt(fh, 0, 8)
    return h.length === 8 && String.fromCharCode(h[4]!, h[5]!, h[6]!, h[7]!) === 'ftyp'
  } finally {
    await fh.close()
  }
}

/**
 * Why the `kind` file at `path` (of `size` bytes) is cut short, as a phrase for
 * RECORDING_TRUNCATED ("its data stops at about 40% of ..."), or null when nothing says it is.
 */
export async function findTruncation(path: string, size: number, kind: TruncationKind): Promise<string | null> {
  const fh = await open(path, 'r')
  try {
    let head = await readAt(fh, 0, Math.min(size, HEAD_BYTES))
    if (kind === 'mp4') return await mp4Truncation(fh, size)
    if (kind === 'flac') return streamInfo(head) === null ? null : await flacTruncation(fh, size, head)
    const id3 = id3v2Size(head)
    if (id3 > 0) head = await readAt(fh, id3, Math.min(Math.max(0, size - id3), HEAD_BYTES))
    const at = firstFrame(head, 0)
    if (at < 0) return null
    return await mp3Truncation(fh, size, id3 + at, declaredBytes(head, at))
  } finally {
    await fh.close()
  }
}

async function mp3Truncation(fh: FileHandle, size: number, start: number, declared: number | null): Promise<string | null> {
  const short = declared === null ? null : declaredShortfall(size - start, declared)
  if (short !== null) return short
  // Within the declared size's slack (or nothing declared): the last frame tells a cut near the end.
  const tail = await readAt(fh, Math.max(start, size - TAIL_BYTES), Math.min(size - start, TAIL_BYTES))
  return lastFrameCut(tail) ? LAST_FRAME_CUT : null
}

const LAST_FRAME_CUT = 'its last MP3 frame is cut off where the file ends'

function declaredShortfall(stream: number, declared: number): string | null {
  // One frame of slack: some encoders count the Xing frame, some do not.
  return stream + 2048 < declared ? `its data stops at about ${pct(stream, declared)}% of the MP3 stream its header declares` : null
}

/** The longest MP3 frame (Layer II, 384 kbit/s at 32 kHz, padded) and a little. */
const FRAME_REACH = 2048

/**
 * findTruncation's answer for an MP3 from the bytes the sniffer already read (its first and
 * last bytes), so most files are not opened again; undefined when those bytes do not settle
 * it (a tag longer than the head, no declared size and too few whole frames in the tail).
 */
export function mp3TruncationFromEnds({ head, tail, size }: RecordingEnds): string | null | undefined {
  const id3 = id3v2Size(head)
  const start = id3 < head.length ? firstFrame(head, id3) : -1
  // Any frame found sooner in a longer head must have fitted in this one.
  if (start < 0 || start + FRAME_REACH > head.length) return undefined
  const declared = declaredBytes(head, start)
  const short = declared === null ? null : declaredShortfall(size - start, declared)
  if (short !== null) return short
  const tailFrom = size - tail.length
  const verdict = lastFramesVerdict(tailFrom >= start ? tail : tail.subarray(start - tailFrom))
  if (verdict !== null) return verdict === 'cut' ? LAST_FRAME_CUT : null
  // The whole stream was in hand, as the full read would have it, and nothing in it was cut.
  return tailFrom <= start ? null : undefined
}

async function flacTruncation(fh: FileHandle, size: number, head: Uint8Array): Promise<string | null> {
  const info = streamInfo(head)!
  if (info.totalSamples === 0) return null // not declared (a stream written live): nothing to compare
  const tail = await readAt(fh, Math.max(0, size - TAIL_BYTES), Math.min(size, TAIL_BYTES))
  const reached = samplesReached(tail, info.block)
  if (reached === null || reached >= info.totalSamples) return null
  return `its audio stops at about ${pct(reached, info.totalSamples)}% of the samples its FLAC header declares`
}

/** Walks the top-level boxes: one that ends past the file's end is a cut file. */
async function mp4Truncation(fh: FileHandle, size: number): Promise<string | null> {
  let at = 0
  for (let n = 0; n < MAX_BOXES && at + 8 <= size; n++) {
    const h = await readAt(fh, at, 16)
    const view = new DataView(h.buffer, h.byteOffset, h.byteLength)
    let boxSize = view.getUint32(0)
    const type = String.fromCharCode(h[4]!, h[5]!, h[6]!, h[7]!)
    if (boxSize === 1 && h.length >= 16) boxSize = Number(view.getBigUint64(8))
    else if (boxSize === 0) return null // "to the end of the file": nothing declared
    if (boxSize < 8) return null // not a box structure we can judge; the parser says what is wrong
    if (at + boxSize > size) return `its ${type} box declares ${(at + boxSize).toLocaleString('en-US')} bytes in all but the file stops at about ${pct(size, at + boxSize)}% of that`
    at += boxSize
  }
  return null
}
