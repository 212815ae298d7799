/**
 * Dev-only: streams a large batch's events into the fake api as fast as a quick engine would,
 * and records what a user would feel — time until the list shows, and the longest main-thread
 * task while events pour in (PerformanceObserver 'longtask'). Read by scripts/screenshots.ts.
 */
import type { FakeApi } from '../../test/unit/renderer/fake-api'
import { batchFiles } from '../../test/unit/renderer/upload-script'

export interface StreamResult {
  files: number
  events: number
  firstRenderMs: number
  /** Longest main-thread task while the events stream in (after the list first showed). */
  longestTaskMs: number
  longTasks: number
  /** Longest task while the 100,000-row batch is first set up and drawn. */
  setupLongestTaskMs: number
  done: boolean
}

export function streamUpload(api: FakeApi, count: number, seconds = 5): StreamResult {
  const result: StreamResult = { files: count, events: 0, firstRenderMs: 0, longestTaskMs: 0, longTasks: 0, setupLongestTaskMs: 0, done: false }
  let streaming = false
  const files = batchFiles(count)
  const batchId = 'batch-1'
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (!streaming) { result.setupLongestTaskMs = Math.max(result.setupLongestTaskMs, Math.round(e.duration)); continue }
      result.longTasks += 1
      result.longestTaskMs = Math.max(result.longestTaskMs, Math.round(e.duration))
    }
  }).observe({ type: 'longtask', buffered: false })

  const t0 = performance.now()
  api.emit({ kind: 'batch-started', batchId, files, csvName: 'calls-upload.csv' })
  const waitForRows = () => {
    if (document.querySelector('table[aria-label="Files in this batch"] tbody tr[aria-rowindex]')) {
      result.firstRenderMs = Math.round(performance.now() - t0)
      // Let the setup's own long task be reported before streaming starts being measured.
      setTimeout(() => { streaming = true; stream() }, 300)
    } else requestAnimationFrame(waitForRows)
  }
  requestAnimationFrame(waitForRows)

  // About 30,000 files a second finishing: far more than any real server, to find the limit.
  const stream = () => {
    let next = 0
    let sent = 0
    const started = performance.now()
    const timer = setInterval(() => {
      for (let i = 0; i < 500 && next < files.length; i++, next++) {
        const f = files[next]!
        api.emit({ kind: 'file-started', batchId, file: f.file, size: f.size })
        api.emit({ kind: 'file-progress', batchId, file: f.file, sent: f.size >> 1, size: f.size })
        api.emit({ kind: 'file-done', batchId, file: f.file, skipped: false })
        sent += f.size
        result.events += 3
      }
      const elapsed = (performance.now() - started) / 1000
      api.emit({ kind: 'batch-progress', batchId, progress: { bytesSent: sent, bytesTotal: sent * 2, filesDone: next, filesTotal: count + 1, filesFailed: 0, bytesPerSecond: sent / Math.max(elapsed, 0.1), etaSeconds: 60 } })
      if (elapsed >= seconds || next >= files.length) {
        clearInterval(timer)
        setTimeout(() => { result.done = true }, 200)
      }
    }, 16)
  }
  return result
}
