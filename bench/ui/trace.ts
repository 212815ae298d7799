/**
 * Reads the renderer main thread's tasks out of a Chromium trace (categories `toplevel` and
 * `blink.user_timing`), phase by phase, between the marks the page set (probe.ts). Each task
 * has its wall time and its thread CPU time: on a shared machine a task can last long only
 * because the thread waited for a core, and the CPU time tells the two apart.
 */

interface TraceEvent {
  name: string
  ph: string
  ts: number
  dur?: number
  tdur?: number
  pid: number
  tid: number
}

export interface PhaseCpu {
  /** The longest task by wall time, and the CPU time it used. */
  longestWallMs: number
  longestWallCpuMs: number
  /** The task that used the most CPU time. */
  longestCpuMs: number
  /** Main-thread CPU time over the phase's length. */
  busyShare: number
}

const TASK_NAMES = new Set(['RunTask', 'ThreadControllerImpl::RunTask'])

/** The figures of every phase marked `ui-bench:<phase>:start` / `:end` in the trace. */
export function phasesFromTrace(json: string): Record<string, PhaseCpu> {
  const events = (JSON.parse(json) as { traceEvents: TraceEvent[] }).traceEvents
  const marks = new Map<string, TraceEvent>()
  for (const e of events) if (e.name.startsWith('ui-bench:')) marks.set(e.name, e)
  const out: Record<string, PhaseCpu> = {}
  for (const [name, start] of marks) {
    const m = /^ui-bench:(.+):start$/.exec(name)
    const end = m ? marks.get(`ui-bench:${m[1]}:end`) : undefined
    if (!m || !end) continue
    const tasks = events.filter((e) => e.ph === 'X' && TASK_NAMES.has(e.name) && e.pid === start.pid && e.tid === start.tid && e.ts + (e.dur ?? 0) >= start.ts && e.ts <= end.ts)
    let wall: TraceEvent | undefined
    let cpu = 0
    let busy = 0
    for (const t of tasks) {
      if (!wall || (t.dur ?? 0) > (wall.dur ?? 0)) wall = t
      cpu = Math.max(cpu, t.tdur ?? 0)
      busy += t.tdur ?? 0
    }
    out[m[1]!] = {
      longestWallMs: (wall?.dur ?? 0) / 1000,
      longestWallCpuMs: (wall?.tdur ?? 0) / 1000,
      longestCpuMs: cpu / 1000,
      busyShare: busy / Math.max(1, end.ts - start.ts),
    }
  }
  return out
}
