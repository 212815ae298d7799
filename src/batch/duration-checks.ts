/**
 * DURATION_MISMATCH: when the user maps a duration column, each row's stated duration is set
 * against its recording's own (read from the container). Telephony exports state whole
 * seconds and count ringing or hold differently, so only a difference of more than 2 s AND
 * more than 5% of the recording is flagged: a wrong recording, not rounding.
 */
import type { IssueList } from './issue-list'
import type { FolderScan } from './scan'

/** A difference must exceed both to be flagged. */
export const DURATION_TOLERANCE = { seconds: 2, fraction: 0.05 } as const

const CLOCK = /^(?:(\d+):)?([0-5]?\d):([0-5]\d(?:\.\d+)?)$/
const SECONDS = /^\d+(?:\.\d+)?$/

/** Seconds from "93", "93.5", "1:33", "00:01:33" or "1:02:03"; NaN when it is none of them. */
export function parseDuration(text: string): number {
  const t = text.trim()
  if (SECONDS.test(t)) return Number(t)
  const m = CLOCK.exec(t)
  if (m === null) return NaN
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3])
}

/** True when a stated duration and a recording's differ by more than the tolerance. */
export function durationsDiffer(stated: number, recording: number): boolean {
  const diff = Math.abs(stated - recording)
  return diff > DURATION_TOLERANCE.seconds && diff > DURATION_TOLERANCE.fraction * recording
}

/** Seconds as h:mm:ss (or m:ss under an hour), for messages. */
export function clockText(seconds: number): string {
  const t = Math.round(seconds)
  const h = Math.floor(t / 3600)
  const m = Math.floor((t % 3600) / 60)
  const s = String(t % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}

/**
 * Adds DURATION_MISMATCH for every row still going (rowScanRec >= 0) whose stated duration
 * (`rowDuration`, NaN when empty or unreadable) differs from its recording's.
 */
export function checkDurations(rowDuration: Float64Array, column: string, scan: FolderScan, rowScanRec: Int32Array, durations: Float64Array, issues: IssueList): void {
  const n = Math.min(rowDuration.length, rowScanRec.length)
  for (let i = 0; i < n; i++) {
    const s = rowScanRec[i]!
    const stated = rowDuration[i]!
    if (s < 0 || Number.isNaN(stated)) continue
    const actual = durations[s]!
    if (!Number.isFinite(actual) || !durationsDiffer(stated, actual)) continue
    issues.add('DURATION_MISMATCH', { row: i + 1, column, file: scan.recordings[s]!.relPath, value: clockText(stated), detail: clockText(actual) })
  }
}
