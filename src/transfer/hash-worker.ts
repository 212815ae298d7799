/**
 * sha256 of local recordings on a worker thread, while the main thread sends their bytes.
 * On loopback the upload is bound by the main thread's CPU (ssh2's packets, the socket, the
 * reads); hashing there took 12% of it (a CPU profile of 200 x 2 MiB to sshd). The worker
 * reads the file itself (from the page cache, just read for sending) and hashes it on the
 * other core. The writer stats the file before and after both reads: a file that changed in
 * between is sent again, exactly as when the bytes sent were hashed.
 */
import { WorkerClient } from '../worker-client'

/** Plain CommonJS so the worker needs no TypeScript loader (as src/batch/sniff-worker.ts). */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const fs = require('node:fs')
const block = Buffer.allocUnsafe(1024 * 1024)
parentPort.on('message', ({ id, path }) => {
  let fd = -1
  try {
    fd = fs.openSync(path, 'r')
    const hash = createHash('sha256')
    let size = 0
    for (;;) {
      const n = fs.readSync(fd, block, 0, block.length, size)
      if (n === 0) break
      hash.update(block.subarray(0, n))
      size += n
    }
    parentPort.postMessage({ id, size, sha256: hash.digest('hex') })
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) })
  } finally {
    if (fd >= 0) fs.closeSync(fd)
  }
})
`

/** A file's bytes as read whole: their count and sha256. */
export interface FileDigest {
  size: number
  sha256: string
}

/** What the writer needs: the digest of a whole local file. */
export interface FileHasher {
  hash(localPath: string): Promise<FileDigest>
}

/** One worker thread hashing files in the order asked. */
export class HashWorker implements FileHasher {
  private readonly client = new WorkerClient<{ id: number; size?: number; sha256?: string; error?: string }>(WORKER_SOURCE)

  async hash(localPath: string): Promise<FileDigest> {
    const reply = await this.client.request({ path: localPath })
    if (reply.error !== undefined) throw new Error(reply.error)
    return { size: reply.size!, sha256: reply.sha256! }
  }

  close(): Promise<number> {
    return this.client.close()
  }
}

/** A hashing thread, or null where threads are unavailable (the writer then hashes as it reads). */
export function startHashWorker(): HashWorker | null {
  try {
    return new HashWorker()
  } catch {
    return null
  }
}
