/**
 * The manifest: what the upload engine needs from a checked batch. The unique recordings to
 * send, and enough to write the uploaded CSV later by re-reading the source CSV, without
 * holding a million rows of text: one 32-bit slot per row says which recording it uses, or
 * that it is excluded.
 */
import type { CsvDelimiter, CsvEncoding, MappedField, MappingProfile } from '../api'
import { AppError } from '../errors'

/** One file to upload, written straight to `remoteName` in the server's root. */
export interface ManifestRecording {
  localPath: string
  /** Path relative to its dropped folder, `/`-separated (for messages and reports). */
  relPath: string
  /** The real file name: what the uploaded CSV names and the server stores. */
  remoteName: string
  size: number
  mtimeMs: number
  /** 1-based data rows (eligible only) that use this recording. */
  rows: number[]
}

/** Everything needed to upload a checked batch and write its CSV. */
export interface Manifest {
  csvPath: string
  /** Size and mtime of the source CSV when checked: the writer refuses a changed file. */
  csvSize: number
  csvMtimeMs: number
  encoding: CsvEncoding
  delimiter: CsvDelimiter
  headers: string[]
  mapping: MappingProfile
  /** 0-based column of each mapped field; null for an unmapped audio column. */
  columns: Record<MappedField, number | null>
  /** Data rows in the source (header not counted). */
  conversations: number
  eligibleRows: number
  /** Per data row (index = row - 1): index into `recordings`, or -1 when the row is excluded. */
  rowRecording: Int32Array
  recordings: ManifestRecording[]
}

/** Manifest as plain JSON (rowRecording as base64), for journals that survive a restart. */
export type ManifestJson = Omit<Manifest, 'rowRecording'> & { rowRecording: string }

/** Turns a manifest into JSON-safe data (for the upload journal). */
export function manifestToJson(m: Manifest): ManifestJson {
  const bytes = Buffer.from(m.rowRecording.buffer, m.rowRecording.byteOffset, m.conversations * 4)
  return { ...m, rowRecording: bytes.toString('base64') }
}

/** Reads back `manifestToJson`'s output. */
export function manifestFromJson(j: ManifestJson): Manifest {
  const bytes = Buffer.from(j.rowRecording, 'base64')
  if (bytes.length !== j.conversations * 4) throw new AppError('BAD_ARGUMENT', 'The saved batch is damaged (row table size). Check the batch again.')
  const rows = new Int32Array(j.conversations)
  Buffer.from(rows.buffer).set(bytes)
  return { ...j, rowRecording: rows }
}

/** Rows that will be uploaded, in file order (1-based). Handy for tests and reports. */
export function eligibleRowNumbers(m: Manifest): number[] {
  const out: number[] = []
  for (let i = 0; i < m.conversations; i++) if (m.rowRecording[i]! >= 0) out.push(i + 1)
  return out
}
