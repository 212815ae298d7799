import type { UploadEvent, UploadProgress } from '../api'

/**
 * Progress events are throttled to about 10 a second: a UI repainting on every acknowledged
 * write (thousands a second) would freeze, and nobody reads faster than that anyway.
 */
export const PROGRESS_INTERVAL_MS = 100

/** Speed is averaged over this window so the ETA does not jump with every burst. */
const SPEED_WINDOW_MS = 5000

/**
 * Time left from both the bytes and the files still to go, each at the pace of the last few
 * seconds, whichever is longer: many small files cost a round trip each whatever their bytes
 * (2,000 files left is not "under a second" because their bytes are few), and one large file
 * is paced by its bytes. Null while neither pace is known.
 */
export function timeLeft(bytesLeft: number, bytesPerSecond: number, filesLeft: number, filesPerSecond: number): number | null {
  if (bytesLeft === 0 && filesLeft === 0) return 0
  const byBytes = bytesPerSecond > 0 ? bytesLeft / bytesPerSecond : null
  const byFiles = filesPerSecond > 0 ? filesLeft / filesPerSecond : null
  if (byBytes === null && byFiles === null) return null
  return Math.round(Math.max(byBytes ?? 0, byFiles ?? 0))
}

export class ProgressTracker {
  private readonly active = new Map<string, { sent: number; size: number; reported: number }>()
  private bytesSent = 0
  private filesDone = 0
  private filesFailed = 0
  private readonly samples: Array<{ at: number; bytes: number; files: number }> = []
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly batchId: string,
    private readonly bytesTotal: number,
    private readonly filesTotal: number,
    private readonly emit: (event: UploadEvent) => void,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.flush(), PROGRESS_INTERVAL_MS)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    this.flush()
  }

  fileStarted(file: string, size: number, alreadySent: number): void {
    this.active.set(file, { sent: alreadySent, size, reported: -1 })
    this.bytesSent += alreadySent
  }

  fileProgress(file: string, sent: number): void {
    const entry = this.active.get(file)
    if (!entry) return
    this.bytesSent += sent - entry.sent
    entry.sent = sent
  }

  /** A file that will not be sent this run (already on the server) still counts as done. */
  fileSkipped(size: number): void {
    this.bytesSent += size
    this.filesDone++
  }

  fileFinished(file: string, ok: boolean): void {
    const entry = this.active.get(file)
    this.active.delete(file)
    if (ok) {
      if (entry) this.bytesSent += entry.size - entry.sent
      this.filesDone++
    } else {
      // Its bytes were not delivered: take them back out of the total sent.
      if (entry) this.bytesSent -= entry.sent
      this.filesFailed++
    }
  }

  /** A retry starts the file over (or from its offset): forget its unacknowledged count. */
  fileReset(file: string): void {
    const entry = this.active.get(file)
    if (!entry) return
    this.bytesSent -= entry.sent
    this.active.delete(file)
  }

  snapshot(): UploadProgress {
    const now = this.now()
    this.samples.push({ at: now, bytes: this.bytesSent, files: this.filesDone })
    while (this.samples.length > 2 && now - this.samples[0]!.at > SPEED_WINDOW_MS) this.samples.shift()
    const first = this.samples[0]!
    const elapsed = (now - first.at) / 1000
    const bytesPerSecond = elapsed > 0 ? Math.max(0, (this.bytesSent - first.bytes) / elapsed) : 0
    const filesPerSecond = elapsed > 0 ? Math.max(0, (this.filesDone - first.files) / elapsed) : 0
    const bytesLeft = Math.max(0, this.bytesTotal - this.bytesSent)
    const filesLeft = Math.max(0, this.filesTotal - this.filesDone - this.filesFailed)
    return {
      bytesSent: this.bytesSent,
      bytesTotal: this.bytesTotal,
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      filesFailed: this.filesFailed,
      bytesPerSecond,
      etaSeconds: timeLeft(bytesLeft, bytesPerSecond, filesLeft, filesPerSecond),
    }
  }

  private flush(): void {
    for (const [file, entry] of this.active) {
      if (entry.sent === entry.reported) continue
      entry.reported = entry.sent
      this.emit({ kind: 'file-progress', batchId: this.batchId, file, sent: entry.sent, size: entry.size })
    }
    this.emit({ kind: 'batch-progress', batchId: this.batchId, progress: this.snapshot() })
  }
}
