/**
 * Containers whose header declares the size of their audio data (WAV's `data` chunk, AIFF's
 * `SSND`): declared bytes beyond the file's end mean the file was cut, and how much of it is
 * left is known. music-metadata (like the quick reading in container-heads.ts used to) takes
 * min(declared, present) and reports a shorter but "good" recording, so an 8- or 16-bit PCM
 * WAV cut to 40% passed. The chunk walk here is bounded (MAX_CHUNKS headers, small reads), so
 * a file of two million empty chunks costs a millisecond, not a minute and 300 MB.
 */
import { open, type FileHandle } from 'node:fs/promises'

/** The audio data a sized container declares and holds. */
export interface DataExtent {
  /** Bytes the header says the data holds. */
  declared: number
  /** Bytes from the data's start to the end of the file. */
  present: number
  /** Bytes of one frame (a sample of every channel; WAV's block align): the slack allowed. */
  frameBytes: number
  /** Bytes per second of audio (0: unknown), to state the shortfall in seconds. */
  bytesPerSecond: number
}

/** Chunk headers read before a file is called unreadable (real recordings have a dozen). */
export const MAX_CHUNKS = 1000

const n = (x: number): string => x.toLocaleString('en-US')
const seconds = (bytes: number, perSecond: number): string => `${(bytes / perSecond).toFixed(1)} s`

/**
 * RECORDING_TRUNCATED's phrase when the data declared runs past the file's end by more than a
 * frame ("its data stops at about 40% of what its header declares (12.0 s of 30.0 s)"), or null.
 * The declared size is then never taken as the duration.
 */
export function dataShortfall(e: DataExtent): string | null {
  if (e.declared - e.present <= Math.max(1, e.frameBytes)) return null
  const present = Math.max(0, e.present)
  const p = Math.floor((present / e.declared) * 100)
  const share = p === 0 ? 'less than 1%' : `about ${p}%`
  const what = e.bytesPerSecond > 0 ? `${seconds(present, e.bytesPerSecond)} of ${seconds(e.declared, e.bytesPerSecond)}` : `${n(present)} of ${n(e.declared)} bytes`
  return `its data stops at ${share} of what its header declares (${what})`
}

/** What the walk found: nothing to say (null), or the problem with the file. */
export type SizedVerdict =
  | { code: 'RECORDING_TRUNCATED' | 'RECORDING_UNREADABLE'; detail: string }
  | null

/** Bytes read at a time; the first read usually holds every header chunk. */
const BLOCK = 64 << 10

/** Reads pieces of one file, keeping the last block read. */
class Reader {
  private buf = new Uint8Array(0)
  private at = 0
  constructor(private readonly fh: FileHandle, readonly size: number) {}

  /** `len` bytes at `pos` (fewer at the end of the file). */
  async bytes(pos: number, len: number): Promise<Uint8Array> {
    if (pos < this.at || pos + len > this.at + this.buf.length) {
      // Past the first block a chunk header is all that is needed: read little.
      const want = Math.min(this.at === 0 && this.buf.length === 0 ? BLOCK : Math.max(len, 256), Math.max(0, this.size - pos))
      const b = Buffer.alloc(want)
      const { bytesRead } = await this.fh.read(b, 0, want, pos)
      this.buf = b.subarray(0, bytesRead)
      this.at = pos
    }
    return this.buf.subarray(pos - this.at, pos - this.at + len)
  }
}

const fourCc = (b: Uint8Array, at: number): string => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!)
const le32 = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 2 ** 24
const le16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8)
const be32 = (b: Uint8Array, at: number): number => b[at]! * 2 ** 24 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!)
const be16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!

/** An 80-bit IEEE extended number (AIFF's sample rate). */
function extended(b: Uint8Array, at: number): number {
  const exp = ((b[at]! & 0x7f) << 8) | b[at + 1]!
  const hi = be32(b, at + 2)
  const lo = be32(b, at + 6)
  if (exp === 0 && hi === 0 && lo === 0) return 0
  return (hi * 2 ** 32 + lo) * 2 ** (exp - 16383 - 63) * (b[at]! & 0x80 ? -1 : 1)
}

// A function, not a constant: the first toLocaleString loads ICU's number data (17 ms of every
// command's start-up when this ran on import).
const tooMany = (): string => `it is made of more than ${n(MAX_CHUNKS)} chunks before its audio data, which no recorder writes`

/** Walks a RIFF/WAVE file's chunks up to `data`. */
async function wave(r: Reader): Promise<SizedVerdict> {
  let pos = 12
  let frameBytes = 0
  let bytesPerSecond = 0
  for (let chunks = 0; pos + 8 <= r.size; chunks++) {
    if (chunks >= MAX_CHUNKS) return { code: 'RECORDING_UNREADABLE', detail: tooMany() }
    const h = await r.bytes(pos, 24)
    if (h.length < 8) return null
    const id = fourCc(h, 0)
    const size = le32(h, 4)
    if (id === 'fmt ' && h.length >= 24) {
      bytesPerSecond = le32(h, 16)
      frameBytes = le16(h, 20)
    } else if (id === 'data') {
      if (frameBytes === 0) return null // no format before the data: music-metadata says what is wrong
      const cut = dataShortfall({ declared: size, present: r.size - (pos + 8), frameBytes, bytesPerSecond })
      return cut === null ? null : { code: 'RECORDING_TRUNCATED', detail: cut }
    }
    pos += 8 + size + (size % 2)
  }
  return null
}

/** Walks an AIFF/AIFC file's chunks up to `SSND`. */
async function aiff(r: Reader): Promise<SizedVerdict> {
  let pos = 12
  let frameBytes = 0
  let bytesPerSecond = 0
  for (let chunks = 0; pos + 8 <= r.size; chunks++) {
    if (chunks >= MAX_CHUNKS) return { code: 'RECORDING_UNREADABLE', detail: tooMany() }
    const h = await r.bytes(pos, 26)
    if (h.length < 8) return null
    const id = fourCc(h, 0)
    const size = be32(h, 4)
    if (id === 'COMM' && h.length >= 26) {
      frameBytes = be16(h, 8) * Math.ceil(be16(h, 14) / 8)
      bytesPerSecond = frameBytes * extended(h, 16)
    } else if (id === 'SSND') {
      // The chunk's own offset and block size fields (8 bytes) count in its size.
      const cut = dataShortfall({ declared: size, present: r.size - (pos + 8), frameBytes, bytesPerSecond: Number.isFinite(bytesPerSecond) ? bytesPerSecond : 0 })
      return cut === null ? null : { code: 'RECORDING_TRUNCATED', detail: cut }
    }
    pos += 8 + size + (size % 2)
  }
  return null
}

/**
 * Whether the WAV or AIFF at `path` (of `size` bytes) is cut short or unreadably built, from
 * its chunk headers; null for any other file, and for one with nothing wrong in its sizes.
 */
export async function checkSizedContainer(path: string, size: number): Promise<SizedVerdict> {
  const fh = await open(path, 'r')
  try {
    const r = new Reader(fh, size)
    const head = await r.bytes(0, 12)
    if (head.length < 12) return null
    const outer = fourCc(head, 0)
    const kind = fourCc(head, 8)
    if (outer === 'RIFF' && kind === 'WAVE') return await wave(r)
    if (outer === 'FORM' && (kind === 'AIFF' || kind === 'AIFC')) return await aiff(r)
    return null
  } finally {
    await fh.close()
  }
}
