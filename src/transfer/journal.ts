import { closeSync, fdatasync, fsyncSync, openSync, writeSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { BatchSummary } from '../api'

/** One line of a batch journal. */
export type JournalRecord =
  | { t: 'file-done'; name: string; size: number; mtimeMs: number }
  | { t: 'file-failed'; name: string; code: string }
  | { t: 'csv-started'; name: string; tmp: string }
  | { t: 'csv-done'; name: string; rows: number }
  | { t: 'finished'; summary: BatchSummary }

/** What a journal says happened so far; later lines win. */
export interface JournalState {
  done: Map<string, { size: number; mtimeMs: number }>
  failed: Map<string, string>
  csvStarted: { name: string; tmp: string } | null
  csvDone: { name: string; rows: number } | null
  finished: BatchSummary | null
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

  fileDone(name: string, size: number, mtimeMs: number): void {
    this.state.done.set(name, { size, mtimeMs })
    this.state.failed.delete(name)
    this.append({ t: 'file-done', name, size, mtimeMs }, false)
  }

  fileFailed(name: string, code: string): void {
    this.state.failed.set(name, code)
    this.append({ t: 'file-failed', name, code }, false)
  }

  csvStarted(name: string, tmp: string): void {
    this.state.csvStarted = { name, tmp }
    this.append({ t: 'csv-started', name, tmp }, true)
  }

  csvDone(name: string, rows: number): void {
    this.state.csvDone = { name, rows }
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
    fsyncSync(this.fd)
    closeSync(this.fd)
  }

  private append(record: JournalRecord, syncNow: boolean): void {
    if (this.closed) return
    writeSync(this.fd, JSON.stringify(record) + '\n')
    if (syncNow) {
      fsyncSync(this.fd)
    } else if (!this.syncTimer) {
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

async function replayJournal(file: string): Promise<{ state: JournalState; endsCleanly: boolean }> {
  const state: JournalState = { done: new Map(), failed: new Map(), csvStarted: null, csvDone: null, finished: null }
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
    switch (record.t) {
      case 'file-done':
        state.done.set(record.name, { size: record.size, mtimeMs: record.mtimeMs })
        state.failed.delete(record.name)
        break
      case 'file-failed':
        state.failed.set(record.name, record.code)
        break
      case 'csv-started':
        state.csvStarted = { name: record.name, tmp: record.tmp }
        break
      case 'csv-done':
        state.csvDone = { name: record.name, rows: record.rows }
        break
      case 'finished':
        state.finished = record.summary
        break
    }
  }
  return { state, endsCleanly: text.length === 0 || text.endsWith('\n') }
}
