/**
 * What a user feels, measured inside the page: main-thread tasks over 50 ms (the
 * PerformanceObserver 'longtask' entries Chromium reports) and the gaps between animation
 * frames (a frozen window shows as one long gap). Browser code: no Node modules.
 */

export interface Recording {
  /** Durations (ms) of the long tasks seen, in order. */
  longTasks: number[]
  /** Intervals (ms) between consecutive animation frames. */
  frames: number[]
  /** The largest value `sample()` returned on any frame (e.g. rows in the DOM). */
  sampleMax: number
}

export interface Recorder {
  stop(): Recording
}

/** The user-timing mark opening or closing a phase; bench/ui.ts finds them in Chromium's trace. */
export const phaseMark = (phase: string, edge: 'start' | 'end') => `ui-bench:${phase}:${edge}`

/**
 * Starts recording long tasks and frame intervals; `sample` runs on every frame. The phase is
 * marked (performance.mark) at both ends so the runner can read the same window in its trace.
 */
export function record(phase: string, sample?: () => number): Recorder {
  performance.mark(phaseMark(phase, 'start'))
  const rec: Recording = { longTasks: [], frames: [], sampleMax: 0 }
  const take = (list: PerformanceEntryList) => { for (const e of list) rec.longTasks.push(e.duration) }
  const observer = new PerformanceObserver((list) => take(list.getEntries()))
  observer.observe({ type: 'longtask', buffered: false })
  let last = performance.now()
  let live = true
  const frame = (t: number) => {
    if (!live) return
    rec.frames.push(t - last)
    last = t
    if (sample) rec.sampleMax = Math.max(rec.sampleMax, sample())
    requestAnimationFrame(frame)
  }
  requestAnimationFrame((t) => { last = t; requestAnimationFrame(frame) })
  return {
    stop() {
      live = false
      take(observer.takeRecords())
      observer.disconnect()
      performance.mark(phaseMark(phase, 'end'))
      return rec
    },
  }
}

/** Long tasks from the start of the page until now (buffered entries), e.g. the first render. */
export function longTasksSoFar(): Promise<number[]> {
  return new Promise((resolve) => {
    const observer = new PerformanceObserver((list) => { observer.disconnect(); resolve(list.getEntries().map((e) => e.duration)) })
    observer.observe({ type: 'longtask', buffered: true })
    // No entry at all: the callback never runs.
    setTimeout(() => { const left = observer.takeRecords(); observer.disconnect(); resolve(left.map((e) => e.duration)) }, 50)
  })
}

export const nextFrame = (): Promise<number> => new Promise((resolve) => requestAnimationFrame(resolve))
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Resolves with performance.now() in the first animation frame where `ready()` is true (just
 * before that frame paints; the frame's own timestamp can precede the work being timed).
 */
export async function frameWhen(ready: () => boolean, timeoutMs = 60_000): Promise<number> {
  const limit = performance.now() + timeoutMs
  for (;;) {
    await nextFrame()
    const t = performance.now()
    if (ready()) return t
    if (t > limit) throw new Error(`Expected the page to be ready within ${timeoutMs} ms, got a timeout.`)
  }
}

export interface Spread { median: number; p95: number; max: number; count: number }

export function spread(values: number[]): Spread {
  if (values.length === 0) return { median: 0, p95: 0, max: 0, count: 0 }
  const s = [...values].sort((a, b) => a - b)
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1]!, count: s.length }
}

/** The rows of a virtualised table that are actually in the DOM. */
export function domRows(table: string): number {
  return document.querySelectorAll(`table[aria-label="${table}"] tbody tr[aria-rowindex]`).length
}

/** The text of the first cell of a table's row `index` (0-based), or null when not drawn. */
export function cellText(table: string, index: number, column = 0): string | null {
  const row = document.querySelector(`table[aria-label="${table}"] tbody tr[aria-rowindex="${index + 2}"]`)
  return row?.children[column]?.textContent ?? null
}
