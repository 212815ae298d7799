import { closeSync, fdatasync, fsyncSync, openSync, writeSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { BatchSummary } from '../api'
import { toLocalWriteError } from '../errors'

/** One line of a batch journal. */
export type JournalRecord =
  | { t: 'file-started'; name: string }
  | { t: 'file-done'; name: string; size: number; mtimeMs: number; sha256?: string }
  | { t: 'file-failed'; name: string; code: string }
  | { t: 'csv-started'; name: string; tmp: string }
  | { t: 'csv-done'; name: string; rows: number }
  | { t: 'finished'; summary: BatchSummary }

/** What a journal says happened so far; later lines win. */
export interface JournalState {
  /** Recordings confirmed on the server: size and mtime when sent, and their sha256. */
  done: Map<string, DoneFile>
  /**
   * Recordings this batch opened for writing on the server: what the server holds under these
   * names is this batch's own (possibly partial) copy, which the batch may remove and write
   * again where the server refuses to overwrite it.
   */
  started: Set<string>
  failed: Map<string, string>
  /** CSVs whose upload began (name -> temporary name); one per run that reached the CSV phase. */
  csvStarted: Map<string, string>
  /** CSVs confirmed on the server (name -> rows). */
  csvDone: Map<string, number>
  finished: BatchSummary | null
}

export interface DoneFile {
  size: number
  mtimeMs: number
  /** Absent in journals written before hashing. */
  sha256: string | null
}

export const JOURNAL_FILE = 'journal.jsonl'

/**
 * The per-batch journal (DESIGN.md, "Resume"): an append-only file of JSON lines.
 *
 * Each record is written with one write() as soon as a file completes, so it survives the
 * process being killed. fdatasync runs at most every `syncEveryMs` (and at once for CSV
 * records and on close): a completion lost to a power cut is found again on resume by reading
 * the server back, so grouping the flushes costs no safety and saves one disk flush per file
 * (100,000 files would otherwise spend minutes in fsync). A torn last line is ignored on read.
 */
export class Journal {
  private syncTimer: NodeJS.Timeout | null = null
  private closed = false

  private constructor(
    private readonly fd: number,
    readonly state: JournalState,
    private readonly syncEveryMs: number,
  ) {}

  static async open(dir: string, opts: { syncEveryMs?: number } = {}): Promise<Journal> {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const file = path.join(dir, JOURNAL_FILE)
    const { state, endsCleanly } = await replayJournal(file)
    const fd = openSync(file, 'a', 0o600)
    // A line torn by a power cut has no newline: end it, or the next record would be glued to
    // it and lost with it.
    if (!endsCleanly) writeSync(fd, '\n')
    return new Journal(fd, state, opts.syncEveryMs ?? 250)
  }

  /** The server opened `name` for this batch's bytes (recorded once per file). */
  fileStarted(name: string): void {
    if (this.state.started.has(name)) return
    this.state.started.add(name)
    this.append({ t: 'file-started', name }, false)
  }

  fileDone(name: string, size: number, mtimeMs: number, sha256: string): void {
    this.state.done.set(name, { size, mtimeMs, sha256 })
    this.state.failed.delete(name)
    this.append({ t: 'file-done', name, size, mtimeMs, sha256 }, false)
  }

  fileFailed(name: string, code: string): void {
    this.state.failed.set(name, code)
    this.append({ t: 'file-failed', name, code }, false)
  }

  csvStarted(name: string, tmp: string): void {
    this.state.csvStarted.set(name, tmp)
    this.append({ t: 'csv-started', name, tmp }, true)
  }

  csvDone(name: string, rows: number): void {
    this.state.csvDone.set(name, rows)
    this.append({ t: 'csv-done', name, rows }, true)
  }

  finished(summary: BatchSummary): void {
    this.state.finished = summary
    this.append({ t: 'finished', summary }, true)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    if (this.syncTimer) clearTimeout(this.syncTimer)
    // Closing must never crash the process: what was written is already in the file.
    try {
      fsyncSync(this.fd)
    } catch {
      // a full disk can fail the flush; the next run re-checks the server
    }
    closeSync(this.fd)
  }

  /**
   * Appends one record. A failure to write on this computer (disk full, read-only) throws a
   * coded error about this computer; the caller stops the batch, and nothing recorded is lost.
   */
  private append(record: JournalRecord, syncNow: boolean): void {
    if (this.closed) return
    try {
      writeSync(this.fd, JSON.stringify(record) + '\n')
      if (syncNow) fsyncSync(this.fd)
    } catch (err) {
      throw toLocalWriteError(err, 'the upload journal')
    }
    if (!syncNow && !this.syncTimer) {
      this.syncTimer = setTimeout(() => {
        this.syncTimer = null
        if (!this.closed) fdatasync(this.fd, () => undefined)
      }, this.syncEveryMs)
      this.syncTimer.unref()
    }
  }
}

/** Replays a journal file; a missing file is an empty journal, a torn last line is skipped. */
export async function readJournal(file: string): Promise<JournalState> {
  return (await replayJournal(file)).state
}

const isString = (v: unknown): v is string => typeof v === 'string'
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/** True when a parsed line has the shape its `t` promises (the fields replay reads). */
function isJournalRecord(value: unknown): value is JournalRecord {
  if (typeof value !== 'object' || value === null) return false
  const r = value as Record<string, unknown>
  switch (r.t) {
    case 'file-started':
      return isString(r.name)
    case 'file-done':
      return isString(r.name) && isNumber(r.size) && isNumber(r.mtimeMs) && (r.sha256 === undefined || r.sha256 === null || isString(r.sha256))
    case 'file-failed':
      return isString(r.name) && isString(r.code)
    case 'csv-started':
      return isString(r.name) && isString(r.tmp)
    case 'csv-done':
      return isString(r.name) && isNumber(r.rows)
    case 'finished':
      return typeof r.summary === 'object' && r.summary !== null
    default:
      return false
  }
}

async function replayJournal(file: string): Promise<{ state: JournalState; endsCleanly: boolean }> {
  const state: JournalState = { done: new Map(), started: new Set(), failed: new Map(), csvStarted: new Map(), csvDone: new Map(), finished: null }
  let text = ''
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  for (const line of text.split('\n')) {
    if (!line) continue
    let record: JournalRecord
    try {
      record = JSON.parse(line) as JournalRecord
    } catch {
      continue // a line torn by a power cut: its file is re-checked against the server
    }
    if (!isJournalRecord(record)) {
      // `null`, a number, an object of another shape: skipped (what it would have said is
      // re-checked against the server), with a warning naming the file, never its content.
      process.emitWarning(`A line of the journal ${file} is not a journal record; it was skipped.`, { code: 'BULK_UPLOAD_JOURNAL_LINE' })
      continue
    }
    switch (record.t) {
      case 'file-started':
        state.started.add(record.name)
        break
      case 'file-done':
        state.done.set(record.name, { size: record.size, mtimeMs: record.mtimeMs, sha256: record.sha256 ?? null })
        state.failed.delete(record.name)
        break
      case 'file-failed':
        state.failed.set(record.name, record.code)
        break
      case 'csv-started':
        state.csvStarted.set(record.name, record.tmp)
        break
      case 'csv-done':
        state.csvDone.set(record.name, record.rows)
        break
      case 'finished':
        state.finished = record.summary
        break
    }
  }
  return { state, endsCleanly: text.length === 0 || text.endsWith('\n') }
}
