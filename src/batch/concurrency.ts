/** Small helpers for bounded parallel I/O (the libuv pool is small; so is the machine). */

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      signal?.throwIfAborted()
      const i = next++
      out[i] = await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

/**
 * A queue that starts work as items are added (at most `limit` at once) while the caller
 * carries on, e.g. sniffing recordings while the CSV is still being parsed.
 */
export class BackgroundQueue<T> {
  private readonly items: T[] = []
  private next = 0
  private active = 0
  private idle: Array<() => void> = []

  constructor(
    private readonly limit: number,
    private readonly work: (item: T) => Promise<void>,
  ) {}

  push(item: T): void {
    this.items.push(item)
    this.pump()
  }

  /** Resolves once every item pushed so far is done. */
  drain(): Promise<void> {
    if (this.active === 0 && this.next >= this.items.length) return Promise.resolve()
    return new Promise((resolve) => this.idle.push(resolve))
  }

  private pump(): void {
    while (this.active < this.limit && this.next < this.items.length) {
      const item = this.items[this.next++]!
      this.active++
      void this.work(item)
        .catch(() => undefined)
        .finally(() => {
          this.active--
          this.pump()
          if (this.active === 0 && this.next >= this.items.length) {
            const waiting = this.idle
            this.idle = []
            for (const w of waiting) w()
          }
        })
    }
  }
}
