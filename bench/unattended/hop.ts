/**
 * The cost of a proxy hop: the same whole `bulk-upload upload` command direct and through each
 * proxy (hop-proxies.ts), alternating, best of `reps` (the machine is shared and single runs
 * vary more than the effect). Every proxy runs in a process of its own; a proxy that is not
 * installed is listed with the reason it was skipped. Beside the wall time: the command's own
 * CPU time (what our socket path costs: the same direct or proxied if nothing is added) and
 * the proxy's CPU time per run (what the hop costs the machine, competing with client and
 * server for the same two cores on loopback).
 */
import { cpuSeconds, microsocks, testProxyProcess, tinyproxy, type HopProxy, type HopProxyResult } from './hop-proxies'

/** One run of the whole command: wall seconds, and its user + system CPU seconds when known. */
export interface TimedRun {
  seconds: number
  cpu: number | null
}

export interface HopRoute {
  name: string
  /** Best wall time. */
  seconds: number
  /** The command's CPU time in that best run. */
  cpu: number | null
  /** The proxy process's CPU time, averaged over its runs (null: direct). */
  proxyCpu: number | null
}

/** `upload(extra)` runs the whole command with these extra flags. */
export async function measureProxyHop(work: string, upload: (extra: string[]) => Promise<TimedRun>, reps = 3): Promise<{ routes: HopRoute[]; skipped: string[] }> {
  const started: HopProxyResult[] = []
  try {
    started.push(await testProxyProcess('socks5'), await testProxyProcess('http'), await microsocks(), await tinyproxy(work))
    const proxies = started.filter((p): p is HopProxy => 'url' in p)
    const ways: Array<{ name: string; extra: string[]; proxy: HopProxy | null }> = [
      { name: 'direct', extra: ['--no-proxy'], proxy: null },
      ...proxies.map((p) => ({ name: p.name, extra: ['--proxy', p.url], proxy: p })),
    ]
    const best = new Map<string, TimedRun>()
    const proxyCpu = new Map<string, number>()
    for (let rep = 0; rep < reps; rep++) {
      for (const way of ways) {
        const before = way.proxy ? cpuSeconds(way.proxy.pid) : 0
        const run = await upload(way.extra)
        if (way.proxy) proxyCpu.set(way.name, (proxyCpu.get(way.name) ?? 0) + cpuSeconds(way.proxy.pid) - before)
        if (run.seconds < (best.get(way.name)?.seconds ?? Infinity)) best.set(way.name, run)
      }
    }
    return {
      routes: ways.map((w) => ({ name: w.name, ...best.get(w.name)!, proxyCpu: w.proxy ? proxyCpu.get(w.name)! / reps : null })),
      skipped: started.flatMap((p) => ('skipped' in p ? [`${p.name}: ${p.skipped}`] : [])),
    }
  } finally {
    await Promise.all(started.map((p) => ('close' in p ? p.close() : undefined)))
  }
}
