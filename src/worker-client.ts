/**
 * A worker thread run from plain CommonJS source (no TypeScript loader needed in any host)
 * that answers each request with one message carrying the request's id. Shared by the
 * batch check's file worker and the upload's hashing worker.
 */
import { Worker } from 'node:worker_threads'

export class WorkerClient<Reply extends { id: number }> {
  private readonly worker: Worker
  private nextId = 0
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (err: unknown) => void }>()

  constructor(source: string) {
    this.worker = new Worker(source, { eval: true })
    // Idle between requests: never what keeps the process alive.
    this.worker.unref()
    this.worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id)
      this.pending.delete(reply.id)
      p?.resolve(reply)
    })
    this.worker.on('error', (err) => this.failAll(err))
    this.worker.on('exit', () => this.failAll(new Error('the worker thread stopped')))
  }

  /** Posts `message` with a fresh id; resolves with the worker's answer to it. */
  request(message: object): Promise<Reply> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.postMessage({ ...message, id })
    })
  }

  close(): Promise<number> {
    return this.worker.terminate()
  }

  private failAll(err: unknown): void {
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
  }
}
