import { describe, expect, it } from 'vitest'
import { audioMismatch, detectAudioFormat } from '../../../src/batch'
import { mp3Bytes, wavBytes } from '../../fixtures/audio-bytes'

const b = (...xs: Array<number | string>): Uint8Array =>
  Uint8Array.from(xs.flatMap((x) => (typeof x === 'string' ? [...x].map((c) => c.charCodeAt(0)) : [x])))

describe('detectAudioFormat', () => {
  it.each([
    ['wav', wavBytes(100)],
    ['mp3', mp3Bytes(1000).subarray(10)],
    ['id3', mp3Bytes(1000)],
    ['ogg', b('OggS', 0, 2)],
    ['flac', b('fLaC', 0, 0, 0, 34)],
    ['mp4', b(0, 0, 0, 0x20, 'ftypM4A ')],
    ['aac', b(0xff, 0xf1, 0x50, 0x80)],
    ['asf', b(0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9)],
    ['amr', b('#!AMR\n')],
  ])('recognises %s', (format, bytes) => {
    expect(detectAudioFormat(bytes)).toBe(format)
  })
  it('recognises nothing in text or a short file', () => {
    expect(detectAudioFormat(b('hello world'))).toBeNull()
    expect(detectAudioFormat(new Uint8Array())).toBeNull()
  })
})

describe('audioMismatch', () => {
  it('accepts bytes that fit the extension, in any letter case', () => {
    expect(audioMismatch('WAV', wavBytes(100))).toBeNull()
    expect(audioMismatch('mp3', mp3Bytes(500))).toBeNull()
    expect(audioMismatch('opus', b('OggS', 0))).toBeNull()
    expect(audioMismatch('m4a', b(0, 0, 0, 0x20, 'ftypM4A '))).toBeNull()
    expect(audioMismatch('aac', b(0xff, 0xf1, 0x50))).toBeNull()
    expect(audioMismatch('wma', b(0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11))).toBeNull()
    expect(audioMismatch('amr', b('#!AMR\n'))).toBeNull()
  })
  it('is lenient with raw GSM, which has no header', () => {
    expect(audioMismatch('gsm', b(0xd8, 0x20, 0xa2))).toBeNull()
  })
  it('names the format it found instead', () => {
    expect(audioMismatch('wav', mp3Bytes(500))).toContain('MP3')
    expect(audioMismatch('flac', b('OggS'))).toContain('Ogg')
  })
  it('says when the bytes are no audio at all', () => {
    expect(audioMismatch('wav', b('This is text'))).toContain('not a known audio format')
  })
})
