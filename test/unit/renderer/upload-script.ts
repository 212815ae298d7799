/** Upload event sequences as the engine would send them, for tests and the screenshot page. */
import type { UploadEvent } from '../../../src/api'

export function batchFiles(n: number): Array<{ file: string; size: number }> {
  return Array.from({ length: n }, (_, i) => ({ file: `call-${String(i + 1).padStart(5, '0')}.wav`, size: 600_000 + ((i * 2_654_435_761) % 5_400_000) }))
}

/**
 * The events of a batch part-way through: the first `done` files finished, the next
 * `uploading` half-sent, then one retrying and one failed when asked.
 */
export function midUploadEvents(batchId: string, files: Array<{ file: string; size: number }>, opts: { done: number; uploading: number; retrying?: boolean; failed?: boolean }): UploadEvent[] {
  const events: UploadEvent[] = [{ kind: 'batch-started', batchId, files, csvName: 'calls-2024-05-31-batch.csv' }]
  let sent = 0
  files.slice(0, opts.done).forEach((f) => {
    events.push({ kind: 'file-started', batchId, file: f.file, size: f.size }, { kind: 'file-done', batchId, file: f.file, skipped: false })
    sent += f.size
  })
  files.slice(opts.done, opts.done + opts.uploading).forEach((f, i) => {
    const part = Math.round(f.size * (0.12 + ((0.11 * i) % 0.8)))
    events.push({ kind: 'file-started', batchId, file: f.file, size: f.size }, { kind: 'file-progress', batchId, file: f.file, sent: part, size: f.size })
    sent += part
  })
  let next = opts.done + opts.uploading
  if (opts.retrying && files[next]) {
    const f = files[next++]!
    events.push({ kind: 'file-started', batchId, file: f.file, size: f.size }, { kind: 'file-retrying', batchId, file: f.file, attempt: 2, delayMs: 1000, error: { code: 'CONNECTION_LOST', message: 'The connection to the server was lost. Run the same upload again to resume where it stopped.' } })
  }
  if (opts.failed && files[next]) {
    const f = files[next]!
    events.push({ kind: 'file-failed', batchId, file: f.file, error: { code: 'LOCAL_FILE_CHANGED', message: 'A recording changed on this computer during the upload. Check it, then run the upload again.' } })
  }
  const bytesTotal = files.reduce((s, f) => s + f.size, 0)
  events.push({
    kind: 'batch-progress', batchId,
    progress: { bytesSent: sent, bytesTotal, filesDone: opts.done, filesTotal: files.length + 1, filesFailed: opts.failed ? 1 : 0, bytesPerSecond: 14_200_000, etaSeconds: Math.round((bytesTotal - sent) / 14_200_000) },
  })
  return events
}
