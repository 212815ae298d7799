import type { UploadEvent, UploadProgress } from '../api'
import { dim, eraseAbove, formatBytes, red, yellow } from './terminal'

/** Current files listed under the bar on a terminal. */
const SHOWN_FILES = 4
/** Without a terminal (logs, CI), a progress line at most this often. */
const PLAIN_EVERY_MS = 5000

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--'
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const pad = (n: number) => String(n).padStart(2, '0')
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`
}

function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width)
  return '█'.repeat(filled) + '░'.repeat(width - filled)
}

export function progressLine(p: UploadProgress): string {
  const fraction = p.bytesTotal > 0 ? p.bytesSent / p.bytesTotal : 1
  return `${String(Math.floor(fraction * 100)).padStart(3)}%  ${formatBytes(p.bytesSent)} / ${formatBytes(p.bytesTotal)}  ` +
    `${p.filesDone}/${p.filesTotal} files  ${formatBytes(p.bytesPerSecond)}/s  ETA ${formatDuration(p.etaSeconds)}`
}

/**
 * Shows an upload on stderr: on a terminal, a bar redrawn in place with the files in flight;
 * otherwise plain lines (a progress line every few seconds, retries and failures as they come)
 * so logs of unattended runs stay readable.
 */
export class ProgressDisplay {
  private readonly active = new Map<string, { sent: number; size: number }>()
  private lastProgress: UploadProgress | null = null
  private drawnLines = 0
  private lastPlainAt = 0

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly interactive: boolean = Boolean(process.stderr.isTTY),
  ) {}

  handle = (event: UploadEvent): void => {
    switch (event.kind) {
      case 'file-started':
        this.active.set(event.file, { sent: 0, size: event.size })
        break
      case 'file-progress':
        this.active.set(event.file, { sent: event.sent, size: event.size })
        break
      case 'file-done':
        this.active.delete(event.file)
        break
      case 'file-retrying':
        this.active.delete(event.file)
        if (event.error.code === 'LOCAL_FILE_CHANGED') this.say(yellow(`${event.file} changed while it was sent: sending it again from the start.`))
        else this.say(yellow(`Retrying ${event.file} in ${(event.delayMs / 1000).toFixed(1)} s (attempt ${event.attempt}): ${event.error.message}`))
        break
      case 'file-failed':
        this.active.delete(event.file)
        this.say(red(`Failed: ${event.file}: ${event.error.message}${event.error.details ? ` (${event.error.details})` : ''}`))
        break
      case 'batch-progress':
        this.lastProgress = event.progress
        if (this.interactive) this.draw()
        else if (Date.now() - this.lastPlainAt >= PLAIN_EVERY_MS) {
          this.lastPlainAt = Date.now()
          this.out.write(`Uploading: ${progressLine(event.progress)}\n`)
        }
        break
      case 'batch-paused':
        this.say(event.paused ? 'Paused.' : 'Resumed.')
        break
      case 'batch-waiting':
        if (event.waiting) {
          const who = event.holder ? ` (process ${event.holder.pid})` : ''
          this.say(`Waiting for another upload to this destination${who} to send its CSV: this batch's CSV goes next, without the rows that one delivers.`)
        }
        break
      default:
        break
    }
  }

  /** A line of its own above the bar (e.g. that a cancel is under way). */
  note(line: string): void {
    this.say(line)
  }

  /** Clears the bar so the final summary prints on a clean screen. */
  finish(): void {
    if (this.interactive) this.clear()
    else if (this.lastProgress) this.out.write(`Uploading: ${progressLine(this.lastProgress)}\n`)
  }

  private say(line: string): void {
    if (this.interactive) this.clear()
    this.out.write(line + '\n')
    if (this.interactive) this.draw()
  }

  private clear(): void {
    if (this.drawnLines > 0) this.out.write(eraseAbove(this.drawnLines))
    this.drawnLines = 0
  }

  private draw(): void {
    const p = this.lastProgress
    if (!p) return
    const width = Math.max(10, Math.min(40, (this.out.columns ?? 80) - 60))
    const lines = [`Uploading [${bar(p.bytesTotal > 0 ? p.bytesSent / p.bytesTotal : 1, width)}] ${progressLine(p)}`]
    for (const [file, f] of [...this.active].slice(0, SHOWN_FILES)) {
      lines.push(dim(`  ${file}  ${f.size > 0 ? Math.floor((f.sent / f.size) * 100) : 100}%`))
    }
    if (this.active.size > SHOWN_FILES) lines.push(dim(`  ... and ${this.active.size - SHOWN_FILES} more in flight`))
    this.clear()
    this.out.write(lines.join('\n') + '\n')
    this.drawnLines = lines.length
  }
}
