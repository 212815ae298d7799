import { setMaxListeners } from 'node:events'
import path from 'node:path/posix'
import type { SFTPWrapper } from 'ssh2'
import type { UploadEvent } from '../api'
import { AppError, toAppError } from '../errors'
import { ChannelPool, MAX_CHANNELS_PER_CONNECTION } from '../ssh/channel-pool'
import type { ConnectTarget } from '../ssh/connection'
import { sleep } from '../abortable-sleep'
import { uploadCsvLast, type CsvOutcome } from './csv-phase'
import { hashLocalFile, LocalFileChangedError, writeFile, type ByteBudget, type WrittenFile } from './file-writer'
import { HashWorker } from './hash-worker'
import type { Journal } from './journal'
import { PauseGate } from './pause-gate'
import { ProgressTracker } from './progress'
import { canContinueAtOffset, samplesMatch } from './remote-state'
import { remove, statSize } from './sftp-ops'
import { failureKind, refused } from './sftp-errors'

/** One recording to send: its local file and its name in the server's root. */
export interface PlannedFile {
  localPath: string
  remoteName: string
  size: number
  mtimeMs: number
}

/** A recording confirmed on the server: what the delivery ledger records of it. */
export interface SentFile {
  size: number
  sha256: string
}

/** A row written to this run's CSV: its contact reference and its recording's remote name. */
export interface CsvConversation {
  reference: string
  recording: string
}

/** This run's CSV, confirmed on the server. */
export interface DeliveredCsv {
  name: string
  rows: number
  conversations: CsvConversation[]
  /** The recordings on the server (sent now or earlier), by remote name. */
  files: Map<string, SentFile>
  /** Recording bytes sent by this run. */
  bytes: number
}

/** What to upload: the recordings, then a CSV the plan writes without the failed ones. */
export interface UploadPlan {
  batchId: string
  files: PlannedFile[]
  /** This run's CSV name: unique per delivery, so each CSV holds rows no other CSV holds. */
  csvName: string
  /** Writes the CSV to upload to `localPath`, leaving out rows whose recording is in `omit`. */
  writeCsv(localPath: string, omit: Set<string>): Promise<{ rows: number; conversations: CsvConversation[] }>
  /** Records the delivery once the CSV is confirmed on the server, before the journal says so. */
  recordDelivery(csv: DeliveredCsv): void | Promise<void>
  /**
   * Takes the destination's commit point (csv-phase.ts): held from writing the CSV until the
   * delivery is recorded, so overlapping runs deliver each conversation once. Returns its release.
   */
  enterCommitPoint?(signal: AbortSignal): Promise<() => void>
  /** What the delivery ledger knows of a recording name (for files found on the server). */
  knownRecording?(remoteName: string): SentFile | null
  /**
   * Whether another run delivered this recording name since this one started (the app beside
   * a nightly job, sharing its ledger): the file on the server is then part of that delivery.
   */
  deliveredMeanwhile?(remoteName: string): boolean
}

export interface EngineOptions {
  plan: UploadPlan
  /** Connections to the server; the caller closes them. */
  pool: ChannelPool
  /** Remote folder; '' = the login directory (the platform's root). */
  remoteDir: string
  /** Sizes of the files already in the remote folder (one listing, made by the caller). */
  remoteSizes: Map<string, number>
  journal: Journal
  /** Folder for the generated CSV (the batch's state folder). */
  workDir: string
  /** Files in flight at once. @default autoConcurrency(roundTripMs) */
  concurrency?: number
  /** The link's round trip (timeRoundTrip), for the automatic files in flight. */
  roundTripMs?: number | null
  /** Waits before each reconnect attempt; the upload is interrupted after the last. @default [1000, 2000, 5000, 10000, 30000] */
  retryDelaysMs?: number[]
  signal?: AbortSignal
  gate?: PauseGate
  /** `--bwlimit`: one budget for all files in flight. @default no limit */
  limiter?: ByteBudget
  onEvent?: (event: UploadEvent) => void
}

export interface FileOutcome {
  file: PlannedFile
  status: 'uploaded' | 'skipped' | 'failed' | 'not-sent'
  sent?: SentFile
  error?: AppError
  /**
   * The server refused to reopen this batch's own partial copy (ProFTPD's AllowOverwrite off),
   * so it was removed and written again from the start: the report says so.
   */
  rewritten?: boolean
  /**
   * Skipped because this batch put it on the server in an earlier attempt (the journal says
   * it finished or opened it), not because it was there before the batch: reports count such
   * rows as sent by this batch.
   */
  sentEarlier?: boolean
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
/** The most files in flight chosen for a long link: 8 connections of 8 channels. */
export const MAX_AUTO_CONCURRENCY = 64

/**
 * Files in flight when the user sets none. Each file waits two round trips (its OPEN, then its
 * last WRITE's, CLOSE's and STAT's answers), so on a long link more files keep it busy:
 * DEFAULT_CONCURRENCY per 10 ms of round trip (rounded), up to MAX_AUTO_CONCURRENCY. Measured by `npm run bench` on a 40 ms link: 64 files in flight send
 * 400 x 256 KiB 1.33x faster than 16 (bench/RESULTS.md).
 */
export function autoConcurrency(roundTripMs: number | null): number {
  if (roundTripMs === null || !Number.isFinite(roundTripMs)) return DEFAULT_CONCURRENCY
  // Whole steps of DEFAULT_CONCURRENCY (two connections each): a loopback answer delayed by a
  // busy computer (under 15 ms) keeps the default.
  const steps = Math.max(1, Math.round(roundTripMs / 10))
  return Math.min(MAX_AUTO_CONCURRENCY, DEFAULT_CONCURRENCY * steps)
}

/** Channels per connection: below AWS Transfer's limit of 10, with room to spare. */
export const DEFAULT_CHANNELS_PER_CONNECTION = 8
export const DEFAULT_RETRY_DELAYS_MS = [1000, 2000, 5000, 10000, 30000]
/** A recording that changes while it is sent this many times in a row fails with LOCAL_FILE_CHANGED. */
export const MAX_LOCAL_CHANGES = 3

/** A pool sized for `concurrency` files in flight, at most `channelsPerConnection` channels each. */
export function createPool(target: ConnectTarget, concurrency = DEFAULT_CONCURRENCY, channelsPerConnection = DEFAULT_CHANNELS_PER_CONNECTION): ChannelPool {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError(`Expected \`concurrency\` to be a number from 1 and up, got \`${concurrency}\``)
  }
  return new ChannelPool(target, Math.min(channelsPerConnection, MAX_CHANNELS_PER_CONNECTION, concurrency))
}

/**
 * Sends the recordings (several in flight, each strictly in order), then the CSV once every
 * recording it names is confirmed on the server. Survives dropped links by reconnecting with
 * backoff; stops on refusals; records every completion in the journal so a new run resumes.
 * A cancel stops sending and never starts the CSV phase.
 */
export function runEngine(opts: EngineOptions): Promise<EngineOutcome> {
  return new UploadRun(opts).run()
}

class UploadRun {
  private readonly plan: UploadPlan
  private readonly journal: Journal
  private readonly delays: number[]
  private readonly emit: (event: UploadEvent) => void
  private readonly gate: PauseGate
  private readonly stop = new AbortController()
  private readonly progress: ProgressTracker
  private readonly outcomes: FileOutcome[]
  private stoppedBy: AppError | null = null
  private bytesSent = 0
  private nextIndex = 0
  /** Files whose first attempt in this run has been made: a retry asks the server again. */
  private readonly attempted = new Set<string>()
  /** Per file, the end of the bytes the server acknowledged in this run. */
  private readonly confirmed = new Map<string, number>()
  /** Files with bytes on the server that are not a complete, confirmed copy. */
  private readonly halfSent = new Set<string>()
  /** Hashes large files off the main thread where the writer cannot read into ssh2's packets; its thread starts only then. */
  private readonly hasher = new HashWorker()

  constructor(private readonly opts: EngineOptions) {
    this.plan = opts.plan
    this.journal = opts.journal
    this.delays = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS
    this.emit = opts.onEvent ?? (() => undefined)
    this.gate = opts.gate ?? new PauseGate()
    const bytesTotal = this.plan.files.reduce((sum, f) => sum + f.size, 0)
    this.progress = new ProgressTracker(this.plan.batchId, bytesTotal, this.plan.files.length, this.emit)
    this.outcomes = this.plan.files.map<FileOutcome>((file) => ({ file, status: 'not-sent' }))
  }

  private readonly onOuterAbort = () => this.halt(new AppError('CANCELLED'))

  async run(): Promise<EngineOutcome> {
    const { signal } = this.opts
    signal?.addEventListener('abort', this.onOuterAbort, { once: true })
    if (signal?.aborted) this.onOuterAbort()
    const concurrency = this.opts.concurrency ?? autoConcurrency(this.opts.roundTripMs ?? null)
    // Every file in flight listens for the stop (its writer and its retry wait): not a leak.
    setMaxListeners(concurrency * 2 + 10, this.stop.signal)
    this.emit({ kind: 'batch-started', batchId: this.plan.batchId, files: this.plan.files.map((f) => ({ file: f.remoteName, size: f.size })), csvName: this.plan.csvName })
    this.progress.start()
    let csv: CsvOutcome | null = null
    try {
      const slots = Math.min(concurrency, Math.max(this.plan.files.length, 1))
      await Promise.all(Array.from({ length: slots }, (_, slot) => this.worker(slot)))
      await this.removeHalfSent()
      if (!this.stoppedBy && this.outcomes.some((o) => o.status === 'uploaded' || o.status === 'skipped')) csv = await this.sendCsv()
    } catch (caught) {
      this.stoppedBy ??= toAppError(caught)
    } finally {
      signal?.removeEventListener('abort', this.onOuterAbort)
      this.progress.stop()
      void this.hasher.close()
    }
    return { files: this.outcomes, csv, stoppedBy: this.stoppedBy, bytesSent: this.bytesSent }
  }

  /**
   * Stops the batch; the first reason wins (a cancel stays a cancel). Files in flight stop at
   * once and the connections are dropped, discarding the writes still queued behind them: on a
   * slow link those took a minute to drain. Half-sent files are dealt with on a new connection.
   */
  private halt(err: AppError): void {
    if (this.stop.signal.aborted) return
    this.stoppedBy ??= err
    this.stop.abort(err)
    this.opts.pool.abort()
  }

  private remotePath(name: string): string {
    return this.opts.remoteDir ? path.join(this.opts.remoteDir, name) : name
  }

  private async worker(slot: number): Promise<void> {
    while (!this.stop.signal.aborted) {
      const index = this.nextIndex++
      if (index >= this.plan.files.length) return
      this.outcomes[index] = await this.sendWithRetries(slot, this.plan.files[index]!)
    }
  }

  private async sendWithRetries(slot: number, file: PlannedFile): Promise<FileOutcome> {
    for (let attempt = 0; ; attempt++) {
      if (this.gate.paused) await this.gate.wait()
      if (this.stop.signal.aborted) return { file, status: 'not-sent' }
      try {
        const sftp = await this.opts.pool.acquire(slot)
        return await this.sendOne(sftp, file)
      } catch (caught) {
        const err = toAppError(caught)
        this.progress.fileReset(file.remoteName)
        if (this.stop.signal.aborted) return { file, status: 'not-sent' }
        const kind = failureKind(err)
        if (kind === 'file') {
          this.journal.fileFailed(file.remoteName, err.code)
          this.progress.fileFinished(file.remoteName, false)
          this.emit({ kind: 'file-failed', batchId: this.plan.batchId, file: file.remoteName, error: err.toPayload() })
          return { file, status: 'failed', error: err }
        }
        if (kind === 'fatal' || attempt >= this.delays.length) {
          this.halt(err)
          return { file, status: 'not-sent', error: err }
        }
        this.opts.pool.invalidate(slot)
        const delayMs = this.delays[attempt]!
        this.emit({ kind: 'file-retrying', batchId: this.plan.batchId, file: file.remoteName, attempt: attempt + 1, delayMs, error: err.toPayload() })
        await sleep(delayMs, this.stop.signal)
      }
    }
  }

  private async sendOne(sftp: SFTPWrapper, file: PlannedFile): Promise<FileOutcome> {
    const done = this.journal.state.done.get(file.remoteName)
    const sameAsJournal = done !== undefined && done.size === file.size && Math.trunc(done.mtimeMs) === Math.trunc(file.mtimeMs)
    // What the server holds under this name is this batch's own doing (an earlier attempt).
    const ours = sameAsJournal || this.journal.state.started.has(file.remoteName)
    if (sameAsJournal && done.sha256) return this.skipped(file, { size: done.size, sha256: done.sha256 }, ours)
    if (this.plan.deliveredMeanwhile?.(file.remoteName)) return this.deliveredElsewhere(file)
    const remote = this.remotePath(file.remoteName)
    // The caller's listing answers the first attempt; after a failed attempt it is stale for
    // this file, so a retry asks the server again (and can continue at the offset).
    const listed = this.opts.remoteSizes.get(file.remoteName)
    let remoteSize = listed !== undefined ? listed : this.attempted.has(file.remoteName) ? await statSize(sftp, remote) : null
    this.opts.remoteSizes.delete(file.remoteName)
    // A retry in this run: what the server holds complete is what this run's first try sent.
    const retried = this.attempted.has(file.remoteName)
    this.attempted.add(file.remoteName)
    // After a failed attempt in this run, only bytes the server acknowledged count: a server
    // that was cut off may have stored later writes and not earlier ones.
    const confirmedEnd = this.confirmed.get(file.remoteName)
    if (remoteSize !== null && confirmedEnd !== undefined) remoteSize = Math.min(remoteSize, confirmedEnd)
    if (remoteSize === file.size && remoteSize > 0) {
      const found = await this.completeOnServer(sftp, file, remote, sameAsJournal)
      if (found && retried) return this.sentByThisRun(file, found)
      if (found) return this.skipped(file, found, ours)
    }
    let startOffset = 0
    if (remoteSize !== null && remoteSize > 0 && remoteSize < file.size && (await samplesMatch(sftp, remote, file.localPath, remoteSize))) startOffset = remoteSize
    return this.write(sftp, file, remote, startOffset)
  }

  /**
   * A remote file of the right size: the same recording when this computer's records say so
   * (journal, or the ledger's sha256 equal to the local file's), or, with no record, when its
   * head, middle and tail equal the local bytes. Null when it must be sent again.
   */
  private async completeOnServer(sftp: SFTPWrapper, file: PlannedFile, remote: string, inJournal: boolean): Promise<SentFile | null> {
    const known = this.plan.knownRecording?.(file.remoteName) ?? null
    if (!inJournal && !(known && known.size === file.size) && !(await samplesMatch(sftp, remote, file.localPath, file.size))) return null
    const local = await hashLocalFile(file.localPath)
    if (local.size !== file.size) return null
    if (known && known.size === file.size && known.sha256 !== local.sha256) return null
    this.journal.fileDone(file.remoteName, local.size, local.mtimeMs, local.sha256)
    return { size: local.size, sha256: local.sha256 }
  }

  private skipped(file: PlannedFile, sent: SentFile, sentEarlier: boolean): FileOutcome {
    // Found complete (e.g. after a retry whose first attempt did finish): not half-sent.
    this.halfSent.delete(file.remoteName)
    this.progress.fileSkipped(file.size)
    this.emit({ kind: 'file-done', batchId: this.plan.batchId, file: file.remoteName, skipped: true })
    return { file, status: 'skipped', sent, ...(sentEarlier ? { sentEarlier: true } : {}) }
  }

  /**
   * Delivered by another run since this one started: writing it now would truncate a recording
   * that run's CSV already names (and, killed midway, leave it cut for good, since that run's
   * rows are delivered and no run sends it again). Shown as found on the server; kept out of
   * this run's CSV, where the commit point leaves its rows out as delivered meanwhile.
   */
  private deliveredElsewhere(file: PlannedFile): FileOutcome {
    this.progress.fileSkipped(file.size)
    this.emit({ kind: 'file-done', batchId: this.plan.batchId, file: file.remoteName, skipped: true })
    const error = new AppError('DELIVERED_BY_ANOTHER_RUN', `${file.remoteName}: delivered by another upload to this destination while this one ran`)
    return { file, status: 'failed', error }
  }

  /**
   * A try of this run finished the file but its confirmation was lost with the connection: it
   * was uploaded by this run, not found there (a link cut mid-upload counted it as skipped).
   */
  private sentByThisRun(file: PlannedFile, sent: SentFile): FileOutcome {
    this.halfSent.delete(file.remoteName)
    this.progress.fileSkipped(file.size)
    this.emit({ kind: 'file-done', batchId: this.plan.batchId, file: file.remoteName, skipped: false })
    return { file, status: 'uploaded', sent }
  }

  /** Sends the file; a file that changes while it is sent is sent again, MAX_LOCAL_CHANGES times at most. */
  private async write(sftp: SFTPWrapper, file: PlannedFile, remote: string, startOffset: number): Promise<FileOutcome> {
    for (let changes = 1; ; changes++) {
      this.emit({ kind: 'file-started', batchId: this.plan.batchId, file: file.remoteName, size: file.size })
      this.progress.fileStarted(file.remoteName, file.size, startOffset)
      this.halfSent.add(file.remoteName)
      let written: WrittenFile & { rewritten?: boolean }
      try {
        // After a change, the file is sent as it is now, not as the batch's scan saw it.
        written = await this.writeFrom(sftp, file, remote, startOffset, changes > 1)
      } catch (err) {
        if (!(err instanceof LocalFileChangedError) || changes >= MAX_LOCAL_CHANGES || this.stop.signal.aborted) throw err
        this.progress.fileReset(file.remoteName)
        this.emit({ kind: 'file-retrying', batchId: this.plan.batchId, file: file.remoteName, attempt: changes, delayMs: 0, error: err.toPayload() })
        startOffset = 0
        continue
      }
      this.halfSent.delete(file.remoteName)
      this.bytesSent += written.size - written.resumedAt
      this.journal.fileDone(file.remoteName, written.size, written.mtimeMs, written.sha256)
      this.progress.fileFinished(file.remoteName, true)
      this.emit({ kind: 'file-done', batchId: this.plan.batchId, file: file.remoteName, skipped: false })
      return { file, status: 'uploaded', sent: { size: written.size, sha256: written.sha256 }, ...(written.rewritten ? { rewritten: true } : {}) }
    }
  }

  private async writeFrom(sftp: SFTPWrapper, file: PlannedFile, remote: string, startOffset: number, statAtOpen: boolean): Promise<WrittenFile & { rewritten?: boolean }> {
    let opened = false
    const write = (offset: number) => {
      opened = false
      return writeFile({
        sftp,
        localPath: file.localPath,
        remotePath: remote,
        size: file.size,
        mtimeMs: file.mtimeMs,
        startOffset: offset,
        statAtOpen,
        signal: this.stop.signal,
        gate: this.gate,
        onProgress: (sent) => this.progress.fileProgress(file.remoteName, sent),
        onConfirmed: (end) => this.confirmed.set(file.remoteName, end),
        onOpened: () => {
          opened = true
          this.journal.fileStarted(file.remoteName)
        },
        ...(this.opts.limiter ? { limiter: this.opts.limiter } : {}),
        hasher: this.hasher,
      })
    }
    const fromStart = () => {
      this.progress.fileReset(file.remoteName)
      this.progress.fileStarted(file.remoteName, file.size, 0)
      this.confirmed.set(file.remoteName, 0)
    }
    this.confirmed.set(file.remoteName, startOffset)
    try {
      return await write(startOffset)
    } catch (err) {
      if (!refused(err)) throw err
      if (!opened && this.journal.state.started.has(file.remoteName)) return this.rewrite(sftp, remote, write, fromStart)
      // Servers like S3 refuse writes at an offset: write the file again from the start.
      if (startOffset === 0) throw err
      fromStart()
      try {
        return await write(0)
      } catch (again) {
        if (!refused(again) || opened || !this.journal.state.started.has(file.remoteName)) throw again
        return this.rewrite(sftp, remote, write, fromStart)
      }
    }
  }

  /**
   * The server refused to open this batch's own copy of the file for writing, at its offset or
   * from the start (ProFTPD with its default AllowOverwrite off refuses both): the copy is
   * removed and written again from the start. Only a file the journal says this batch started
   * is removed, never a file it did not write; and the platform never read it, as no CSV names
   * a recording before it is confirmed.
   */
  private async rewrite(sftp: SFTPWrapper, remote: string, write: (offset: number) => Promise<WrittenFile>, fromStart: () => void): Promise<WrittenFile & { rewritten: true }> {
    fromStart()
    await remove(sftp, remote)
    return { ...(await write(0)), rewritten: true }
  }

  /**
   * Files left half-sent by a failure or a cancel: where the server cannot continue a file at
   * an offset (S3-like), what it holds under the final name is a truncated recording, so it
   * is removed now. Where it can (OpenSSH), it stays for the next run to continue. Without a
   * connection nothing can be removed: the next run replaces it.
   */
  private async removeHalfSent(): Promise<void> {
    // Only files that did not end on the server: a complete copy is never removed.
    const complete = new Set(this.outcomes.filter((o) => o.status === 'uploaded' || o.status === 'skipped').map((o) => o.file.remoteName))
    const half = [...this.halfSent].filter((name) => !complete.has(name))
    if (half.length === 0) return
    try {
      const sftp = await this.opts.pool.acquire(0)
      if (await canContinueAtOffset(sftp, this.opts.remoteDir)) return
      for (const name of half) await remove(sftp, this.remotePath(name)).catch(() => undefined)
      this.halfSent.clear()
    } catch {
      // the connection is gone: the next run writes these files again from the start
    }
  }

  private async sendCsv(): Promise<CsvOutcome | null> {
    const omit = new Set(this.outcomes.filter((o) => o.status !== 'uploaded' && o.status !== 'skipped').map((o) => o.file.remoteName))
    const files = new Map<string, SentFile>()
    for (const o of this.outcomes) if (o.sent) files.set(o.file.remoteName, o.sent)
    return uploadCsvLast({
      plan: this.plan,
      journal: this.journal,
      pool: this.opts.pool,
      remotePath: (name) => this.remotePath(name),
      workDir: this.opts.workDir,
      omit,
      files,
      bytesSent: () => this.bytesSent,
      signal: this.stop.signal,
      gate: this.gate,
      emit: this.emit,
      retryDelaysMs: this.delays,
    })
  }
}
