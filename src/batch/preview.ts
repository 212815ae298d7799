/**
 * The preview the mapping screen shows: encoding, delimiter, headers and the first rows,
 * read from at most the first ~1 MB, so it is instant even on a 1 GB CSV.
 */
import { open } from 'node:fs/promises'
import Papa from 'papaparse'
import type { CsvDelimiter, CsvEncoding, CsvPreview } from '../api'
import { AppError, toAppError } from '../errors'
import { createDecoder, detectEncoding } from './encoding'
import { suggestMapping } from './mapping'

/** Bytes the preview and the format detection read from the start of a CSV. */
export const PREVIEW_BYTES = 1 << 20
/** Data rows a preview holds. */
export const PREVIEW_ROWS = 100
const DELIMITERS: CsvDelimiter[] = [',', ';', '\t', '|']

/** Reads the first bytes of a file; `whole` tells whether that was all of it. */
export async function readStart(path: string, max = PREVIEW_BYTES): Promise<{ bytes: Buffer; whole: boolean }> {
  try {
    const fh = await open(path, 'r')
    try {
      const size = (await fh.stat()).size
      const n = Math.min(size, max)
      const bytes = Buffer.alloc(n)
      let got = 0
      while (got < n) {
        const { bytesRead } = await fh.read(bytes, got, n - got, got)
        if (bytesRead === 0) break
        got += bytesRead
      }
      return { bytes: bytes.subarray(0, got), whole: got >= size }
    } finally {
      await fh.close()
    }
  } catch (err) {
    throw toAppError(err, 'NOT_READABLE')
  }
}

/** Decodes the start of a file; a character cut at the end of the sample is dropped. */
export function decodeSample(bytes: Uint8Array, encoding: CsvEncoding): string {
  const dec = createDecoder(encoding)
  try {
    return dec.write(bytes)
  } catch {
    return createDecoder('windows-1252').write(bytes)
  }
}

/**
 * Picks the delimiter among `,` `;` tab `|` that splits the first records into the most,
 * equally long, rows of fields (quotes respected). Defaults to comma.
 */
export function detectDelimiter(sample: string): CsvDelimiter {
  let best: CsvDelimiter = ','
  let bestScore = 0
  for (const d of DELIMITERS) {
    const rows = Papa.parse<string[]>(sample, { delimiter: d, preview: 20, skipEmptyLines: 'greedy' }).data
    if (rows.length === 0) continue
    const width = rows[0]!.length
    if (width < 2) continue
    const consistent = rows.filter((r) => r.length === width).length
    const score = (consistent / rows.length) * 1000 + width
    if (score > bestScore) {
      bestScore = score
      best = d
    }
  }
  return best
}

/** Encoding and delimiter of a CSV, from its start. */
export async function detectCsvFormat(path: string): Promise<{ encoding: CsvEncoding; delimiter: CsvDelimiter; sample: string; whole: boolean }> {
  const { bytes, whole } = await readStart(path)
  const encoding = detectEncoding(bytes)
  const sample = decodeSample(bytes, encoding)
  return { encoding, delimiter: detectDelimiter(sample), sample, whole }
}

/** Control characters no text export carries in bulk (tab, line feed, form feed and CR are text). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const BINARY_CONTROL = /[\x00-\x08\x0b\x0e-\x1f\x7f]/g

/**
 * True when a decoded sample is not text: binary files (a workbook, a zip, an image, audio)
 * are full of control bytes, which every one of our encodings decodes to a "character", so the
 * preview would show gibberish as one Windows-1252 column. A few stray controls in a real CSV
 * (a NUL in a cell) stay under the threshold and are left to validation.
 */
export function looksBinary(sample: string): boolean {
  const controls = sample.match(BINARY_CONTROL)?.length ?? 0
  if (controls < 3) return false
  // NULs are the mark of binary headers (audio, images); random or compressed bytes (a zip,
  // an .xlsx) are about 11% other controls. A short CSV whose cells carry a few escape
  // sequences is text with problems, for validation to name (CONTROL_CHARACTER).
  const nuls = sample.match(/\0/g)?.length ?? 0
  return (nuls >= 3 && nuls > sample.length / 100) || controls > sample.length / 20
}

/** Headers, first rows, encoding, delimiter and a suggested mapping, from the file's start only. */
export async function previewCsv(path: string): Promise<CsvPreview> {
  const { encoding, delimiter, sample, whole } = await detectCsvFormat(path)
  if (looksBinary(sample)) throw new AppError('CSV_NOT_TEXT', path)
  const parsed = Papa.parse<string[]>(sample, { delimiter, quoteChar: '"', skipEmptyLines: 'greedy', preview: PREVIEW_ROWS + 2 })
  const records = parsed.data
  // The last record of a cut sample may itself be cut: drop it unless the file was read whole.
  if (!whole && records.length <= PREVIEW_ROWS + 1 && records.length > 1) records.pop()
  const headers = records[0]
  if (!headers || headers.every((h) => h.trim() === '')) {
    throw new AppError('CSV_UNREADABLE', `${path} is empty: it has no header row.`)
  }
  const rows = records.slice(1, PREVIEW_ROWS + 1).map((r) => (r.length === headers.length ? r : headers.map((_, i) => r[i] ?? '')))
  return { path, encoding, delimiter, headers, rows, suggestion: suggestMapping(headers) }
}
