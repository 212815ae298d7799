/**
 * Is an MP3 cut short? With a Xing/Info or VBRI header (what LAME writes for VBR, and for CBR
 * when it can) the stream's byte count is declared: fewer bytes is truncation, and how much
 * is known. Without one nothing is declared, so only a last frame running past the end of
 * the file says the file was cut (a whole file ends on a frame boundary, or an ID3v1 tag).
 */

/** kbit/s per bitrate index: MPEG-1 Layer III, MPEG-1 Layer II, MPEG-2/2.5 Layers II and III. */
const V1_L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
const V1_L2 = [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384]
const V2_L23 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
const RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] }

interface FrameHeader {
  length: number
  /** Version, layer and sample rate bits: equal in every frame of one stream. */
  kind: number
  mpeg1: boolean
  mono: boolean
}

/** The Layer II/III frame header at `at`, or null when there is none. */
export function frameAt(b: Uint8Array, at: number): FrameHeader | null {
  if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1]! & 0xe0) !== 0xe0) return null
  const version = (b[at + 1]! >> 3) & 3
  const layer = (b[at + 1]! >> 1) & 3 // 1: III, 2: II
  const bitrateIndex = b[at + 2]! >> 4
  const rateIndex = (b[at + 2]! >> 2) & 3
  if (version === 1 || (layer !== 1 && layer !== 2) || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null
  const mpeg1 = version === 3
  const kbps = (mpeg1 ? (layer === 1 ? V1_L3 : V1_L2) : V2_L23)[bitrateIndex]!
  const rate = RATES[version]![rateIndex]!
  const padding = (b[at + 2]! >> 1) & 1
  const perFrame = !mpeg1 && layer === 1 ? 72 : 144
  return { length: Math.floor((perFrame * kbps * 1000) / rate) + padding, kind: (b[at + 1]! & 0x1e) | (rateIndex << 5), mpeg1, mono: b[at + 3]! >> 6 === 3 }
}

/** Where the audio starts: after an ID3v2 tag (and any padding), at the first frame. -1: none found. */
export function firstFrame(head: Uint8Array, id3Skip: number): number {
  for (let at = id3Skip; at + 4 <= head.length; at++) {
    const f = frameAt(head, at)
    if (f !== null && frameAt(head, at + f.length) !== null) return at
  }
  return -1
}

/** The size of a leading ID3v2 tag (0 when there is none). */
export function id3v2Size(head: Uint8Array): number {
  if (head.length < 10 || head[0] !== 0x49 || head[1] !== 0x44 || head[2] !== 0x33) return 0
  const size = ((head[6]! & 0x7f) << 21) | ((head[7]! & 0x7f) << 14) | ((head[8]! & 0x7f) << 7) | (head[9]! & 0x7f)
  return 10 + size + (head[5]! & 0x10 ? 10 : 0)
}

const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!
const tag = (b: Uint8Array, at: number): string => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!)

/** The stream bytes a Xing/Info or VBRI header in the frame at `at` declares; null when none does. */
export function declaredBytes(b: Uint8Array, at: number): number | null {
  const f = frameAt(b, at)
  if (f === null) return null
  const xing = at + 4 + (f.mpeg1 ? (f.mono ? 17 : 32) : f.mono ? 9 : 17)
  if (xing + 16 <= b.length && (tag(b, xing) === 'Xing' || tag(b, xing) === 'Info')) {
    const flags = u32(b, xing + 4)
    if ((flags & 2) === 0) return null
    return u32(b, xing + 8 + (flags & 1 ? 4 : 0))
  }
  const vbri = at + 36
  if (vbri + 14 <= b.length && tag(b, vbri) === 'VBRI') return u32(b, vbri + 10)
  return null
}

/**
 * Whether the frames at the end of `tail` (the file's last bytes) run past it: a chain of at
 * least three frames of one stream whose last ends beyond the file. Junk or tags the chain
 * cannot reach prove nothing, so they are never called truncation.
 */
export function lastFrameCut(tail: Uint8Array): boolean {
  return lastFramesVerdict(tail) === 'cut'
}

/**
 * lastFrameCut's reading, saying also when the bytes settle it the other way: 'whole' when a
 * chain of three frames or more ends exactly at the end (or at an ID3v1 tag), null when these
 * bytes do not tell (a longer tail might).
 */
export function lastFramesVerdict(tail: Uint8Array): 'cut' | 'whole' | null {
  const end = tail.length >= 128 && tail[tail.length - 128] === 0x54 && tail[tail.length - 127] === 0x41 && tail[tail.length - 126] === 0x47 ? tail.length - 128 : tail.length
  for (let start = 0; start + 4 <= end; start++) {
    const first = frameAt(tail, start)
    if (first === null) continue
    let at = start
    let frames = 0
    for (;;) {
      const f = frameAt(tail, at)
      if (f === null || f.kind !== first.kind) break
      frames++
      if (at + f.length > end) return frames >= 3 && at + 4 <= end ? 'cut' : null
      at += f.length
      if (at === end) return frames >= 3 ? 'whole' : null
    }
  }
  return null
}
