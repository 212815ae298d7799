/**
 * The uploads a host runs: at most one job per batch, each started through the engine
 * (src/transfer/upload.ts) with events forwarded to the UI, and the interrupted ones (a journal
 * without an end, left by a crash, a closed laptop or a cancel) offered for resume. Resuming
 * is starting the same batch again: same spec and destination give the same batch id, and the
 * engine's journal skips what is already on the server.
 */
import type { BatchSpec, InterruptedBatch, UploadEvent } from '../src/api'
import type { CheckedBatch } from '../src/batch'
import { AppError } from '../src/errors'
import { batchDir, batchesDir, batchIdentity, discardBatch, listInterrupted, purgeOldBatches, readMeta, type DestinationRecord } from '../src/transfer/batch-store'
import { startUpload, type UploadDestination, type UploadJob } from '../src/transfer/upload'
import { parseBandwidthLimit, RateLimiter } from '../src/ssh/rate-limiter'
import type { LedgerLocation } from '../src/ledger/ledger-location'
import { SANDBOX_ID } from './destinations-store'
import { log } from './log'

export interface UploadRequest {
  spec: BatchSpec
  checked: CheckedBatch
  destination: UploadDestination
  /** Files in flight; absent = chosen from the link. */
  concurrency?: number
  /** Settings.bandwidthLimit (`--bwlimit` syntax); '' for no limit. */
  bandwidthLimit: string
  /** The app home (delivery ledger, platform layouts). */
  home: string
  /** Where the destination's delivery ledger is: a team ledger's address, or null for this computer's own. */
  ledger: LedgerLocation
}

/** What a window that opens during an upload needs to show it: the events that set its state. */
interface LiveBatch {
  started: UploadEvent | null
  /** The last file-done or file-failed event of each file that has ended. */
  ended: Map<string, UploadEvent>
  progress: UploadEvent | null
  paused: UploadEvent | null
}

/** Ended batches whose final event is kept for `resync`. */
const KEEP_FINALS = 20

export class UploadManager {
  private readonly jobs = new Map<string, UploadJob>()
  private readonly live = new Map<string, LiveBatch>()
  /** The last event (done or failed) of batches that ended lately, for pages that missed it. */
  private readonly finals = new Map<string, UploadEvent>()
  /** One budget for every upload running at once, as `--bwlimit` is for every file in flight. */
  private limiter: { text: string; limiter: RateLimiter } | null = null
  /** Sends an event to the pages and remembers what a page that opens later needs. */
  private readonly emit: (event: UploadEvent) => void
  /** Sends an event to the pages only. */
  private readonly send: (event: UploadEvent) => void

  constructor(
    /** Folder of the batch journals: `<app home>/batches`. */
    readonly stateDir: string,
    emit: (event: UploadEvent) => void,
  ) {
    this.send = emit
    this.emit = (event) => {
      this.remember(event)
      if (event.kind === 'batch-done' || event.kind === 'batch-failed') this.rememberFinal(event)
      emit(event)
    }
  }

  private remember(event: UploadEvent): void {
    let batch = this.live.get(event.batchId)
    if (event.kind === 'batch-started' || !batch) {
      batch = { started: null, ended: new Map(), progress: null, paused: null }
      this.live.set(event.batchId, batch)
    }
    switch (event.kind) {
      case 'batch-started':
        batch.started = event
        break
      case 'file-done':
      case 'file-failed':
        batch.ended.set(event.file, event)
        break
      case 'batch-progress':
        batch.progress = event
        break
      case 'batch-paused':
        batch.paused = event
        break
      default:
    }
  }

  /**
   * Shows a running upload to a window that opened after it started (a reloaded browser tab):
   * its events so far are sent again, in an order that rebuilds the same state.
   */
  replay(batchId: string): void {
    const batch = this.live.get(batchId)
    if (!this.jobs.has(batchId) || !batch?.started) throw new AppError('NOT_FOUND', `No upload ${batchId} is running.`)
    const events = [batch.started, ...batch.ended.values(), batch.progress, batch.paused].filter((e): e is UploadEvent => e !== null)
    for (const event of events) this.emit(event)
  }

  private rememberFinal(event: UploadEvent): void {
    this.finals.delete(event.batchId)
    this.finals.set(event.batchId, event)
    if (this.finals.size > KEEP_FINALS) this.finals.delete(this.finals.keys().next().value!)
  }

  /** Shows an upload again to a page that lost contact: replayed while it runs, its final event once it ended. */
  resync(batchId: string): void {
    if (this.jobs.has(batchId)) return this.replay(batchId)
    const final = this.finals.get(batchId)
    if (!final) throw new AppError('NOT_FOUND', `No upload ${batchId} is known to this host.`)
    this.send(final)
  }

  async start(request: UploadRequest): Promise<{ batchId: string }> {
    // One job per batch: a second start would write the same journal twice.
    if (this.jobs.has(await batchIdentity(request.spec, request.destination))) throw new AppError('BATCH_RUNNING')
    const job = await startUpload({
      spec: request.spec,
      checked: request.checked,
      destination: request.destination,
      ...(request.concurrency !== undefined ? { concurrency: request.concurrency } : {}),
      stateDir: this.stateDir,
      home: request.home,
      ledger: request.ledger,
      ...(request.bandwidthLimit ? { limiter: this.limiterFor(request.bandwidthLimit) } : {}),
      onEvent: (event) => this.emit(event),
    })
    this.jobs.set(job.batchId, job)
    job.done
      .then((result) => log('info', `batch ${job.batchId} ended: ${result.stoppedBy ? result.stoppedBy.code : 'done'}`))
      .catch((err: unknown) => {
        log('error', `batch ${job.batchId} failed`, err)
        const error = err instanceof AppError ? err : new AppError('INTERNAL', err instanceof Error ? err.message : String(err))
        this.emit({ kind: 'batch-failed', batchId: job.batchId, error: error.toPayload() })
      })
      .finally(() => {
        this.jobs.delete(job.batchId)
        this.live.delete(job.batchId)
      })
    return { batchId: job.batchId }
  }

  /** The shared limiter for a limit; a changed setting applies to uploads started after it. */
  private limiterFor(text: string): RateLimiter {
    if (this.limiter?.text !== text) this.limiter = { text, limiter: new RateLimiter(parseBandwidthLimit(text, 'settings.bandwidthLimit')) }
    return this.limiter.limiter
  }

  isRunning(batchId: string): boolean {
    return this.jobs.has(batchId)
  }

  /** How many uploads are running now (the desktop app asks before quitting). */
  get running(): number {
    return this.jobs.size
  }

  pause(batchId: string, paused: boolean): void {
    const job = this.job(batchId)
    if (paused && !job.paused) job.pause()
    else if (!paused && job.paused) job.resume()
  }

  cancel(batchId: string): void {
    this.job(batchId).cancel()
  }

  /**
   * Batches that did not finish, newest first, the running ones included: a window opened
   * during an upload (a reloaded browser tab) offers it, and "resume" shows it (`replay`).
   */
  async interrupted(): Promise<InterruptedBatch[]> {
    const root = await batchesDir(this.stateDir)
    // Where each goes and what it is, so a resumed batch is shown as a fresh one would be
    // (the sandbox's Done, "Send it to a real destination…").
    return Promise.all((await listInterrupted(this.stateDir)).map(async (b) => {
      const meta = await (async () => readMeta(batchDir(root, b.batchId)))().catch(() => null)
      if (!meta) return b
      const destinationId = meta.destination.id ?? SANDBOX_ID
      return { ...b, destinationId, sandbox: destinationId === SANDBOX_ID, spec: meta.spec }
    }))
  }

  /** What an interrupted batch was: its spec and where it was going. */
  async describe(batchId: string): Promise<{ spec: BatchSpec; destination: DestinationRecord }> {
    const meta = await readMeta(batchDir(await batchesDir(this.stateDir), batchId))
    if (!meta) throw new AppError('NOT_FOUND', `No interrupted batch ${batchId}.`)
    return { spec: meta.spec, destination: meta.destination }
  }

  async discard(batchId: string): Promise<void> {
    if (this.jobs.has(batchId)) throw new AppError('BATCH_RUNNING', 'Cancel it before discarding it.')
    await discardBatch(batchId, this.stateDir)
  }

  /** Deletes journals, generated CSVs and reports older than the retention period. */
  async purge(retentionDays: number): Promise<void> {
    const purged = await purgeOldBatches(retentionDays, this.stateDir)
    if (purged.length > 0) log('info', `purged ${purged.length} batch folders older than ${retentionDays} days`)
  }

  /** Cancels everything running and waits for the journals to close. */
  async close(): Promise<void> {
    const running = [...this.jobs.values()]
    for (const job of running) job.cancel()
    await Promise.allSettled(running.map((job) => job.done))
  }

  private job(batchId: string): UploadJob {
    const job = this.jobs.get(batchId)
    if (!job) throw new AppError('NOT_FOUND', `No upload ${batchId} is running.`)
    return job
  }
}
