/**
 * Container checks of the recordings rows resolved to: each is probed once (several at a
 * time: the work is mostly waiting on the disk), rows using a broken recording get its issue
 * and are left out, and the durations of the recordings to send are summed for the report.
 */
import type { AudioSummary } from '../api'
import { mapLimit } from './concurrency'
import { checkTruncation, probeContainer, type ProbeResult } from './container-probe'
import type { IssueList } from './issue-list'
import type { FolderScan } from './scan'

/** Files probed at once: enough to keep the disk busy, few enough for the libuv pool. */
const PROBES_IN_FLIGHT = 8

/** Below this a recording is flagged RECORDING_TOO_SHORT. */
export const MIN_SECONDS = 1

/** Per scanned recording: its duration in seconds, NaN when not probed or broken. */
export type Durations = Float64Array

/**
 * Probes every recording with `matched[s] === 1` (and not skipped) and returns results by
 * scan index; `known` holds those already read from their sniffed bytes (not opened again).
 */
export async function probeMatched(scan: FolderScan, matched: Uint8Array, skip: (s: number) => boolean, known: ReadonlyMap<number, ProbeResult>, signal?: AbortSignal): Promise<Map<number, ProbeResult>> {
  const out = new Map<number, ProbeResult>()
  const todo: number[] = []
  for (let s = 0; s < matched.length; s++) {
    if (matched[s] !== 1 || scan.recordings[s]!.size === 0 || skip(s)) continue
    const r = known.get(s)
    if (r === undefined || (r.ok && r.truncation)) todo.push(s)
    else out.set(s, r)
  }
  // Unknown ones are probed whole; those judged from their sniffed bytes only get the end read that tells a cut file.
  const results = await mapLimit(todo, PROBES_IN_FLIGHT, (s) => {
    const rec = scan.recordings[s]!
    const r = known.get(s)
    return r?.ok ? checkTruncation(rec.path, rec.size, r) : probeContainer(rec.path, rec.size)
  }, signal)
  todo.forEach((s, k) => out.set(s, results[k]!))
  return out
}

/**
 * Adds each row's container issue and leaves rows on broken recordings out (rewrites
 * `rowScanRec` in place). Returns the durations by scan index.
 */
export function applyProbes(probes: Map<number, ProbeResult>, scan: FolderScan, rowScanRec: Int32Array, conversations: number, issues: IssueList): Durations {
  const durations = new Float64Array(scan.recordings.length).fill(NaN)
  let anyFlag = false
  for (const [s, r] of probes) {
    if (r.ok) durations[s] = r.seconds
    if (!r.ok || r.seconds < MIN_SECONDS) anyFlag = true
  }
  if (!anyFlag) return durations // the common case: no row loop
  for (let i = 0; i < conversations; i++) {
    const s = rowScanRec[i]!
    const r = s >= 0 ? probes.get(s) : undefined
    if (r === undefined) continue
    const file = scan.recordings[s]!.relPath
    if (!r.ok) {
      issues.add(r.code, { row: i + 1, file, detail: r.detail })
      rowScanRec[i] = -1
    } else if (r.seconds < MIN_SECONDS) {
      issues.add('RECORDING_TOO_SHORT', { row: i + 1, file, detail: `${r.seconds.toFixed(2)} s` })
    }
  }
  return durations
}

/** Total, min, median and max duration of the recordings to send (each counted once). */
export function summariseDurations(seconds: number[]): AudioSummary {
  const known = seconds.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (known.length === 0) return { recordings: 0, totalSeconds: 0, minSeconds: null, medianSeconds: null, maxSeconds: null }
  const mid = known.length >> 1
  const median = known.length % 2 === 1 ? known[mid]! : (known[mid - 1]! + known[mid]!) / 2
  return { recordings: known.length, totalSeconds: known.reduce((a, b) => a + b, 0), minSeconds: known[0]!, medianSeconds: median, maxSeconds: known[known.length - 1]! }
}
