/**
 * Is a FLAC file cut short? STREAMINFO declares the total samples; the last frame header in
 * the file says which sample it starts at. A whole file's last frame reaches the declared
 * total; a cut file's last frame starts well before it. Headers are only believed with a valid
 * CRC-8 and a predecessor right before them (a chain of two), so audio bytes that happen to
 * look like a header cannot call a whole file truncated.
 */

/** CRC-8, polynomial x^8 + x^2 + x + 1, as the frame header uses. */
function crc8(b: Uint8Array, from: number, to: number): number {
  let crc = 0
  for (let i = from; i < to; i++) {
    crc ^= b[i]!
    for (let k = 0; k < 8; k++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff
  }
  return crc
}

interface FlacFrame {
  /** First sample of the frame (fixed block size: frame number x block size). */
  sample: number
  blockSize: number
}

/** The frame header at `at` in a stream of fixed `streamBlock` samples (0: variable), or null. */
export function flacFrameAt(b: Uint8Array, at: number, streamBlock: number): FlacFrame | null {
  if (at + 6 > b.length || b[at] !== 0xff || (b[at + 1]! & 0xfe) !== 0xf8 || (b[at + 3]! & 1) !== 0) return null
  const variable = (b[at + 1]! & 1) === 1
  const sizeCode = b[at + 2]! >> 4
  const rateCode = b[at + 2]! & 0x0f
  if (sizeCode === 0 || rateCode === 15 || (b[at + 3]! >> 4) > 10 || ((b[at + 3]! >> 1) & 7) === 3 || ((b[at + 3]! >> 1) & 7) === 7) return null
  // The frame or sample number, coded as UTF-8 is (up to 7 bytes for 36 bits).
  let p = at + 4
  const lead = b[p]!
  let extra = 0
  let n = lead
  if (lead >= 0xfe) [extra, n] = [6, 0]
  else if (lead >= 0xfc) [extra, n] = [5, lead & 1]
  else if (lead >= 0xf8) [extra, n] = [4, lead & 3]
  else if (lead >= 0xf0) [extra, n] = [3, lead & 7]
  else if (lead >= 0xe0) [extra, n] = [2, lead & 15]
  else if (lead >= 0xc0) [extra, n] = [1, lead & 31]
  else if (lead >= 0x80) return null
  p++
  for (let k = 0; k < extra; k++, p++) {
    if (p >= b.length || (b[p]! & 0xc0) !== 0x80) return null
    n = n * 64 + (b[p]! & 0x3f)
  }
  let blockSize = sizeCode === 1 ? 192 : sizeCode <= 5 ? 576 << (sizeCode - 2) : sizeCode >= 8 ? 256 << (sizeCode - 8) : 0
  if (sizeCode === 6) blockSize = b[p++]! + 1
  else if (sizeCode === 7) {
    blockSize = ((b[p]! << 8) | b[p + 1]!) + 1
    p += 2
  }
  if (rateCode === 12) p += 1
  else if (rateCode === 13 || rateCode === 14) p += 2
  if (p >= b.length || crc8(b, at, p) !== b[p]) return null
  return { sample: variable ? n : n * (streamBlock || blockSize), blockSize }
}

/** The fixed block size and total samples STREAMINFO declares (null: no STREAMINFO first). */
export function streamInfo(head: Uint8Array): { block: number; totalSamples: number } | null {
  if (head.length < 42 || String.fromCharCode(head[0]!, head[1]!, head[2]!, head[3]!) !== 'fLaC' || (head[4]! & 0x7f) !== 0) return null
  const minBlock = (head[8]! << 8) | head[9]!
  const maxBlock = (head[10]! << 8) | head[11]!
  const totalSamples = (head[21]! & 0x0f) * 2 ** 32 + ((head[22]! << 24) >>> 0) + (head[23]! << 16) + (head[24]! << 8) + head[25]!
  return { block: minBlock === maxBlock ? maxBlock : 0, totalSamples }
}

/**
 * The samples the last frames in `tail` reach, or null when no chain of two frames is found.
 * A frame is followed by its successor: its sample plus its block size is the next one's.
 */
export function samplesReached(tail: Uint8Array, block: number): number | null {
  let later: FlacFrame | null = null
  let laterAt = tail.length
  for (let at = tail.length - 6; at >= 0; at--) {
    const f = flacFrameAt(tail, at, block)
    if (f === null) continue
    if (later !== null && f.sample + f.blockSize === later.sample && at < laterAt) return later.sample + later.blockSize
    later = f
    laterAt = at
  }
  return null
}
