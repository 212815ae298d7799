/**
 * The container facts music-metadata would find, read from a recording's first and last bytes
 * (which the sniffing worker has already read) for the two layouts nearly every call
 * recording has: a WAV whose `fmt `/`fact` chunks precede a `data` chunk running to the end,
 * and a CBR MP3 without tags or a Xing/Info frame. Probing 100,000 files with music-metadata
 * costs 1-2 ms of main-thread time each (a dozen small reads and its tag mappers); this is a
 * few microseconds. It follows music-metadata 11's WaveParser and MpegParser step by step and
 * answers null (probe with music-metadata) for anything else: other chunks or tags, CRC,
 * VBR, free bitrates, bytes beyond the head, or trailing APE/ID3v1 tags. One departure: a WAV
 * `data` chunk declared beyond the file's end is reported as such (`data`), where WaveParser
 * quietly reads the shorter data that is there.
 */

import type { DataExtent } from './sized-containers'

/** The bytes read of one recording: up to HEAD_BYTES from 0, the last TAIL_BYTES, its size. */
export interface RecordingEnds {
  head: Uint8Array
  /** The last TAIL_BYTES of the file (the whole file when smaller). */
  tail: Uint8Array
  size: number
}

/** The format fields container-probe.ts judges (named as music-metadata names them). */
export interface ContainerFormat {
  container?: string
  codec?: string
  sampleRate?: number
  numberOfSamples?: number
  duration?: number
  bitrate?: number
  /** WAV: the data its header declares and the bytes the file holds of it (sized-containers.ts). */
  data?: DataExtent
}

/**
 * Enough for a WAV's header chunks and an MP3's first four frame headers at any bitrate but
 * 320 kbit/s at 32 kHz (calls are far below). 8 KiB measured slower on the worker (more to
 * copy and collect for 100,000 files) for nothing recordings use.
 */
export const HEAD_BYTES = 4096
/**
 * ID3v1 (128 bytes) or an APE footer (32) start within these, and an MP3's last three frames
 * at the bit rates calls use (128 kbit/s and below), so its truncation check needs no second
 * read (container-truncation.ts). With 128 bytes the check reopened every MP3 on the main
 * thread: 1,000,000 rows and 50,000 MP3s took 13.1 s; 6.6-7.5 s since, the same report.
 */
export const TAIL_BYTES = 2048

const u32 = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 2 ** 24
const u16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8)
const fourCc = (b: Uint8Array, at: number): string => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!)
function has(b: Uint8Array, at: number, s: string): boolean {
  if (at < 0 || at + s.length > b.length) return false
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false
  return true
}

/** Trailing tags music-metadata would go and parse (and could fail on): leave those to it. */
function trailingTags(f: RecordingEnds): boolean {
  return has(f.tail, f.tail.length - 32, 'APETAGEX') || (f.size >= 128 && has(f.tail, f.tail.length - 128, 'TAG'))
}

/** WaveParser's reading, for files whose `data` chunk is the last. */
function wave(f: RecordingEnds): ContainerFormat | null {
  const b = f.head
  if (b.length < 12 || fourCc(b, 0) !== 'RIFF' || fourCc(b, 8) !== 'WAVE') return null
  const format: ContainerFormat = { container: 'WAVE' }
  let remaining = u32(b, 4) - 4
  let pos = 12
  let blockAlign = 0
  let avgBytesPerSec = 0
  let factSamples: number | null = null
  while (remaining >= 8) {
    if (pos + 8 > b.length) return null
    const id = fourCc(b, pos)
    const chunkSize = u32(b, pos + 4)
    remaining -= 8 + chunkSize
    const body = pos + 8
    if (id === 'fmt ') {
      if (chunkSize < 16 || body + 16 > b.length) return null
      const tag = u16(b, body)
      format.codec = WAVE_FORMATS[tag] ?? `non-PCM (${tag})`
      format.sampleRate = u32(b, body + 4)
      avgBytesPerSec = u32(b, body + 8)
      blockAlign = u16(b, body + 12)
    } else if (id === 'fact') {
      if (chunkSize < 4 || body + 4 > b.length) return null
      factSamples = u32(b, body)
    } else if (id === 'data') {
      // Anything after the samples (a LIST, an id3 chunk) is music-metadata's to read.
      if (body + chunkSize + (chunkSize % 2) < f.size || format.sampleRate === undefined || blockAlign === 0) return null
      // A size beyond the file's end is a cut file (judged from `data`), never a duration.
      format.data = { declared: chunkSize, present: f.size - body, frameBytes: blockAlign, bytesPerSecond: avgBytesPerSec }
      const size = Math.min(chunkSize, f.size - body)
      const samples = factSamples ?? size / blockAlign
      if (samples) {
        format.numberOfSamples = samples
        if (format.sampleRate) format.duration = samples / format.sampleRate
      }
      if (avgBytesPerSec > 0) format.bitrate = avgBytesPerSec * 8
      else if (format.duration) format.bitrate = (size * 8) / format.duration
      return format
    } else if (id === 'LIST' || id === 'CSET' || id === 'bext' || id === 'id3 ' || id === 'ID3 ') {
      return null // tags: parsed (and possibly refused) by music-metadata
    }
    pos = body + chunkSize + (chunkSize % 2)
  }
  return null
}

/** music-metadata's WaveFormatNameMap. */
const WAVE_FORMATS: Record<number, string> = {
  0x0001: 'PCM', 0x0002: 'ADPCM', 0x0003: 'IEEE_FLOAT', 0x0006: 'ALAW', 0x0007: 'MULAW', 0x0011: 'DVI_ADPCM', 0x0031: 'GSM610',
  0x1600: 'MPEG_ADTS_AAC', 0x1602: 'MPEG_LOAS', 0x00ff: 'RAW_AAC1', 0x0092: 'DOLBY_AC3_SPDIF', 0x2000: 'DVM', 0x0240: 'RAW_SPORT',
  0x0241: 'ESST_AC3', 0x0009: 'DRM', 0x2001: 'DTS2', 0x0050: 'MPEG', 0x0055: 'MPEGLAYER3',
}

/** MPEG Layer III bitrates in kbit/s by index, for MPEG-1 and MPEG-2/2.5. */
const L3_KBPS = { 1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320], 2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160] }
const SAMPLE_RATES: Record<number, number[]> = { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 2.5: [11025, 12000, 8000] }
const VERSIONS = [2.5, null, 2, 1] as const

interface Frame {
  version: 1 | 2 | 2.5
  bitrate: number
  sampleRate: number
  samplesPerFrame: number
  sideInfo: number
  /** music-metadata's frame_size: floor(bytes per frame), padding included. */
  frameSize: number
}

/** An unprotected Layer III frame header at `at`, or null. */
function frame(b: Uint8Array, at: number): Frame | null {
  if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1]! & 0xe0) !== 0xe0) return null
  const version = VERSIONS[(b[at + 1]! >> 3) & 3]
  if (version === null || version === undefined || ((b[at + 1]! >> 1) & 3) !== 1 || (b[at + 1]! & 1) === 0) return null // Layer III, no CRC
  const kbps = L3_KBPS[version === 1 ? 1 : 2][b[at + 2]! >> 4]
  const sampleRate = SAMPLE_RATES[version]![(b[at + 2]! >> 2) & 3]
  if (!kbps || !sampleRate) return null
  const samplesPerFrame = version === 1 ? 1152 : 576
  const mono = b[at + 3]! >> 6 === 3
  const sideInfo = version === 1 ? (mono ? 17 : 32) : mono ? 9 : 17
  const padding = (b[at + 2]! >> 1) & 1
  return { version, bitrate: kbps * 1000, sampleRate, samplesPerFrame, sideInfo, frameSize: Math.floor(((samplesPerFrame / 8) * kbps * 1000) / sampleRate + padding) }
}

/** MpegParser's reading (duration off): four equal frames make it CBR, sized by the file. */
function mpeg(f: RecordingEnds): ContainerFormat | null {
  const b = f.head
  let pos = 0
  if (b.length >= 10 && b[0] === 0x49 && b[1] === 0x44 && b[2] === 0x33) {
    const tagSize = ((b[6]! & 0x7f) << 21) | ((b[7]! & 0x7f) << 14) | ((b[8]! & 0x7f) << 7) | (b[9]! & 0x7f)
    // A tag with frames is ID3v2Parser's to read (and to refuse when it is broken).
    if (tagSize !== 0 || (b[5]! & 0x50) !== 0) return null
    pos = 10
  }
  const mpegOffset = pos
  let last: Frame | null = null
  // The file ends before a fourth frame: MpegParser stops at the end of the stream with the
  // frames' format but no duration (CBR is only decided at the fourth).
  const ended = (): ContainerFormat | null => (last === null ? null : { container: 'MPEG', codec: `MPEG ${last.version} Layer 3`, sampleRate: last.sampleRate, bitrate: last.bitrate })
  for (let n = 1; n <= 4; n++) {
    // MpegParser's sync gives up when 163 bytes or fewer are left.
    if (f.size - pos <= 163) return ended()
    const fr = frame(b, pos)
    if (fr === null || (last !== null && (fr.bitrate !== last.bitrate || fr.sampleRate !== last.sampleRate || fr.version !== last.version))) return null
    last = fr
    if (n === 4) break
    // Frames 1-3 are checked for an Info/Xing/LAME/Xtra tag after the side information.
    const tagAt = pos + 4 + fr.sideInfo
    if (fr.frameSize < 4 + fr.sideInfo + 4) return null
    if (tagAt + 4 > f.size) return ended()
    if (tagAt + 4 > b.length) return null
    if (['Info', 'Xing', 'Xtra', 'LAME'].includes(fourCc(b, tagAt))) return null
    pos += fr.frameSize
  }
  const fr = last!
  const samples = Math.round((f.size - mpegOffset) / fr.frameSize) * fr.samplesPerFrame
  return { container: 'MPEG', codec: `MPEG ${fr.version} Layer 3`, sampleRate: fr.sampleRate, bitrate: fr.bitrate, numberOfSamples: samples, duration: samples / fr.sampleRate }
}

/** What music-metadata would report for this recording, or null when it must be asked. */
export function formatFromEnds(ext: string, f: RecordingEnds): ContainerFormat | null {
  if (trailingTags(f)) return null
  const e = ext.toLowerCase()
  if (e === 'wav') return wave(f)
  if (e === 'mp3') return mpeg(f)
  return null
}
