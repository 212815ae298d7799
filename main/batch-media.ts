/**
 * The recordings of a checked batch, for the UI: the rows that will be sent with their
 * recordings and durations (Review's table, a page at a time), and the one rule for playing
 * a recording in the app: only a file of a batch the user checked, still inside that batch's
 * folders (a recording swapped for a symlink since the check is refused). The lead's path
 * scoping will take `isBatchFile` over; until then both hosts' media routes call it.
 */
import path from 'node:path'
import { realpath, stat } from 'node:fs/promises'
import type { RecordingRow } from '../src/api'
import type { CheckedBatch } from '../src/batch'

/** Rows returned per page at most. */
const MAX_PAGE = 500

/** Per checked batch: its eligible rows in order, and per row its reference id (built once). */
const rowIndexes = new WeakMap<CheckedBatch, { rows: Int32Array; refOfRow: Int32Array }>()

function indexOf(checked: CheckedBatch): { rows: Int32Array; refOfRow: Int32Array } {
  const known = rowIndexes.get(checked)
  if (known) return known
  const { rowRecording, conversations } = checked.manifest
  let n = 0
  for (let i = 0; i < conversations; i++) if ((rowRecording[i] ?? -1) >= 0) n++
  const rows = new Int32Array(n)
  for (let i = 0, k = 0; i < conversations; i++) if ((rowRecording[i] ?? -1) >= 0) rows[k++] = i
  const refOfRow = new Int32Array(conversations).fill(-1)
  const { table, firstRow } = checked.references
  for (let id = 0; id < table.size; id++) refOfRow[firstRow[id]! - 1] = id
  const built = { rows, refOfRow }
  rowIndexes.set(checked, built)
  return built
}

/** The handle a row's recording is played by: the check and the manifest's recording index. */
export function mediaHandle(checkId: string, recording: number): string {
  return `${checkId}.${recording}`
}

/** One page of the rows `checked` will send. */
export function recordingRows(checked: CheckedBatch, offset: number, limit: number): { total: number; rows: RecordingRow[] } {
  const { rows, refOfRow } = indexOf(checked)
  const { manifest, recordingSeconds, agents, references } = checked
  const out: RecordingRow[] = []
  for (let k = Math.max(0, offset); k < Math.min(rows.length, offset + Math.min(limit, MAX_PAGE)); k++) {
    const i = rows[k]!
    const at = manifest.rowRecording[i]!
    const rec = manifest.recordings[at]!
    const ref = refOfRow[i]!
    const agent = agents.rowAgent[i] ?? -1
    const seconds = recordingSeconds[at]!
    out.push({
      row: i + 1,
      reference: ref >= 0 ? references.table.get(ref) : '',
      agent: agent >= 0 ? agents.table.get(agent) : '',
      file: rec.remoteName,
      size: rec.size,
      seconds: Number.isFinite(seconds) ? seconds : null,
      media: mediaHandle(checked.report.checkId, at),
    })
  }
  return { total: rows.length, rows: out }
}

/** True when `file`, with every symlink resolved, lies inside one of the batch's folders. */
export async function isBatchFile(file: string, roots: readonly string[]): Promise<boolean> {
  const real = await realpath(file).catch(() => null)
  if (real === null) return false
  for (const root of roots) {
    const top = await realpath(root).catch(() => null)
    if (top === null) continue
    const rel = path.relative(top, real)
    if (rel === '' ? (await stat(top)).isFile() : !rel.startsWith('..') && !path.isAbsolute(rel)) return true
  }
  return false
}

/** A playable recording: where it is, how big, and its media type. */
export interface MediaFile {
  path: string
  size: number
  type: string
}

const TYPES: Record<string, string> = { wav: 'audio/wav', mp3: 'audio/mpeg', ogg: 'audio/ogg', opus: 'audio/ogg', m4a: 'audio/mp4', aac: 'audio/aac', flac: 'audio/flac', wma: 'audio/x-ms-wma', amr: 'audio/amr', gsm: 'audio/x-gsm' }

/**
 * The file a media handle names, when it is a recording of `checked` still inside its batch
 * (null otherwise: the caller refuses with 403). `checked` is the check the handle names.
 */
export async function batchMediaFile(checked: CheckedBatch, handle: string): Promise<MediaFile | null> {
  const m = /^([^.]+)\.(\d{1,9})$/.exec(handle)
  if (m === null || m[1] !== checked.report.checkId) return null
  const rec = checked.manifest.recordings[Number(m[2])]
  return rec === undefined ? null : playableFile(rec.localPath, checked.scan.roots)
}

/** `file` as a MediaFile when it is a regular file still inside one of `roots` (null otherwise). */
export async function playableFile(file: string, roots: readonly string[]): Promise<MediaFile | null> {
  if (!(await isBatchFile(file, roots))) return null
  const info = await stat(file).catch(() => null)
  if (!info?.isFile()) return null
  const ext = path.extname(file).slice(1).toLowerCase()
  return { path: file, size: info.size, type: TYPES[ext] ?? 'application/octet-stream' }
}

/** The check id a media handle belongs to ('' when it is not a handle). */
export function handleCheckId(handle: string): string {
  return /^([^.]+)\.\d{1,9}$/.exec(handle)?.[1] ?? ''
}

/**
 * A Range header against a file of `size` bytes: the one range asked for, 'unsatisfiable',
 * or null for the whole file (no header, or a form not served: several ranges).
 */
export function parseRange(header: string | undefined | null, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (m === null || (m[1] === '' && m[2] === '')) return null
  let start: number
  let end: number
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]))
    end = size - 1
  } else {
    start = Number(m[1])
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  }
  if (start >= size || start > end) return 'unsatisfiable'
  return { start, end }
}
