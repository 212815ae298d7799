/**
 * A worker thread run from plain CommonJS source (no TypeScript loader needed in any host)
 * that answers each request with one message carrying the request's id. Shared by the
 * batch check's file worker and the upload's hashing worker.
 */
import { Worker, type Transferable } from 'node:worker_threads'

export class WorkerClient<Reply extends { id: number }> {
  private readonly worker: Worker
  private nextId = 0
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (err: unknown) => void }>()
  /** Why the worker is gone: later requests fail at once instead of waiting forever. */
  private stopped: unknown = null

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

  /** Posts `message` with no answer expected. */
  send(message: object): void {
    if (!this.stopped) this.worker.postMessage(message)
  }

  /**
   * Posts `message` with a fresh id; resolves with the worker's answer to it. `transfer` moves
   * buffers to the worker instead of copying them (they are unusable here afterwards).
   */
  request(message: object, transfer?: Transferable[]): Promise<Reply> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      if (this.stopped) return reject(this.stopped)
      this.pending.set(id, { resolve, reject })
      this.worker.postMessage({ ...message, id }, transfer)
    })
  }


  close(): Promise<number> {
    this.failAll(new Error('the worker thread was closed'))
    return this.worker.terminate()
  }

  private failAll(err: unknown): void {
    this.stopped ??= err
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
  }
}
