/** Lets running uploads wait at a safe point while the user has paused the batch. */
export class PauseGate {
  private waiting: Promise<void> | null = null
  private release: (() => void) | null = null

  get paused(): boolean {
    return this.waiting !== null
  }

  pause(): void {
    if (this.waiting) return
    this.waiting = new Promise((resolve) => (this.release = resolve))
  }

  resume(): void {
    this.release?.()
    this.waiting = null
    this.release = null
  }

  /** Resolves at once when running; when paused, once resumed. */
  wait(): Promise<void> {
    return this.waiting ?? Promise.resolve()
  }
}
