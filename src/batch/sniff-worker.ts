/**
 * File-system work for 100,000 files on a worker thread: stats for scans, and the first bytes
 * of recordings for sniffing. Done with promises on the main thread, each stat allocates a
 * request, a promise and a Stats object (≈15 µs of main-thread time) and each sniff takes
 * three callbacks; the main thread is the one parsing the CSV. The worker makes the same
 * system calls synchronously on its own core and answers in batches.
 */
import { WorkerClient } from '../worker-client'
import { readEnds } from './audio-sniff'
import { HEAD_BYTES, TAIL_BYTES } from './container-heads'

/** Plain CommonJS so the worker needs no TypeScript loader. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const fs = require('node:fs')
const codeOf = (err) => String((err && err.code) || 'error')
parentPort.on('message', ({ id, op, paths, sizes, bytes, tailBytes }) => {
  const n = paths.length
  const errors = []
  if (op === 'stat') {
    const size = new Float64Array(n)
    const mtime = new Float64Array(n)
    const kind = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      try {
        const st = fs.statSync(paths[i])
        size[i] = st.size
        mtime[i] = st.mtimeMs
        kind[i] = st.isFile() ? 1 : st.isDirectory() ? 2 : 3
      } catch (err) {
        errors.push([i, codeOf(err)])
      }
    }
    parentPort.postMessage({ id, size, mtime, kind, errors }, [size.buffer, mtime.buffer, kind.buffer])
    return
  }
  const heads = new Uint8Array(n * bytes)
  const lengths = new Int32Array(n)
  const tails = new Uint8Array(n * tailBytes)
  const tailLengths = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    try {
      const fd = fs.openSync(paths[i], 'r')
      try {
        lengths[i] = fs.readSync(fd, heads, i * bytes, bytes, 0)
        const from = Math.max(0, sizes[i] - tailBytes)
        tailLengths[i] = fs.readSync(fd, tails, i * tailBytes, Math.min(tailBytes, sizes[i]), from)
      } finally { fs.closeSync(fd) }
    } catch (err) {
      errors.push([i, codeOf(err)])
    }
  }
  parentPort.postMessage({ id, heads, lengths, tails, tailLengths, errors }, [heads.buffer, lengths.buffer, tails.buffer, tailLengths.buffer])
})
`

/** stat(2) results for one batch of paths, by position. */
export interface StatBatch {
  size: Float64Array
  mtime: Float64Array
  /** 1 file, 2 folder, 3 other; 0 with an entry in `errors`. */
  kind: Uint8Array
  errors: Array<[number, string]>
}
interface HeadBatch {
  heads: Uint8Array
  lengths: Int32Array
  tails: Uint8Array
  tailLengths: Int32Array
  errors: Array<[number, string]>
}

/** A worker answering stat and head requests, in order, by id. */
export class FileWorker {
  private readonly client = new WorkerClient<{ id: number }>(WORKER_SOURCE)

  private request<T>(op: 'stat' | 'head', paths: string[], sizes?: number[]): Promise<T> {
    return this.client.request({ op, paths, sizes, bytes: HEAD_BYTES, tailBytes: TAIL_BYTES }) as Promise<T>
  }

  /** stat(2) of each path (following links). */
  stat(paths: string[]): Promise<StatBatch> {
    return this.request('stat', paths)
  }

  /** The first HEAD_BYTES and last TAIL_BYTES of each file (`sizes` as scanned). */
  heads(paths: string[], sizes: number[]): Promise<HeadBatch> {
    return this.request('head', paths, sizes)
  }

  close(): Promise<number> {
    return this.client.close()
  }
}

/** Starts a worker, or returns null where threads are unavailable (callers fall back). */
export function startFileWorker(): FileWorker | null {
  try {
    return new FileWorker()
  } catch {
    return null
  }
}

/**
 * One file's first bytes (for sniffing and, with its last bytes, for reading its container
 * without music-metadata), or the error code that kept it from being read.
 */
export type HeadResult = { head: Uint8Array; tail: Uint8Array } | { error: string }

/** Fewer files than this are read with promises on the main thread. */
export const WORKER_MIN_FILES = 256

/** Files sent to the worker per message: big enough to amortise, small enough to stay responsive. */
const BATCH = 2048

/**
 * Reads heads of `paths` in batches, calling `onHead` for each; `keep(i)` is asked just
 * before each batch is sent, so files no longer wanted are skipped.
 */
export async function readHeads(paths: string[], sizes: (i: number) => number, keep: (i: number) => boolean, onHead: (i: number, r: HeadResult) => void): Promise<void> {
  // A worker costs tens of milliseconds to start: worth it only for many files.
  const worker = paths.length >= WORKER_MIN_FILES ? startFileWorker() : null
  try {
    let next = 0
    while (next < paths.length) {
      const index: number[] = []
      while (next < paths.length && index.length < BATCH) {
        if (keep(next)) index.push(next)
        next++
      }
      if (index.length === 0) continue
      if (worker === null) {
        for (const i of index) {
          try {
            onHead(i, await readEnds(paths[i]!, sizes(i)))
          } catch (err) {
            onHead(i, { error: (err as NodeJS.ErrnoException).code ?? 'error' })
          }
        }
        continue
      }
      const reply = await worker.heads(index.map((i) => paths[i]!), index.map(sizes))
      const failed = new Map(reply.errors)
      index.forEach((fileIndex, k) => {
        const code = failed.get(k)
        if (code !== undefined) onHead(fileIndex, { error: code })
        else {
          onHead(fileIndex, {
            head: reply.heads.subarray(k * HEAD_BYTES, k * HEAD_BYTES + reply.lengths[k]!),
            tail: reply.tails.subarray(k * TAIL_BYTES, k * TAIL_BYTES + reply.tailLengths[k]!),
          })
        }
      })
    }
  } finally {
    await worker?.close()
  }
}
