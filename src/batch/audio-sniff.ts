/**
 * Recognises audio containers by their first bytes (magic numbers), so a file renamed to the
 * wrong extension is reported before upload. Lenient on purpose: a false alarm costs the user
 * more than a missed one, and the platform is the final judge.
 */
import { close, open, read } from 'node:fs'
import { HEAD_BYTES, TAIL_BYTES } from './container-heads'

/** Bytes read from the start of each file: enough for every signature below. */
export const SNIFF_BYTES = 16

/** Containers recognised by their first bytes (`id3` = an ID3 tag, usually MP3). */
export type SniffedFormat = 'wav' | 'mp3' | 'ogg' | 'flac' | 'mp4' | 'aac' | 'asf' | 'amr' | 'id3'

const ascii = (b: Uint8Array, at: number, s: string): boolean => {
  if (b.length < at + s.length) return false
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false
  return true
}
const ASF_GUID = [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11]

/** The container the bytes start with, or null when none is recognised. */
export function detectAudioFormat(b: Uint8Array): SniffedFormat | null {
  if ((ascii(b, 0, 'RIFF') || ascii(b, 0, 'RF64') || ascii(b, 0, 'BW64')) && ascii(b, 8, 'WAVE')) return 'wav'
  if (ascii(b, 0, 'OggS')) return 'ogg'
  if (ascii(b, 0, 'fLaC')) return 'flac'
  if (ascii(b, 4, 'ftyp')) return 'mp4'
  if (ascii(b, 0, '#!AMR')) return 'amr'
  if (ascii(b, 0, 'ID3')) return 'id3'
  if (ascii(b, 0, 'ADIF')) return 'aac'
  if (ASF_GUID.every((x, i) => b[i] === x)) return 'asf'
  if (b.length >= 2 && b[0] === 0xff && (b[1]! & 0xe0) === 0xe0) {
    // ADTS: 12-bit sync and layer bits 00; MPEG audio frames have layer bits != 00.
    return (b[1]! & 0xf6) === 0xf0 ? 'aac' : 'mp3'
  }
  return null
}

/** Which sniffed containers are acceptable for each extension. */
const ACCEPTS: Record<string, SniffedFormat[] | 'any'> = {
  wav: ['wav'],
  mp3: ['mp3', 'id3'],
  ogg: ['ogg'],
  opus: ['ogg'],
  flac: ['flac', 'id3'],
  m4a: ['mp4'],
  aac: ['aac', 'id3', 'mp4'],
  wma: ['asf'],
  amr: ['amr'],
  // GSM 06.10 is often raw frames with no header at all: accept anything.
  gsm: 'any',
}

const NAMES: Record<SniffedFormat, string> = {
  wav: 'WAV', mp3: 'MP3', ogg: 'Ogg', flac: 'FLAC', mp4: 'MP4/M4A', aac: 'AAC', asf: 'WMA', amr: 'AMR', id3: 'MP3 (ID3-tagged)',
}

/**
 * Null when the bytes fit the extension, else a phrase for the UNRECOGNISED_AUDIO message
 * ("looks like MP3 audio, not .wav").
 */
export function audioMismatch(ext: string, head: Uint8Array): string | null {
  const accepts = ACCEPTS[ext.toLowerCase()]
  if (accepts === undefined || accepts === 'any') return null
  const found = detectAudioFormat(head)
  if (found !== null && accepts.includes(found)) return null
  return found === null
    ? `does not start like a .${ext.toLowerCase()} file (its first bytes are not a known audio format)`
    : `looks like ${NAMES[found]} audio, not .${ext.toLowerCase()}`
}

/**
 * Reads the first HEAD_BYTES and the last TAIL_BYTES of a file (`size` as scanned). Plain
 * callbacks rather than a FileHandle: this runs for up to 100,000 files and FileHandle's
 * bookkeeping doubled the cost.
 */
export function readEnds(path: string, size: number): Promise<{ head: Uint8Array; tail: Uint8Array }> {
  return new Promise((resolve, reject) => {
    open(path, 'r', (err, fd) => {
      if (err) return reject(err)
      const head = Buffer.allocUnsafe(HEAD_BYTES)
      const tail = Buffer.allocUnsafe(TAIL_BYTES)
      read(fd, head, 0, HEAD_BYTES, 0, (headErr, headBytes) => {
        if (headErr) return close(fd, () => reject(headErr))
        read(fd, tail, 0, Math.min(TAIL_BYTES, size), Math.max(0, size - TAIL_BYTES), (tailErr, tailBytes) => {
          close(fd, () => (tailErr ? reject(tailErr) : resolve({ head: head.subarray(0, headBytes), tail: tail.subarray(0, tailBytes) })))
        })
      })
    })
  })
}
