/**
 * Reads the first bytes of many recordings on a worker thread. Each file costs an open, a
 * read and a close; done with promises on the main thread that is three callbacks per file,
 * which for 100,000 files competes with the CSV parse for the one JavaScript thread. The
 * worker does them synchronously on its own core and sends heads back in batches.
 */
import { Worker } from 'node:worker_threads'
import { SNIFF_BYTES, readHead } from './audio-sniff'

/** Plain CommonJS so the worker needs no TypeScript loader. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const fs = require('node:fs')
parentPort.on('message', ({ id, paths, bytes }) => {
  const heads = new Uint8Array(paths.length * bytes)
  const lengths = new Int32Array(paths.length)
  const errors = []
  for (let i = 0; i < paths.length; i++) {
    try {
      const fd = fs.openSync(paths[i], 'r')
      try { lengths[i] = fs.readSync(fd, heads, i * bytes, bytes, 0) } finally { fs.closeSync(fd) }
    } catch (err) {
      lengths[i] = -1
      errors.push([i, String(err && err.code || 'error')])
    }
  }
  parentPort.postMessage({ id, heads, lengths, errors }, [heads.buffer, lengths.buffer])
})
`

/** One file's head, or the error code that kept it from being read. */
export type HeadResult = { head: Uint8Array } | { error: string }

/** Files sent to the worker per message: big enough to amortise, small enough to stay responsive. */
const BATCH = 2048

/**
 * Reads heads of `paths` in batches, calling `onHead` for each; `keep(i)` is asked just
 * before each batch is sent, so files no longer wanted are skipped. Falls back to the
 * promise-based reader when a worker cannot start.
 */
export async function readHeads(paths: string[], keep: (i: number) => boolean, onHead: (i: number, r: HeadResult) => void): Promise<void> {
  let worker: Worker
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true })
  } catch {
    for (let i = 0; i < paths.length; i++) {
      if (!keep(i)) continue
      try {
        onHead(i, { head: await readHead(paths[i]!) })
      } catch (err) {
        onHead(i, { error: (err as NodeJS.ErrnoException).code ?? 'error' })
      }
    }
    return
  }
  worker.unref()
  try {
    let next = 0
    while (next < paths.length) {
      const index: number[] = []
      while (next < paths.length && index.length < BATCH) {
        if (keep(next)) index.push(next)
        next++
      }
      if (index.length === 0) continue
      const reply = await new Promise<{ heads: Uint8Array; lengths: Int32Array; errors: Array<[number, string]> }>((resolve, reject) => {
        worker.once('message', resolve)
        worker.once('error', reject)
        worker.postMessage({ id: next, paths: index.map((i) => paths[i]!), bytes: SNIFF_BYTES })
      })
      worker.removeAllListeners('error')
      const failed = new Map(reply.errors)
      index.forEach((fileIndex, k) => {
        const code = failed.get(k)
        if (code !== undefined) onHead(fileIndex, { error: code })
        else onHead(fileIndex, { head: reply.heads.subarray(k * SNIFF_BYTES, k * SNIFF_BYTES + reply.lengths[k]!) })
      })
    }
  } finally {
    await worker.terminate()
  }
}
