/**
 * Streams a CSV's records through papaparse's parser over decoded text, so memory stays flat
 * whatever the file size (DESIGN.md, Scale). We drive papaparse's `Parser` chunk by chunk
 * ourselves (as its own ChunkStreamer does) rather than hand it a Node stream: that keeps
 * real backpressure (a slow consumer pauses reading) and lets every step be awaited.
 * The same reader serves validation and the writer of the uploaded CSV, so both see exactly
 * the same records, numbered the same way.
 */
import { open } from 'node:fs/promises'
import Papa from 'papaparse'
import type { CsvDelimiter, CsvEncoding } from '../api'
import { createDecoder, NotUtf8Error } from './encoding'

/** The first problem that makes the rest of the file unreadable. */
export interface CsvReadProblem {
  /** 1-based data row where it was noticed, or null for the file as a whole. */
  row: number | null
  detail: string
  /** The bytes were not UTF-8: the caller may retry the whole file as Windows-1252. */
  notUtf8?: boolean
  /** One record grew past MAX_RECORD_CHARS (ROW_TOO_LONG): reading stopped there. */
  tooLong?: boolean
}

/** How to read the file (as detected by the preview) and how to follow along. */
export interface CsvReadOptions {
  encoding: CsvEncoding
  delimiter: CsvDelimiter
  signal?: AbortSignal
  /** Raw bytes read so far, called once per chunk read from disk. */
  onBytes?: (bytesRead: number) => void
}

/** Called as records arrive, in file order. */
export interface CsvReadHandlers {
  /** The header record (first non-empty record). */
  onHeader(headers: string[]): void
  /**
   * Data records in file order; `firstRow` is the 1-based data row number of `rows[0]`.
   * Return a promise to hold reading until it settles (backpressure).
   */
  onRows(rows: string[][], firstRow: number): void | Promise<void>
}

/**
 * Bytes read from disk at a time. Small on purpose. Node turns decoded text longer than
 * ~1,000,000 characters into "external" strings, which the GC frees late: with 1 MB chunks a
 * 1,000,000-row check peaked at ~460 MB RSS, with 512 KB at ~300 MB. And fewer rows alive per
 * chunk means less for each young-generation GC to copy: 128 KB cost ~10% less CPU than 512 KB.
 */
export const READ_CHUNK = 1 << 17
/**
 * No honest record of call metadata is this long (1 MiB of text). Past it reading stops with
 * ROW_TOO_LONG, so a file without line breaks, or with an opening quote never closed, costs
 * bounded memory and says what is wrong instead of growing one record without end.
 */
export const MAX_RECORD_CHARS = 1 << 20

type Newline = '\r\n' | '\n' | '\r'

/** The record separator: the first line break outside quotes decides. */
export function detectNewline(text: string): Newline | null {
  let inQuotes = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34) inQuotes = !inQuotes
    else if (!inQuotes && c === 13) return text.charCodeAt(i + 1) === 10 ? '\r\n' : i + 1 < text.length ? '\r' : null
    else if (!inQuotes && c === 10) return '\n'
  }
  return null
}

/** True for a record of empty fields (a blank line, or Excel's ",,,"). Loop, not closure: once per row. */
function isBlank(r: string[]): boolean {
  for (let i = 0; i < r.length; i++) if (r[i]!.trim() !== '') return false
  return true
}

/**
 * Reads the whole CSV, calling the handlers as records arrive. Resolves with the number of
 * data records and the first unreadable spot, if any (reading stops there). Blank lines and
 * rows of empty fields (Excel's trailing ",,,") are skipped and not counted.
 */
export async function readCsv(path: string, opts: CsvReadOptions, handlers: CsvReadHandlers): Promise<{ dataRows: number; problem: CsvReadProblem | null }> {
  const decoder = createDecoder(opts.encoding)
  let parser: InstanceType<typeof Papa.Parser> | null = null
  let newline: Newline = '\n'
  let partial = ''
  let headerSeen = false
  let dataRows = 0
  let bytes = 0

  /** The record at `dataRows + 1` (the header when none was seen) is too long to be real. */
  const tooLong = (record: string): CsvReadProblem => {
    // An odd number of quotes: a quoted field opened and never closed swallowed what follows.
    let quotes = 0
    for (let i = record.indexOf('"'); i >= 0; i = record.indexOf('"', i + 1)) quotes++
    const why = quotes % 2 === 1 ? 'a quoted field opened in it is never closed (a " is missing), so everything after it reads as one value' : 'it has no line break where the next row should start'
    return { row: headerSeen ? dataRows + 1 : null, detail: why, tooLong: true }
  }

  /** Parses `text` (complete records unless `final`); returns a problem or null. */
  const feed = async (text: string, final: boolean): Promise<CsvReadProblem | null> => {
    const aggregate = partial + text
    if (parser === null) {
      const nl = detectNewline(aggregate)
      if (nl === null && !final) {
        partial = aggregate
        return partial.length > MAX_RECORD_CHARS ? tooLong(partial) : null
      }
      newline = nl ?? '\n'
      parser = new Papa.Parser({ delimiter: opts.delimiter, newline, quoteChar: '"', escapeChar: '"' })
    }
    const res = parser.parse(aggregate, 0, !final) as { data: string[][]; errors: Papa.ParseError[]; meta: { cursor: number } }
    partial = final ? '' : aggregate.substring(res.meta.cursor)
    let rows = res.data
    // A quote error on the unfinished last record of a chunk is not final: papaparse flags a
    // closing quote followed by the "\r" of a "\r\n" whose "\n" is in the next chunk. That
    // record is parsed again with the next chunk, so only errors on complete records count.
    const quoteError = res.errors.find((e) => e.type === 'Quotes' && (final || (typeof e.row === 'number' && e.row < res.data.length)))
    let cut = rows.length
    if (quoteError && typeof quoteError.row === 'number') cut = quoteError.row
    if (!final && partial.length > MAX_RECORD_CHARS) cut = Math.min(cut, rows.length)
    if (cut < rows.length) rows = rows.slice(0, cut)
    let blank = false
    for (let i = 0; i < rows.length && !blank; i++) blank = isBlank(rows[i]!)
    if (blank) rows = rows.filter((r) => !isBlank(r))
    if (newline === '\n') {
      for (const r of rows) {
        const last = r[r.length - 1]!
        if (last.endsWith('\r')) r[r.length - 1] = last.slice(0, -1)
      }
    }
    if (!headerSeen && rows.length > 0) {
      headerSeen = true
      handlers.onHeader(rows[0]!)
      rows = rows.slice(1)
    }
    if (rows.length > 0) {
      const first = dataRows + 1
      dataRows += rows.length
      await handlers.onRows(rows, first)
    }
    if (quoteError) {
      return {
        row: dataRows + 1,
        detail: quoteError.code === 'MissingQuotes' ? 'a quoted field is never closed (a " is missing)' : 'a quoted field has text after its closing quote',
      }
    }
    if (!final && partial.length > MAX_RECORD_CHARS) return tooLong(partial)
    return null
  }

  // One buffer reused for every read: a fresh megabyte per chunk only feeds malloc and the GC.
  const fh = await open(path, 'r')
  const buf = Buffer.allocUnsafe(READ_CHUNK)
  try {
    for (;;) {
      opts.signal?.throwIfAborted()
      const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, null)
      if (bytesRead === 0) break
      bytes += bytesRead
      opts.onBytes?.(bytes)
      const problem = await feed(decoder.write(buf.subarray(0, bytesRead)), false)
      if (problem) return { dataRows, problem }
    }
    const problem = await feed(decoder.end(), true)
    return { dataRows, problem }
  } catch (err) {
    if (err instanceof NotUtf8Error) return { dataRows, problem: { row: dataRows + 1, detail: 'its text is not valid UTF-8', notUtf8: true } }
    throw err
  } finally {
    await fh.close()
  }
}
