/**
 * sha256 of the recordings being sent, on a worker thread (DESIGN.md, "Exactly once": hashed
 * as they are read). On loopback the main thread is the bottleneck (ssh2 builds and encrypts
 * every packet there); hashing a gigabyte on it as well cost 11-26% more time (bench/RESULTS.md,
 * hashing). The worker gets each block as a transferred copy (one memcpy), in order, and hashes
 * it on the other core. Small files are hashed inline: a message costs more than their hash.
 */
import { createHash, type Hash } from 'node:crypto'
import { Worker } from 'node:worker_threads'

/** Files at least this large are hashed on the worker. */
export const OFF_THREAD_MIN_BYTES = 256 * 1024

/** Plain CommonJS so the worker needs no TypeScript loader. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const open = new Map()
parentPort.on('message', (m) => {
  if (m.t === 'u') {
    let h = open.get(m.id)
    if (!h) { h = createHash('sha256'); open.set(m.id, h) }
    h.update(new Uint8Array(m.b))
  } else if (m.t === 'd') {
    const h = open.get(m.id) || createHash('sha256')
    open.delete(m.id)
    parentPort.postMessage({ id: m.id, hex: h.digest('hex') })
  } else if (m.t === 'x') {
    open.delete(m.id)
  }
})
`

/** A running sha256: `update` in file order, then `digest` once (or `discard`). */
export interface FileHash {
  update(bytes: Uint8Array): void
  digest(): Promise<string>
  discard(): void
}

let worker: Worker | null = null
let nextId = 1
const waiting = new Map<number, { resolve: (hex: string) => void; reject: (err: Error) => void }>()

function hashWorker(): Worker {
  if (worker) return worker
  const w = new Worker(WORKER_SOURCE, { eval: true })
  w.unref() // never keeps the process alive: a digest asked for is a message in flight
  w.on('message', (m: { id: number; hex: string }) => {
    const entry = waiting.get(m.id)
    waiting.delete(m.id)
    if (waiting.size === 0) w.unref()
    entry?.resolve(m.hex)
  })
  const fail = (err: Error) => {
    worker = null
    for (const entry of waiting.values()) entry.reject(err)
    waiting.clear()
  }
  w.on('error', fail)
  w.on('exit', (code) => fail(new Error(`The hashing thread stopped (exit ${code}).`)))
  worker = w
  return w
}

/** A hash of a file of `size` bytes: on the worker when large enough, else inline. */
export function fileHash(size: number): FileHash {
  return size >= OFF_THREAD_MIN_BYTES ? offThread() : inline(createHash('sha256'))
}

function inline(hash: Hash): FileHash {
  return {
    update: (bytes) => void hash.update(bytes),
    digest: () => Promise.resolve(hash.digest('hex')),
    discard: () => undefined,
  }
}

function offThread(): FileHash {
  const w = hashWorker()
  const id = nextId++
  return {
    update(bytes) {
      // A copy of its own, transferred: the caller reuses its read buffer at once.
      const copy = new Uint8Array(bytes.length)
      copy.set(bytes)
      w.postMessage({ t: 'u', id, b: copy.buffer }, [copy.buffer])
    },
    digest() {
      return new Promise<string>((resolve, reject) => {
        if (worker !== w) return reject(new Error('The hashing thread stopped.'))
        waiting.set(id, { resolve, reject })
        w.ref() // a digest is awaited: stay alive until it arrives
        w.postMessage({ t: 'd', id })
      })
    },
    discard() {
      w.postMessage({ t: 'x', id })
    },
  }
}
