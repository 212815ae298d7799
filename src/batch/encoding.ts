/**
 * Detects a CSV's text encoding from its first bytes and decodes it as a stream. Phone
 * systems and Excel write UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") and
 * Windows-1252 ("CSV" on a Western Windows); anything that is not valid UTF-8 is taken as
 * Windows-1252, which decodes every byte.
 */
import iconv from 'iconv-lite'
import type { CsvEncoding } from '../api'

/** Thrown by a UTF-8 decoder on bytes that are not UTF-8 (the reader then retries as Windows-1252). */
export class NotUtf8Error extends Error {
  constructor(readonly byteOffset: number) {
    super(`The bytes near offset ${byteOffset} are not valid UTF-8.`)
    this.name = 'NotUtf8Error'
  }
}

/** Guesses the encoding from the first bytes of a file (the preview reads at most ~1 MB). */
export function detectEncoding(head: Uint8Array): CsvEncoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8-bom'
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le'
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be'
  // UTF-16 without a BOM: ASCII text leaves every other byte zero.
  const n = Math.min(head.length, 4096) & ~1
  if (n >= 4) {
    let evenZero = 0
    let oddZero = 0
    for (let i = 0; i < n; i += 2) {
      if (head[i] === 0) evenZero++
      if (head[i + 1] === 0) oddZero++
    }
    if (oddZero > n / 4 && evenZero === 0) return 'utf-16le'
    if (evenZero > n / 4 && oddZero === 0) return 'utf-16be'
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true })
    return 'utf-8'
  } catch {
    return 'windows-1252'
  }
}

/** An incremental decoder: bytes in, text out, BOM removed. */
export interface TextStreamDecoder {
  write(chunk: Uint8Array): string
  end(): string
}

/** A decoder for `encoding`; UTF-8 decoders throw NotUtf8Error on invalid bytes. */
export function createDecoder(encoding: CsvEncoding): TextStreamDecoder {
  if (encoding === 'utf-8' || encoding === 'utf-8-bom' || encoding === 'utf-16le') {
    const label = encoding === 'utf-16le' ? 'utf-16le' : 'utf-8'
    const fatal = label === 'utf-8'
    const td = new TextDecoder(label, { fatal })
    let offset = 0
    return {
      write(chunk) {
        try {
          const s = td.decode(chunk, { stream: true })
          offset += chunk.length
          return s
        } catch {
          throw new NotUtf8Error(offset)
        }
      },
      end() {
        try {
          return td.decode()
        } catch {
          throw new NotUtf8Error(offset)
        }
      },
    }
  }
  const dec = iconv.getDecoder(encoding === 'utf-16be' ? 'utf-16be' : 'windows-1252')
  return {
    write: (chunk) => dec.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
    end: () => dec.end() ?? '',
  }
}
