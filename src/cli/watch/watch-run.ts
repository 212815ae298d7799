/**
 * The `watch` loop: finds batches under a root, takes each once its files have settled, and
 * sends it through the same pipeline as `upload` (upload-batch.ts). The ledger leaves out rows
 * already delivered, so overlapping exports send only what is new, and a restart sends
 * nothing twice. A batch with blocking problems is skipped and reported; the others go on.
 */
import { watch as watchFs, type FSWatcher } from 'node:fs'
import type { AppErrorPayload } from '../../api'
import { toAppError } from '../../errors'
import { redact } from '../../transfer/proxy'
import type { UploadJob } from '../../transfer/upload'
import { EXIT } from '../exit-codes'
import { appendRunLog } from '../run-log'
import { prepareBatch, prepareSender, sendBatch, type Sender, type SendOptions } from '../upload-batch'
import { findBatches, type FoundBatch } from './find-batches'

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
  result: 'delivered' | 'nothing-new' | 'skipped' | 'stopped'
  batch?: string
  uploaded?: number
  skipped?: number
  excluded?: number
  failed?: number
  alreadyDelivered?: number
  csv?: string | null
  bytes?: number
  error?: AppErrorPayload
  /** Exit code this outcome asks for (the pass exits with the worst). */
  exit: number
}

const REFUSED = new Set(['AUTH_REFUSED', 'HOST_KEY_UNKNOWN', 'HOST_KEY_CHANGED', 'PROXY_REFUSED'])

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
  exit: number = EXIT.OK

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
    return this.exit === EXIT.INTERRUPTED || this.exit === EXIT.REFUSED ? this.exit : EXIT.OK
  }

  /** One look at the root: every settled batch not handled in its current state is sent. */
  private async pass(once: boolean): Promise<void> {
    const batches = await findBatches(this.root, this.opts.csvName)
    for (const found of batches) {
      if (this.stopping) return
      if (this.handled.get(found.folder) === found.signature) continue
      if (!once && !this.settled(found)) continue
      const outcome = await this.handle(found)
      // A stopped batch is tried again on the next pass (its journal resumes it).
      if (outcome.result !== 'stopped') this.handled.set(found.folder, found.signature)
      this.exit = Math.max(this.exit, outcome.exit)
      this.print(outcome)
      await appendRunLog(logLine(outcome))
      if (outcome.exit === EXIT.REFUSED) {
        // A refused login or host key refuses every batch: say it once and stop.
        this.stopping = true
        return
      }
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
    return now - this.seen.get(found.folder)!.since >= this.opts.settle * 1000
  }

  private async handle(found: FoundBatch): Promise<BatchOutcome> {
    const base = { folder: found.folder }
    if (!found.csvPath) return { ...base, result: 'skipped', error: { code: 'CSV_NOT_CHOSEN', message: found.problem ?? '' }, exit: EXIT.PROBLEMS }
    try {
      const batch = await prepareBatch(found.folder, { ...this.opts, csv: found.csvPath })
      if (!batch.ready) return { ...base, result: 'skipped', error: { code: 'BATCH_NOT_READY', message: batch.why }, exit: EXIT.PROBLEMS }
      this.current = await sendBatch(this.sender!, batch, this.opts)
      const r = await this.current.done
      this.current = null
      const s = r.summary
      const counts = { batch: s.batchId, uploaded: s.uploaded, skipped: s.skipped, excluded: s.excluded, failed: s.failed, alreadyDelivered: s.alreadyDelivered ?? 0, csv: s.csv, bytes: s.bytes }
      if (r.stoppedBy) return { ...base, ...counts, result: 'stopped', error: r.stoppedBy, exit: REFUSED.has(r.stoppedBy.code) ? EXIT.REFUSED : EXIT.INTERRUPTED }
      if (r.nothingNew) return { ...base, ...counts, result: 'nothing-new', exit: EXIT.OK }
      return { ...base, ...counts, result: 'delivered', exit: s.excluded > 0 || s.failed > 0 ? EXIT.PROBLEMS : EXIT.OK }
    } catch (err) {
      this.current = null
      const e = toAppError(err)
      return { ...base, result: 'skipped', error: e.toPayload(), exit: REFUSED.has(e.code) ? EXIT.REFUSED : EXIT.PROBLEMS }
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
