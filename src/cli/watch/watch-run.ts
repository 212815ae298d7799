/**
 * The `watch` loop: finds batches under a root, takes each once its files have settled (a
 * single pass too: settle.ts), and sends it through the same pipeline as `upload`
 * (upload-batch.ts). The ledger leaves out rows already delivered, so overlapping exports send
 * only what is new, and a restart sends nothing twice. A batch with blocking problems is
 * skipped and reported; the others go on. Only what a rerun fixes (exit 3) is tried again:
 * a refusal or a damaged file in the app home stops the watch, since every batch would meet it.
 */
import { watch as watchFs, type FSWatcher } from 'node:fs'
import type { AppErrorPayload } from '../../api'
import { toAppError, type AppError } from '../../errors'
import { redact } from '../../ssh/proxy'
import type { UploadJob } from '../../transfer/upload'
import { EXIT, exitCodeFor, isRefusal, worseExit, type ExitCode } from '../exit-codes'
import { appendRunLog } from '../run-log'
import { prepareBatch, prepareSender, sendBatch, type PreparedBatch, type Sender, type SendOptions } from '../upload-batch'
import { findBatches, type FoundBatch } from './find-batches'
import { DEFAULT_SETTLE_SECONDS, unsettledFolder } from './settle'

export interface WatchOptions extends SendOptions {
  csvName?: string
  interval: number
  settle: number
  once?: boolean
  json?: boolean
}

/** What became of one batch: the `--json` line and the log line are made from it. */
export interface BatchOutcome {
  folder: string
  result: 'delivered' | 'nothing-new' | 'skipped' | 'stopped' | 'not-settled'
  batch?: string
  uploaded?: number
  /** Rows whose recording an interrupted earlier attempt of this batch sent. */
  sentEarlier?: number
  skipped?: number
  excluded?: number
  failed?: number
  alreadyDelivered?: number
  csv?: string | null
  bytes?: number
  error?: AppErrorPayload
  /** not-settled: the age of the folder's newest file (s), and from when a pass takes it (ISO). */
  newestFileAgeSeconds?: number
  takenFrom?: string
  /** Exit code this outcome asks for (the pass exits with the worst). */
  exit: ExitCode
}

export class WatchRun {
  private sender: Sender | null = null
  /** Per folder: the signature already handled, and since when the current one has been seen. */
  private readonly handled = new Map<string, string>()
  private readonly seen = new Map<string, { signature: string; since: number }>()
  private readonly startedAt = Date.now()
  private current: UploadJob | null = null
  private stopping = false
  private wake: (() => void) | null = null
  private watcher: FSWatcher | null = null
  /** The worst exit of the batches so far; `halted`, the exit that stopped the watch. */
  exit: ExitCode = EXIT.OK
  private halted: ExitCode | null = null

  constructor(
    private readonly root: string,
    private readonly opts: WatchOptions,
    private readonly print: (outcome: BatchOutcome) => void,
  ) {}

  /** Stops after the batch in flight (cancelled: its journal lets the next run finish it). */
  stop(): void {
    this.stopping = true
    this.current?.cancel()
    this.wake?.()
  }

  async run(): Promise<number> {
    this.sender = await prepareSender(this.opts)
    await appendRunLog(`watch ${this.root} to ${this.opts.user}@${this.opts.host}:${this.opts.port}${this.opts.proxy ? ` via ${redact(this.opts.proxy)}` : ''}${this.opts.bwlimit ? ` bwlimit ${this.opts.bwlimit}` : ''}${this.opts.once ? ' (once)' : ''}`)
    if (this.opts.once) {
      await this.pass(true)
      return this.exit
    }
    this.watchEvents()
    try {
      while (!this.stopping) {
        await this.pass(false)
        if (this.stopping) break
        await this.idle(this.opts.interval * 1000)
      }
    } finally {
      this.watcher?.close()
    }
    return this.halted ?? (this.exit === EXIT.INTERRUPTED ? EXIT.INTERRUPTED : EXIT.OK)
  }

  /** `--settle` in seconds (a saved job edited by hand may lack it). */
  private get settleSeconds(): number {
    return Number.isFinite(this.opts.settle) ? this.opts.settle : DEFAULT_SETTLE_SECONDS
  }

  /**
   * One look at the root: every settled batch not handled in its current state is sent. A
   * single pass has no earlier look to compare with: it leaves a folder whose newest file is
   * younger than `--settle`, says so, and the next run takes it.
   */
  private async pass(once: boolean): Promise<void> {
    const batches = await findBatches(this.root, this.opts.csvName)
    for (const found of batches) {
      if (this.stopping) return
      if (this.handled.get(found.folder) === found.signature) continue
      if (!once && !this.settled(found)) continue
      const outcome = (once ? this.notSettled(found) : null) ?? (await this.handle(found))
      // Tried again on the next pass only when a rerun can fix it (its journal resumes it).
      if (outcome.exit !== EXIT.INTERRUPTED) this.handled.set(found.folder, found.signature)
      this.exit = worseExit(this.exit, outcome.exit)
      this.print(outcome)
      await appendRunLog(logLine(outcome))
      if (outcome.exit === EXIT.REFUSED || outcome.error?.code === 'LOCAL_DATA_DAMAGED') {
        // A refused login or host key, or a damaged file in the app home (ledger, layout,
        // known agents, known_hosts), stops every batch the same way: say it once and stop.
        this.halted = outcome.exit
        this.stopping = true
        return
      }
    }
  }

  private notSettled(found: FoundBatch): BatchOutcome | null {
    const wait = unsettledFolder(found, this.settleSeconds)
    if (!wait) return null
    return {
      folder: found.folder,
      result: 'not-settled',
      newestFileAgeSeconds: wait.newestFileAgeSeconds,
      takenFrom: wait.takenFrom.toISOString(),
      error: { code: 'FOLDER_NOT_SETTLED', message: wait.message },
      exit: EXIT.PROBLEMS,
    }
  }

  /**
   * Settled: the folder's files have not changed for `--settle` seconds. A folder that was
   * there, unchanged, before the watch started counts from its newest file's time.
   */
  private settled(found: FoundBatch): boolean {
    const now = Date.now()
    const prior = this.seen.get(found.folder)
    if (!prior || prior.signature !== found.signature) {
      const since = !prior && found.newestMtimeMs < this.startedAt ? Math.min(now, found.newestMtimeMs) : now
      this.seen.set(found.folder, { signature: found.signature, since })
    }
    return now - this.seen.get(found.folder)!.since >= this.settleSeconds * 1000
  }

  private async handle(found: FoundBatch): Promise<BatchOutcome> {
    const base = { folder: found.folder }
    if (!found.csvPath) return { ...base, result: 'skipped', error: { code: 'CSV_NOT_CHOSEN', message: found.problem ?? '' }, exit: EXIT.PROBLEMS }
    let batch: PreparedBatch
    try {
      batch = await prepareBatch(found.folder, { ...this.opts, csv: found.csvPath })
    } catch (err) {
      // The folder's own input (its CSV, mapping, recordings) cannot be used: skipped, the others go on.
      const e = toAppError(err)
      return { ...base, result: 'skipped', error: e.toPayload(), exit: isRefusal(e) ? EXIT.REFUSED : EXIT.PROBLEMS }
    }
    if (!batch.ready) return { ...base, result: 'skipped', error: { code: 'BATCH_NOT_READY', message: batch.why }, exit: EXIT.PROBLEMS }
    try {
      this.current = await sendBatch(this.sender!, batch, this.opts)
      const r = await this.current.done
      const s = r.summary
      const counts = { batch: s.batchId, uploaded: s.uploaded, sentEarlier: s.sentEarlier ?? 0, skipped: s.skipped, excluded: s.excluded, failed: s.failed, alreadyDelivered: s.alreadyDelivered ?? 0, csv: s.csv, bytes: s.bytes }
      if (r.stoppedBy) return { ...base, ...counts, result: 'stopped', error: r.stoppedBy, exit: exitCodeFor(r.stoppedBy) }
      if (r.nothingNew) return { ...base, ...counts, result: 'nothing-new', exit: EXIT.OK }
      return { ...base, ...counts, result: 'delivered', exit: s.excluded > 0 || s.failed > 0 ? EXIT.PROBLEMS : EXIT.OK }
    } catch (err) {
      // Sending could not start (the ledger, the state folder, a lock): the exit says whether a rerun helps.
      const e: AppError = toAppError(err)
      return { ...base, result: 'stopped', error: e.toPayload(), exit: exitCodeFor(e) }
    } finally {
      this.current = null
    }
  }

  /** File-system events wake the loop early; where they are not available, polling alone works. */
  private watchEvents(): void {
    try {
      this.watcher = watchFs(this.root, { recursive: true }, () => this.wake?.())
      this.watcher.on('error', () => {
        this.watcher?.close()
        this.watcher = null
      })
    } catch {
      this.watcher = null
    }
  }

  /** Waits for the next poll, or a file-system event (then a short pause, for settle to be checked). */
  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.wake = null
        resolve()
      }
      const timer = setTimeout(done, ms)
      // An event means something changed: look again soon, but no sooner than the settle allows.
      this.wake = () => {
        clearTimeout(timer)
        this.wake = null
        setTimeout(resolve, this.stopping ? 0 : Math.min(ms, Math.max(200, this.opts.settle * 1000)))
      }
    })
  }
}

function logLine(o: BatchOutcome): string {
  const counts = o.batch ? ` batch ${o.batch} uploaded ${o.uploaded} skipped ${o.skipped} excluded ${o.excluded} failed ${o.failed} earlier ${o.alreadyDelivered} bytes ${o.bytes}${o.csv ? ` csv ${o.csv}` : ''}` : ''
  return `${o.result} ${o.folder}${counts}${o.error ? ` error ${o.error.code}: ${o.error.message}` : ''}`
}
