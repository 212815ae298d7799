/**
 * When a watched folder counts as settled. A folder still being copied must not be sent: a CSV
 * cut mid-row would deliver a row with empty columns, and the full row would then count as
 * "delivered earlier" for good. The running `watch` remembers each folder's signature and
 * counts from when it last changed; a single pass (`watch --once`, `job run`) has no memory,
 * so it takes a folder only when its newest file is older than `--settle`, and says which
 * folders it left and from when they will be taken.
 */
import type { FoundBatch } from './find-batches'

/** `--settle`'s default, in seconds (a saved job written by hand may lack the option). */
export const DEFAULT_SETTLE_SECONDS = 60

/** A folder a single pass left because its files changed less than `--settle` ago. */
export interface Unsettled {
  /** Age of the folder's newest file, in whole seconds (negative: dated in the future). */
  newestFileAgeSeconds: number
  /** The first moment a pass takes the folder, if nothing in it changes meanwhile. */
  takenFrom: Date
  /** The sentence for the user: which folder, its newest file's age, when it will be taken. */
  message: string
}

/** Null when `found` may be taken now; otherwise why not and from when. */
export function unsettledFolder(found: FoundBatch, settleSeconds: number, now = Date.now()): Unsettled | null {
  const settleMs = settleSeconds * 1000
  const ageMs = now - found.newestMtimeMs
  if (ageMs >= settleMs) return null
  const takenFrom = new Date(found.newestMtimeMs + settleMs)
  const age = ageMs >= 0 ? `its newest file is ${formatAge(ageMs)} old` : `its newest file is dated ${formatLocalTime(new Date(found.newestMtimeMs))}, in the future (check this computer's clock and the exporter's)`
  return {
    newestFileAgeSeconds: Math.floor(ageMs / 1000),
    takenFrom,
    message: `${found.folder} was left for the next run: ${age}, and a folder is taken once its files have not changed for ${settleSeconds} s (--settle); it may still be being copied. A run from ${formatLocalTime(takenFrom)} takes it.`,
  }
}

/** 2 s, 90 s, 5 min, 3 h: the age of a file as people say it. */
export function formatAge(ms: number): string {
  const s = Math.floor(ms / 1000)
  if (s < 120) return `${s} s`
  if (s < 2 * 3600) return `${Math.floor(s / 60)} min`
  return `${Math.floor(s / 3600)} h`
}

/** `2026-11-29 02:01:05`: this computer's local time, to the second (settle times are short). */
export function formatLocalTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}
