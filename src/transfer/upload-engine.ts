import path from 'node:path/posix'
import type { SFTPWrapper } from 'ssh2'
import type { UploadEvent } from '../api'
import { AppError, toAppError } from '../errors'
import { ChannelPool, MAX_CHANNELS_PER_CONNECTION } from './channel-pool'
import type { ConnectTarget } from './connection'
import { uploadCsvLast, type CsvOutcome } from './csv-phase'
import { writeFile } from './file-writer'
import type { Journal } from './journal'
import { PauseGate } from './pause-gate'
import { ProgressTracker } from './progress'
import { listRemoteSizes, tailMatches } from './remote-state'
import { statSize } from './sftp-ops'
import { failureKind } from './sftp-errors'

/** One recording to send: its local file and its name in the server's root. */
export interface PlannedFile {
  localPath: string
  remoteName: string
  size: number
  mtimeMs: number
}

/** What to upload: the recordings, then a CSV the plan writes without the failed ones. */
export interface UploadPlan {
  batchId: string
  files: PlannedFile[]
  csvName: string
  /** Writes the CSV to upload to `localPath`, leaving out rows whose recording is in `omit`. */
  writeCsv(localPath: string, omit: Set<string>): Promise<{ rows: number }>
}

export interface EngineOptions {
  plan: UploadPlan
  target: ConnectTarget
  /** Remote folder; '' = the login directory (the platform's root). */
  remoteDir: string
  journal: Journal
  /** Folder for the generated CSV (the batch's state folder). */
  workDir: string
  /** Files in flight at once. @default DEFAULT_CONCURRENCY (16) */
  concurrency?: number
  /** SFTP channels per SSH connection, at most 10 (AWS Transfer). @default 8 */
  channelsPerConnection?: number
  /** Waits before each reconnect attempt; the upload is interrupted after the last. @default [1000, 2000, 5000, 10000, 30000] */
  retryDelaysMs?: number[]
  signal?: AbortSignal
  gate?: PauseGate
  onEvent?: (event: UploadEvent) => void
}

export interface FileOutcome {
  file: PlannedFile
  status: 'uploaded' | 'skipped' | 'failed' | 'not-sent'
  error?: AppError
}

export interface EngineOutcome {
  files: FileOutcome[]
  csv: CsvOutcome | null
  /** Set when the batch stopped early: connection lost after retries, cancelled, or refused. */
  stoppedBy: AppError | null
  bytesSent: number
}

/**
 * Files in flight by default. Measured by `npm run bench` (bench/RESULTS.md): on loopback 8
 * and 16 are level; on a 40 ms link 16 is about twice as fast on many files. With at most 8
 * channels per connection that is two connections, within AWS Transfer's 10 channels each.
 */
export const DEFAULT_CONCURRENCY = 16
/** Channels per connection: below AWS Transfer's limit of 10, with room to spare. */
export const DEFAULT_CHANNELS_PER_CONNECTION = 8
export const DEFAULT_RETRY_DELAYS_MS = [1000, 2000, 5000, 10000, 30000]

/**
 * Sends the recordings (several in flight, each strictly in order), then the CSV once every
 * recording it names is confirmed on the server. Survives dropped links by reconnecting with
 * backoff; stops on refusals; records every completion in the journal so a new run resumes.
 */
export async function runEngine(opts: EngineOptions): Promise<EngineOutcome> {
  const { plan, journal } = opts
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError(`Expected \`concurrency\` to be a number from 1 and up, got \`${concurrency}\``)
  }
  const perConnection = Math.min(opts.channelsPerConnection ?? DEFAULT_CHANNELS_PER_CONNECTION, MAX_CHANNELS_PER_CONNECTION, concurrency)
  const delays = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS
  const emit = opts.onEvent ?? (() => undefined)
  const gate = opts.gate ?? new PauseGate()
  const stop = new AbortController()
  const onOuterAbort = () => stop.abort(new AppError('CANCELLED'))
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true })
  if (opts.signal?.aborted) onOuterAbort()

  const bytesTotal = plan.files.reduce((sum, f) => sum + f.size, 0)
  const progress = new ProgressTracker(plan.batchId, bytesTotal, plan.files.length, emit)
  const pool = new ChannelPool(opts.target, perConnection)
  const outcomes = plan.files.map<FileOutcome>((file) => ({ file, status: 'not-sent' }))
  let stoppedBy: AppError | null = null
  let bytesSent = 0
  const remotePath = (name: string) => (opts.remoteDir ? path.join(opts.remoteDir, name) : name)
  const halt = (err: AppError) => {
    stoppedBy ??= err
    stop.abort(err)
  }

  emit({ kind: 'batch-started', batchId: plan.batchId, files: plan.files.map((f) => ({ file: f.remoteName, size: f.size })), csvName: plan.csvName })
  progress.start()
  try {
    await pool.connectFirst()
    const remoteSizes = await listRemoteSizes(await pool.acquire(0), opts.remoteDir)
    const attempted = new Set<string>()
    const confirmed = new Map<string, number>()

    let next = 0
    const worker = async (slot: number) => {
      while (!stop.signal.aborted) {
        const index = next++
        if (index >= plan.files.length) return
        const file = plan.files[index]!
        outcomes[index] = await sendWithRetries(slot, file)
      }
    }

    const sendWithRetries = async (slot: number, file: PlannedFile): Promise<FileOutcome> => {
      for (let attempt = 0; ; attempt++) {
        if (gate.paused) await gate.wait()
        if (stop.signal.aborted) return { file, status: 'not-sent' }
        try {
          const sftp = await pool.acquire(slot)
          const status = await sendOne(sftp, file)
          return { file, status }
        } catch (caught) {
          const err = toAppError(caught)
          progress.fileReset(file.remoteName)
          if (stop.signal.aborted) return { file, status: 'not-sent' }
          const kind = failureKind(err)
          if (kind === 'file') {
            journal.fileFailed(file.remoteName, err.code)
            progress.fileFinished(file.remoteName, false)
            emit({ kind: 'file-failed', batchId: plan.batchId, file: file.remoteName, error: err.toPayload() })
            return { file, status: 'failed', error: err }
          }
          if (kind === 'fatal' || attempt >= delays.length) {
            halt(err)
            return { file, status: 'not-sent', error: err }
          }
          pool.invalidate(slot)
          const delayMs = delays[attempt]!
          emit({ kind: 'file-retrying', batchId: plan.batchId, file: file.remoteName, attempt: attempt + 1, delayMs, error: err.toPayload() })
          await sleep(delayMs, stop.signal)
        }
      }
    }

    const sendOne = async (sftp: SFTPWrapper, file: PlannedFile): Promise<'uploaded' | 'skipped'> => {
      const done = journal.state.done.get(file.remoteName)
      if (done && done.size === file.size && Math.trunc(done.mtimeMs) === Math.trunc(file.mtimeMs)) {
        progress.fileSkipped(file.size)
        emit({ kind: 'file-done', batchId: plan.batchId, file: file.remoteName, skipped: true })
        return 'skipped'
      }
      const remote = remotePath(file.remoteName)
      // The listing made at the start answers the first attempt; after a failed attempt it is
      // stale for this file, so a retry asks the server again (and can continue at the offset).
      const listed = remoteSizes.has(file.remoteName)
      let remoteSize = listed ? remoteSizes.get(file.remoteName)! : attempted.has(file.remoteName) ? await statSize(sftp, remote) : null
      remoteSizes.delete(file.remoteName)
      attempted.add(file.remoteName)
      // After a failed attempt in this run, only bytes the server acknowledged count: a server
      // that was cut off may have stored later writes and not earlier ones.
      const confirmedEnd = confirmed.get(file.remoteName)
      if (remoteSize !== null && confirmedEnd !== undefined) remoteSize = Math.min(remoteSize, confirmedEnd)
      let startOffset = 0
      if (remoteSize !== null && remoteSize > 0 && remoteSize <= file.size && !done) {
        if (await tailMatches(sftp, remote, file.localPath, remoteSize)) startOffset = remoteSize
      }
      if (startOffset === file.size) {
        journal.fileDone(file.remoteName, file.size, file.mtimeMs)
        progress.fileSkipped(file.size)
        emit({ kind: 'file-done', batchId: plan.batchId, file: file.remoteName, skipped: true })
        return 'skipped'
      }
      emit({ kind: 'file-started', batchId: plan.batchId, file: file.remoteName, size: file.size })
      progress.fileStarted(file.remoteName, file.size, startOffset)
      const write = (offset: number) =>
        writeFile({
          sftp,
          localPath: file.localPath,
          remotePath: remote,
          size: file.size,
          mtimeMs: file.mtimeMs,
          startOffset: offset,
          signal: stop.signal,
          gate,
          onProgress: (sent) => progress.fileProgress(file.remoteName, sent),
          onConfirmed: (end) => confirmed.set(file.remoteName, end),
        })
      confirmed.set(file.remoteName, startOffset)
      try {
        await write(startOffset)
      } catch (err) {
        // Servers like S3 refuse writes at an offset: write the file again from the start.
        const appErr = toAppError(err)
        if (startOffset === 0 || !['WRITE_FAILED', 'PERMISSION_DENIED'].includes(appErr.code)) throw err
        progress.fileReset(file.remoteName)
        progress.fileStarted(file.remoteName, file.size, 0)
        confirmed.set(file.remoteName, 0)
        await write(0)
        startOffset = 0
      }
      bytesSent += file.size - startOffset
      journal.fileDone(file.remoteName, file.size, file.mtimeMs)
      progress.fileFinished(file.remoteName, true)
      emit({ kind: 'file-done', batchId: plan.batchId, file: file.remoteName, skipped: false })
      return 'uploaded'
    }

    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(plan.files.length, 1)) }, (_, slot) => worker(slot)))

    let csv: CsvOutcome | null = null
    if (!stoppedBy) {
      const failed = new Set(outcomes.filter((o) => o.status === 'failed').map((o) => o.file.remoteName))
      const delivered = outcomes.filter((o) => o.status === 'uploaded' || o.status === 'skipped').length
      if (delivered > 0 || plan.files.length === 0) {
        csv = await uploadCsvLast({ plan, journal, pool, remotePath, workDir: opts.workDir, omit: failed, signal: stop.signal, gate, emit, retryDelaysMs: delays })
      }
    }
    return { files: outcomes, csv, stoppedBy, bytesSent }
  } catch (caught) {
    const err = toAppError(caught)
    stoppedBy ??= err
    return { files: outcomes, csv: null, stoppedBy, bytesSent }
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort)
    progress.stop()
    pool.closeAll()
  }
}

/** Waits, or stops waiting when the batch is stopped. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
