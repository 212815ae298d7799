/**
 * The upload screen's state, as a pure reducer over the engine's events (STYLE.md, Uppy).
 *
 * A batch can hold 100,000 files and the engine reports every file's start and end, so copying
 * one flat array per event would be quadratic. Files live in fixed-size chunks instead: an
 * event copies only the chunk that holds its file (1,024 rows) and the short list of chunks.
 * Rows are immutable objects, so a virtualised row can skip re-rendering when its row is the
 * same object as before.
 */
import type { AppErrorPayload, BatchSummary, FileState, UploadEvent, UploadProgress } from '../../src/api'

export const CHUNK_SIZE = 1024

export interface FileRow {
  file: string
  size: number
  sent: number
  state: FileState
  /** Set while retrying or after failing: the sentence to show. */
  error: AppErrorPayload | null
  attempt: number
  /** The generated CSV: always the last row, sent after every recording it names. */
  isCsv: boolean
}

export type FileCounts = Record<FileState, number>

export interface UploadState {
  batchId: string | null
  status: 'idle' | 'running' | 'paused' | 'done' | 'failed'
  chunks: ReadonlyArray<ReadonlyArray<FileRow>>
  /** File name → row number; built once per batch and never changed afterwards. */
  index: ReadonlyMap<string, number>
  count: number
  counts: FileCounts
  progress: UploadProgress
  /**
   * Bytes of recordings confirmed on the server (done or already there): what the overall bar
   * fills with. It never goes back, even when a dropped server makes in-flight files start over.
   */
  confirmedBytes: number
  /** The most bytes sent seen so far in this batch: the headline percentage never goes back. */
  shownBytes: number
  /**
   * Bytes the batch already had on the server when this screen took it up (a batch resumed from
   * "uploads did not finish": its journal's count). Its progress never shows less.
   */
  floorBytes: number
  summary: BatchSummary | null
  error: AppErrorPayload | null
  /** The latest retry the engine scheduled (`seq` grows with each): what the screen counts down. */
  lastRetry: { attempt: number; delayMs: number; error: AppErrorPayload; seq: number } | null
  /** The CSV waits for another upload to the same destination to send its own. */
  waitingForCommit: boolean
}

const noCounts = (): FileCounts => ({ waiting: 0, uploading: 0, done: 0, skipped: 0, retrying: 0, failed: 0 })

export const initialUploadState: UploadState = {
  batchId: null,
  status: 'idle',
  chunks: [],
  index: new Map(),
  count: 0,
  counts: noCounts(),
  progress: { bytesSent: 0, bytesTotal: 0, filesDone: 0, filesTotal: 0, filesFailed: 0, bytesPerSecond: 0, etaSeconds: null },
  confirmedBytes: 0,
  shownBytes: 0,
  floorBytes: 0,
  summary: null,
  lastRetry: null,
  error: null,
  waitingForCommit: false,
}

/** The row at a position, or undefined past the end. */
export function rowAt(state: UploadState, i: number): FileRow | undefined {
  return state.chunks[Math.floor(i / CHUNK_SIZE)]?.[i % CHUNK_SIZE]
}

function started(state: UploadState, event: Extract<UploadEvent, { kind: 'batch-started' }>): UploadState {
  const rows: FileRow[] = event.files.map((f) => ({ file: f.file, size: f.size, sent: 0, state: 'waiting', error: null, attempt: 0, isCsv: false }))
  rows.push({ file: event.csvName, size: 0, sent: 0, state: 'waiting', error: null, attempt: 0, isCsv: true })
  const chunks: FileRow[][] = []
  for (let i = 0; i < rows.length; i += CHUNK_SIZE) chunks.push(rows.slice(i, i + CHUNK_SIZE))
  const index = new Map<string, number>()
  rows.forEach((r, i) => index.set(r.file, i))
  const bytesTotal = event.files.reduce((sum, f) => sum + f.size, 0)
  return {
    ...initialUploadState,
    batchId: event.batchId,
    // The same batch started again (a replay, a resume): what it had on the server stays.
    floorBytes: state.batchId === event.batchId ? state.floorBytes : 0,
    status: 'running',
    chunks,
    index,
    count: rows.length,
    counts: { ...noCounts(), waiting: rows.length },
    progress: { ...initialUploadState.progress, bytesTotal, filesTotal: rows.length },
  }
}

/** Replaces one row, copying only its chunk, and keeps the per-state counts in step. */
function updateRow(state: UploadState, file: string, change: (row: FileRow) => FileRow): UploadState {
  const i = state.index.get(file)
  if (i === undefined) return state
  const c = Math.floor(i / CHUNK_SIZE)
  const chunk = state.chunks[c]
  const before = chunk?.[i % CHUNK_SIZE]
  if (!chunk || !before) return state
  const after = change(before)
  if (after === before) return state
  const nextChunk = chunk.slice()
  nextChunk[i % CHUNK_SIZE] = after
  const chunks = state.chunks.slice()
  chunks[c] = nextChunk
  let counts = state.counts
  if (after.state !== before.state) {
    counts = { ...counts, [before.state]: counts[before.state] - 1 }
    counts[after.state] += 1
  }
  return { ...state, chunks, counts }
}

/**
 * The state for a screen awaiting `batchId`: kept as is if it already shows that batch.
 * `floorBytes`: what a resumed batch already has on the server (its progress starts there).
 */
export function watchBatch(state: UploadState, batchId: string, floorBytes = 0): UploadState {
  if (state.batchId !== batchId) return { ...initialUploadState, batchId, floorBytes }
  return floorBytes > state.floorBytes ? { ...state, floorBytes } : state
}

/** A stopped batch sends nothing more: files that were in flight or waiting to retry are not sent. */
function stopInFlight(state: UploadState): UploadState {
  if (state.counts.uploading + state.counts.retrying === 0) return state
  const inFlight = (r: FileRow) => r.state === 'uploading' || r.state === 'retrying'
  const chunks = state.chunks.map((chunk) => (chunk.some(inFlight) ? chunk.map((r) => (inFlight(r) ? { ...r, state: 'waiting' as const, sent: 0 } : r)) : chunk))
  const counts = { ...state.counts, waiting: state.counts.waiting + state.counts.uploading + state.counts.retrying, uploading: 0, retrying: 0 }
  return { ...state, chunks, counts }
}

/**
 * The upload's figures, computed in this one place for the headline, the bar (and what it
 * tells screen readers), the tab title and "Not sent", so a resumed, replayed or fresh batch
 * cannot show two answers to one question.
 */
export interface OverallFigures {
  /**
   * Percentage of the batch on the server, confirmed (0..100, never going back): the headline,
   * the bar's solid part and what it tells screen readers, the tab title. Only confirmed bytes
   * survive a restart (the journal counts the same), so a resumed batch shows what it showed.
   */
  sentPct: number
  /** Percentage written, confirmed or still in flight (0..100, never going back): the bar's lighter part. */
  writtenPct: number
  /** Recordings of this batch not sent: failed ones, and once it stopped every one unfinished. */
  notSent: number
  /** Files being sent or waiting to be sent again, while the batch runs. */
  inFlight: number
}

export function overallFigures(state: UploadState): OverallFigures {
  const p = state.progress
  const confirmed = Math.max(state.confirmedBytes, state.floorBytes)
  const sent = Math.max(state.shownBytes, confirmed)
  const total = p.bytesTotal
  const pct = (part: number, whole: number) => (whole > 0 ? Math.min(100, (part / whole) * 100) : 0)
  const filesPct = pct(p.filesDone, p.filesTotal)
  const stopped = state.status === 'failed'
  const running = state.status === 'running' || state.status === 'paused'
  return {
    sentPct: total > 0 ? pct(confirmed, total) : filesPct,
    writtenPct: total > 0 ? pct(sent, total) : filesPct,
    // Recordings, as "Files" counts them: a stopped batch's CSV (its last row) is never sent either.
    notSent: stopped ? Math.max(0, state.count - 1 - state.counts.done - state.counts.skipped) : state.counts.failed,
    inFlight: running ? state.counts.uploading + state.counts.retrying : 0,
  }
}

/** Pure: the same state and event always give the same next state; inputs are never changed. */
export function uploadReducer(state: UploadState, event: UploadEvent): UploadState {
  if (event.kind === 'batch-started') return started(state, event)
  // A batch with nothing left to send (complete, or every row already delivered) ends without
  // starting, and its end can arrive before the call that started it answers: take it while no
  // batch is on screen. The screen then keeps it only if it is the one it awaits (watchBatch).
  if (state.batchId === null && (event.kind === 'batch-done' || event.kind === 'batch-failed')) state = { ...state, batchId: event.batchId }
  // Events of another batch (a late event from a cancelled one) must not touch this screen.
  if (event.batchId !== state.batchId) return state
  switch (event.kind) {
    case 'file-started':
      return updateRow(state, event.file, (r) => ({ ...r, size: event.size, state: 'uploading', error: null }))
    case 'file-progress':
      return updateRow(state, event.file, (r) =>
        r.sent === event.sent && r.state === 'uploading' ? r : { ...r, sent: event.sent, size: event.size, state: 'uploading' })
    case 'file-done': {
      const i = state.index.get(event.file)
      const before = i === undefined ? undefined : rowAt(state, i)
      const next = updateRow(state, event.file, (r) => ({ ...r, sent: r.size, state: event.skipped ? 'skipped' : 'done', error: null }))
      const counted = !before || before.isCsv || before.state === 'done' || before.state === 'skipped'
      return counted ? next : { ...next, confirmedBytes: Math.min(next.progress.bytesTotal, next.confirmedBytes + before.size) }
    }
    case 'file-retrying': {
      const next = updateRow(state, event.file, (r) => ({ ...r, sent: 0, state: 'retrying', attempt: event.attempt, error: event.error }))
      return { ...next, lastRetry: { attempt: event.attempt, delayMs: event.delayMs, error: event.error, seq: (state.lastRetry?.seq ?? 0) + 1 } }
    }
    case 'file-failed':
      // A file stopped by Cancel did not fail: it is simply not sent yet (the next run sends it).
      if (event.error.code === 'CANCELLED') return updateRow(state, event.file, (r) => ({ ...r, state: 'waiting', error: null }))
      return updateRow(state, event.file, (r) => ({ ...r, state: 'failed', error: event.error }))
    case 'batch-progress':
      return { ...state, progress: event.progress, shownBytes: Math.max(state.shownBytes, Math.min(event.progress.bytesSent, event.progress.bytesTotal)) }
    case 'batch-paused':
      if (state.status !== 'running' && state.status !== 'paused') return state
      return { ...state, status: event.paused ? 'paused' : 'running' }
    case 'batch-waiting':
      return { ...state, waitingForCommit: event.waiting }
    case 'batch-done':
      return { ...state, status: 'done', summary: event.summary }
    case 'batch-failed':
      return { ...stopInFlight(state), status: 'failed', error: event.error }
  }
}
