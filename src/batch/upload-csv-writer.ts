/**
 * Writes the CSV that is uploaded (DESIGN.md, "The uploaded CSV is written by the app"): in
 * the destination's platform layout (its column names and order; the source's own when no
 * layout is given), only eligible rows (and not those whose recording failed to upload),
 * every Contact Date in the platform's shape `YYYY-MM-DDThh:mm:ss±hh:mm`, the audio column
 * carrying the real remote name, UTF-8 without BOM, comma-separated, RFC 4180 quoting and
 * CRLF line ends (RFC 4180's record separator). It re-reads the source CSV as a stream:
 * memory grows only by the references it reports back, never by the rows' text.
 */
import { createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import { AppError, toAppError } from '../errors'
import { readCsv } from './csv-reader'
import type { PlatformLayout } from '../api'
import { createPlatformDateWriter } from './dates'
import type { Manifest } from './manifest'
import { layoutFromSource, layoutProjection } from './platform-layout'

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
export interface WriteUploadCsvOptions {
  /** Rows whose recording has one of these remote names are left out. */
  omitRemoteNames?: Set<string>
  /** The destination's platform layout. @default the source's own columns */
  layout?: PlatformLayout | null
  /**
   * Called for each written row with its contact reference and recording (for the delivery
   * ledger) and its agent ID (for the destination's known agents).
   */
  onRow?: (reference: string, recording: string, agent: string) => void
}

export async function writeUploadCsv(manifest: Manifest, out: NodeJS.WritableStream | string, opts: WriteUploadCsvOptions = {}): Promise<{ rows: number; bytes: number }> {
  const width = manifest.headers.length
  const st = await stat(manifest.csvPath).catch((err: unknown) => {
    throw toAppError(err, 'NOT_READABLE')
  })
  if (st.size !== manifest.csvSize || st.mtimeMs !== manifest.csvMtimeMs) {
    throw new AppError('LOCAL_FILE_CHANGED', `The CSV ${manifest.csvPath} changed after it was checked. Check the batch again before uploading.`)
  }
  if (width === 0) throw new AppError('BATCH_NOT_READY', 'The checked CSV has no header, so there is nothing to write.')
  const projection = layoutProjection(opts.layout ?? layoutFromSource(manifest.headers, manifest.mapping), manifest.headers, manifest.mapping)
  const { contactDate: dateCol, audioFilename: audioCol, contactReference: refCol, agentId: agentCol } = projection.fieldIndex
  const toPlatformDate = createPlatformDateWriter(manifest.mapping)
  const onRow = opts.onRow
  const file = typeof out === 'string' ? createWriteStream(out, { mode: 0o600 }) : null
  const target = file ?? (out as NodeJS.WritableStream)
  // A failing file stream (this computer's disk full) fails the write, never surfaces as an
  // unhandled 'error' event; the caller maps it to a code about this computer.
  let streamError: unknown = null
  file?.on('error', (err) => (streamError ??= err))
  const omit = opts.omitRemoteNames ?? new Set<string>()
  let rows = 0
  let bytes = 0
  const emit = (text: string): Promise<void> | void => {
    if (streamError) throw streamError
    bytes += Buffer.byteLength(text)
    return write(target, text)
  }
  try {
    await emit(csvRecord(projection.header) + UPLOAD_CSV_EOL)
    const result = await readCsv(manifest.csvPath, { encoding: manifest.encoding, delimiter: manifest.delimiter }, {
      onHeader: () => undefined,
      onRows(batch, firstRow) {
        let text = ''
        for (let i = 0; i < batch.length; i++) {
          const at = manifest.rowRecording[firstRow - 1 + i] ?? -1
          if (at < 0) continue
          const rec = manifest.recordings[at]!
          if (omit.has(rec.remoteName)) continue
          const fields = projection.project(batch[i]!)
          if (dateCol !== null) {
            const date = toPlatformDate(fields[dateCol]!)
            // Validation let this row through, so its date reads; a null here is a bug, not data.
            if (date === null) throw new AppError('INTERNAL', `Row ${firstRow + i}: the date "${fields[dateCol]}" could not be written in the platform's shape.`)
            fields[dateCol] = date
          }
          if (audioCol !== null) fields[audioCol] = rec.remoteName
          if (onRow && refCol !== null) onRow(fields[refCol]!.trim(), rec.remoteName, agentCol === null ? '' : fields[agentCol]!.trim())
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
    if (file) {
      file.end()
      await finished(file).catch((err: unknown) => {
        streamError ??= err
      })
    }
    // eslint-disable-next-line no-unsafe-finally -- a file that failed to write must fail the call
    if (streamError) throw streamError
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
