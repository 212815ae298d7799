/**
 * sha256 of the very bytes read for sending (DESIGN.md, "Exactly once"), computed on a worker
 * thread. On loopback the upload is bound by the main thread's CPU (ssh2's packets, the
 * socket, the reads); hashing there took 12% of it (a CPU profile of 200 x 2 MiB to sshd).
 *
 * Used where the writer cannot read straight into ssh2's packets (src/ssh/direct-write.ts:
 * slow storage, the OpenSSH transport). The writer then reads each block into a buffer taken
 * from here, hands it to ssh2 (which copies it into its packets at once), then gives it to the
 * hash: the buffer's memory moves to the worker (transferred, not copied), is hashed there,
 * and comes back to be read into again. Hashing the file again by its path would record the
 * bytes on disk at that moment, which are not those sent when the file is rewritten with its
 * modification time kept. */
import { createHash, type Hash } from 'node:crypto'
import { WorkerClient } from '../worker-client'

/** Size of a block of a file read for sending. Several SFTP writes come out of each. */
export const READ_BLOCK = 1024 * 1024

/**
 * Blocks that may exist at once for all files in flight (read into, or being hashed): a
 * bound on memory should the worker fall behind; readers then wait for one to come back.
 */
const MAX_BLOCKS = 48

/** Plain CommonJS so the worker needs no TypeScript loader (as src/batch/sniff-worker.ts). */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const streams = new Map()
parentPort.on('message', (m) => {
  let s = streams.get(m.stream)
  if (m.op === 'drop') return streams.delete(m.stream)
  if (!s) streams.set(m.stream, (s = { hash: createHash('sha256'), size: 0 }))
  if (m.op === 'update') {
    s.hash.update(new Uint8Array(m.buf, 0, m.length))
    s.size += m.length
    parentPort.postMessage({ id: m.id, buf: m.buf }, [m.buf])
  } else {
    streams.delete(m.stream)
    parentPort.postMessage({ id: m.id, size: s.size, sha256: s.hash.digest('hex') })
  }
})
`

/** The bytes given to a hash: their count and sha256. */
export interface FileDigest {
  size: number
  sha256: string
}

/** The buffers one file is read into, and the running hash of exactly the bytes read. */
export interface BlockHash {
  /** A buffer to read the next block into (READ_BLOCK bytes at most; may be shorter). */
  take(): Promise<Buffer>
  /** The next `length` bytes of the file, in order, are in `block`; the block is the hash's from now on. */
  update(block: Buffer, length: number): void
  /** A block taken but not read into (a failed read): back to the pool. */
  release(block: Buffer): void
  /** Count and sha256 of every byte given. */
  digest(): Promise<FileDigest>
  /** The file was abandoned (failed or cancelled): its hash is dropped. */
  abandon(): void
}

/** What the writer needs: a fresh hash per file written, told the file's size. */
export interface FileHasher {
  begin(fileSize: number): BlockHash
}

/**
 * Files up to this size are hashed on the main thread, as they are read, into blocks reused
 * from file to file. Sending a small file's block to the worker and back (two messages, and
 * two more for its digest) cost more CPU than hashing it: with this, the whole command's CPU on
 * 2,000 x 128 KiB to sshd fell from 3.13 s to 2.53 s (with one fstat per file; interleaved runs,
 * commit c279763). Larger files go to the worker, where their hashing runs beside the sending:
 * hashing 2 MiB files here too saved 5% CPU but cost 18% wall time.
 */
export const INLINE_HASH_MAX = 512 * 1024

/** Hashing on the main thread, into one block sized to the file (where threads are unavailable). */
export function localBlockHash(fileSize: number): BlockHash {
  // Sized to the file: a 1 MiB buffer per 32 KiB recording is mostly garbage-collector work.
  // Made when first asked for: the direct writer reads into its packets and never asks.
  let block: Buffer | null = null
  const hash: Hash = createHash('sha256')
  let size = 0
  return {
    take: () => Promise.resolve((block ??= Buffer.allocUnsafe(Math.max(1, Math.min(READ_BLOCK, fileSize))))),
    update: (b, length) => {
      hash.update(b.subarray(0, length))
      size += length
    },
    release: () => undefined,
    digest: () => Promise.resolve({ size, sha256: hash.digest('hex') }),
    abandon: () => undefined,
  }
}

type Reply = { id: number; buf?: ArrayBuffer; size?: number; sha256?: string }

/**
 * One worker thread hashing the files in flight, each as its own stream of blocks. The thread
 * starts with the first file given to it: most uploads read straight into ssh2's packets and
 * hash as they go (src/ssh/direct-write.ts), and a thread started for nothing cost about 0.08 s
 * of CPU (a fresh Node environment), a sixth of a one-file upload's.
 */
export class HashWorker implements FileHasher {
  private thread: WorkerClient<Reply> | null = null
  /** Threads could not be started here: every file is hashed on this thread. */
  private unavailable = false
  private readonly free: ArrayBuffer[] = []
  private readonly waiting: Array<(block: ArrayBuffer) => void> = []
  /** Blocks that exist: free, being read into, or at the worker. */
  private blocks = 0
  private nextStream = 0

  /** Blocks of READ_BLOCK bytes for the files hashed here, reused from file to file. */
  private readonly inlineFree: Buffer[] = []

  begin(fileSize: number): BlockHash {
    const client = fileSize > INLINE_HASH_MAX ? this.started() : null
    if (!client) return this.inline()
    const stream = this.nextStream++
    return {
      take: () => this.take(),
      update: (block, length) => this.update(client, stream, block, length),
      release: (block) => this.giveBack(block.buffer as ArrayBuffer),
      digest: async () => {
        const reply = await client.request({ op: 'digest', stream })
        return { size: reply.size!, sha256: reply.sha256! }
      },
      abandon: () => client.send({ op: 'drop', stream }),
    }
  }

  /** Whether the thread is running (a file was given to it). */
  get running(): boolean {
    return this.thread !== null
  }

  close(): Promise<number> {
    return this.thread?.close() ?? Promise.resolve(0)
  }

  /** The thread, started if it is not running; null where threads are unavailable. */
  private started(): WorkerClient<Reply> | null {
    if (this.thread || this.unavailable) return this.thread
    try {
      this.thread = new WorkerClient<Reply>(WORKER_SOURCE)
    } catch {
      this.unavailable = true
    }
    return this.thread
  }

  /**
   * A hash computed here as each block is given: the block is free again at once (ssh2 copied
   * it into its packet before), so a run's small files share a handful of blocks.
   */
  private inline(): BlockHash {
    const hash = createHash('sha256')
    let size = 0
    const free = this.inlineFree
    return {
      take: () => Promise.resolve(free.pop() ?? Buffer.allocUnsafeSlow(READ_BLOCK)),
      update: (block, length) => {
        hash.update(block.subarray(0, length))
        size += length
        free.push(block)
      },
      release: (block) => void free.push(block),
      digest: () => Promise.resolve({ size, sha256: hash.digest('hex') }),
      abandon: () => undefined,
    }
  }

  private take(): Promise<Buffer> {
    const free = this.free.pop()
    if (free) return Promise.resolve(Buffer.from(free))
    if (this.blocks < MAX_BLOCKS) {
      this.blocks++
      // Its own ArrayBuffer (never Node's shared pool), so it can move to the worker.
      return Promise.resolve(Buffer.from(new ArrayBuffer(READ_BLOCK)))
    }
    return new Promise((resolve) => this.waiting.push((block) => resolve(Buffer.from(block))))
  }

  private update(client: WorkerClient<Reply>, stream: number, block: Buffer, length: number): void {
    const buf = block.buffer as ArrayBuffer
    client.request({ op: 'update', stream, buf, length }, [buf]).then(
      (reply) => this.giveBack(reply.buf!),
      // The worker stopped: the block is gone with it; a reader waiting gets a new one.
      () => {
        this.blocks--
        const next = this.waiting.shift()
        if (next) {
          this.blocks++
          next(new ArrayBuffer(READ_BLOCK))
        }
      },
    )
  }

  private giveBack(block: ArrayBuffer): void {
    const next = this.waiting.shift()
    if (next) next(block)
    else this.free.push(block)
  }
}
