/**
 * Writes the CSV that is uploaded (DESIGN.md, "The uploaded CSV is written by the app"): the
 * source's columns in the source's order (all extra metadata kept), only eligible rows (and
 * not those whose recording failed to upload), dates converted to ISO 8601 when a source
 * format and zone were chosen, the audio column carrying the real remote name, UTF-8 without
 * BOM, comma-separated, RFC 4180 quoting and CRLF line ends (RFC 4180's record separator).
 * It re-reads the source CSV as a stream: memory does not grow with the number of rows.
 */
import { createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import { AppError, toAppError } from '../errors'
import { readCsv } from './csv-reader'
import { createDateConverter } from './dates'
import type { Manifest } from './manifest'

/** The record separator of the written CSV. */
export const UPLOAD_CSV_EOL = '\r\n'
const NEEDS_QUOTES = /[",\r\n]/

/** One field, quoted per RFC 4180 only when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

/** One record, without its line end (add UPLOAD_CSV_EOL). */
export function csvRecord(fields: readonly string[]): string {
  return fields.map(csvField).join(',')
}

function write(out: NodeJS.WritableStream, text: string): Promise<void> | void {
  if (out.write(text)) return
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      out.off('error', onError)
      resolve()
    }
    const onError = (err: unknown): void => {
      out.off('drain', onDrain)
      reject(err)
    }
    out.once('drain', onDrain)
    out.once('error', onError)
  })
}

/**
 * Streams the upload CSV to `out` (a writable, left open, or a file path, created or
 * replaced). Throws LOCAL_FILE_CHANGED when the source CSV changed since it was checked.
 */
export async function writeUploadCsv(manifest: Manifest, out: NodeJS.WritableStream | string, opts: { omitRemoteNames?: Set<string> } = {}): Promise<{ rows: number; bytes: number }> {
  const width = manifest.headers.length
  const st = await stat(manifest.csvPath).catch((err: unknown) => {
    throw toAppError(err, 'NOT_READABLE')
  })
  if (st.size !== manifest.csvSize || st.mtimeMs !== manifest.csvMtimeMs) {
    throw new AppError('LOCAL_FILE_CHANGED', `The CSV ${manifest.csvPath} changed after it was checked. Check the batch again before uploading.`)
  }
  if (width === 0) throw new AppError('BATCH_NOT_READY', 'The checked CSV has no header, so there is nothing to write.')
  const target = typeof out === 'string' ? createWriteStream(out) : out
  const omit = opts.omitRemoteNames ?? new Set<string>()
  const { contactDate: dateCol, audioFilename: audioCol } = manifest.columns
  const m = manifest.mapping
  const converter = m.dateFormat && m.timezone && dateCol !== null ? createDateConverter(m.dateFormat, m.timezone) : null
  let rows = 0
  let bytes = 0
  const emit = (text: string): Promise<void> | void => {
    bytes += Buffer.byteLength(text)
    return write(target, text)
  }
  try {
    await emit(csvRecord(manifest.headers) + UPLOAD_CSV_EOL)
    const result = await readCsv(manifest.csvPath, { encoding: manifest.encoding, delimiter: manifest.delimiter }, {
      onHeader: () => undefined,
      onRows(batch, firstRow) {
        let text = ''
        for (let i = 0; i < batch.length; i++) {
          const at = manifest.rowRecording[firstRow - 1 + i] ?? -1
          if (at < 0) continue
          const rec = manifest.recordings[at]!
          if (omit.has(rec.remoteName)) continue
          const src = batch[i]!
          const fields = src.length >= width ? src : [...src, ...new Array<string>(width - src.length).fill('')]
          if (converter && dateCol !== null) fields[dateCol] = converter.convert(fields[dateCol]!) ?? fields[dateCol]!
          if (audioCol !== null) fields[audioCol] = rec.remoteName
          text += csvRecord(fields) + UPLOAD_CSV_EOL
          rows++
        }
        return text === '' ? undefined : emit(text)
      },
    })
    if (result.dataRows !== manifest.conversations) {
      throw new AppError('LOCAL_FILE_CHANGED', `The CSV ${manifest.csvPath} now reads as ${result.dataRows} rows, not ${manifest.conversations}. Check the batch again.`)
    }
    return { rows, bytes }
  } finally {
    if (typeof out === 'string') {
      target.end()
      await finished(target)
    }
  }
}

/**
 * The uploaded CSV's name: the source name (safe characters only), the UTC time and the
 * batch id, so two batches never overwrite each other on the server.
 * e.g. `calls-march_20260125T093000Z_3f2a9c1b.csv`.
 */
export function uploadCsvName(sourceCsvPath: string, batchId: string, date: Date = new Date()): string {
  const base = path.basename(sourceCsvPath.replace(/\\/g, '/')).replace(/\.csv$/i, '')
  const stem = base.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 60) || 'conversations'
  const stamp = date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  const id = batchId.replace(/[^A-Za-z0-9]/g, '').slice(0, 12) || 'batch'
  return `${stem}_${stamp}_${id}.csv`
}
