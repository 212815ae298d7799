/**
 * The stand-in engine of the UI bench, in a worker so that making the events costs the page
 * nothing, as the real engine runs in another process: each event is posted as its own message
 * (structured clone, one task each on the page), like Electron IPC or the web host's WebSocket.
 *
 * It streams as the engine does: `concurrency` files in flight, file-started / file-done as
 * files finish (at `filesPerSecond`), and every 100 ms a file-progress for each file in flight
 * plus one batch-progress. One file in 2,500 fails, so the Failed figure and chips move too.
 */
import type { UploadEvent } from '../../src/api'
import { batchFiles } from '../../test/unit/renderer/upload-script'

export type EngineCommand =
  | { control: 'start'; batchId: string; count: number }
  | { control: 'stream'; seconds: number; filesPerSecond: number; concurrency: number }

export interface EngineEnd { control: 'end'; events: number; filesDone: number; filesTotal: number }

const PROGRESS_MS = 100
const TICK_MS = 10

let files: Array<{ file: string; size: number }> = []
let batchId = ''
let events = 0
const send = (e: UploadEvent) => { events++; postMessage(e) }

function stream(seconds: number, filesPerSecond: number, concurrency: number) {
  const inFlight: number[] = []
  let next = 0
  let finished = 0
  let failed = 0
  let bytesDone = 0
  const startNext = () => {
    if (next >= files.length) return
    const f = files[next]!
    inFlight.push(next++)
    send({ kind: 'file-started', batchId, file: f.file, size: f.size })
  }
  for (let i = 0; i < concurrency; i++) startNext()
  const bytesTotal = files.reduce((s, f) => s + f.size, 0)
  const t0 = performance.now()
  let lastProgress = t0
  let ticks = 0
  const timer = setInterval(() => {
    const now = performance.now()
    const elapsed = (now - t0) / 1000
    const due = Math.min(files.length, Math.floor(elapsed * filesPerSecond))
    while (finished < due && inFlight.length > 0) {
      const i = inFlight.shift()!
      const f = files[i]!
      if (i % 2_500 === 2_499) {
        failed++
        send({ kind: 'file-failed', batchId, file: f.file, error: { code: 'LOCAL_FILE_CHANGED', message: 'A recording changed on this computer during the upload. Check it, then run the upload again.' } })
      } else {
        bytesDone += f.size
        send({ kind: 'file-done', batchId, file: f.file, skipped: false })
      }
      finished++
      startNext()
    }
    const last = elapsed >= seconds
    if (now - lastProgress >= PROGRESS_MS || last) {
      lastProgress = now
      ticks++
      let partial = 0
      inFlight.forEach((i, j) => {
        const f = files[i]!
        const sent = Math.round(f.size * (((ticks + j) % 10) + 1) / 11)
        partial += sent
        send({ kind: 'file-progress', batchId, file: f.file, sent, size: f.size })
      })
      const bytesSent = bytesDone + partial
      const bytesPerSecond = bytesSent / Math.max(elapsed, 0.1)
      send({
        kind: 'batch-progress', batchId,
        progress: { bytesSent, bytesTotal, filesDone: finished - failed, filesTotal: files.length + 1, filesFailed: failed, bytesPerSecond, etaSeconds: Math.round((bytesTotal - bytesSent) / bytesPerSecond) },
      })
    }
    if (last) {
      clearInterval(timer)
      const end: EngineEnd = { control: 'end', events, filesDone: finished - failed, filesTotal: files.length + 1 }
      postMessage(end)
    }
  }, TICK_MS)
}

onmessage = (m: MessageEvent<EngineCommand>) => {
  const c = m.data
  if (c.control === 'start') {
    batchId = c.batchId
    files = batchFiles(c.count)
    send({ kind: 'batch-started', batchId, files, csvName: 'calls-2024-05-31-batch.csv' })
  } else {
    stream(c.seconds, c.filesPerSecond, c.concurrency)
  }
}
