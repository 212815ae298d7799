/**
 * When to stop calling the local disk on the main thread.
 *
 * The writer runs its file calls (open, read, stat, close) on the main thread while the disk
 * answers at once: each call handed to libuv's thread pool costs far more than the call itself
 * on a file in the page cache, and reading on this thread is what lets the direct writer put a
 * file's bytes straight into SSH packets. Slow storage (a cold disk, a network share) must not
 * stall every other file's sending, so slow calls send the process to the thread pool for good.
 *
 * One slow call is not enough: on a busy laptop (2 cores, a video call, the test suite) the
 * scheduler alone can hold a 50 us read for more than 10 ms now and then, and one such pause
 * used to switch a whole run to the slower path. Slow storage is slow call after call, so it
 * takes STRIKES slow calls among the last RECENT_CALLS: a network share still switches within
 * its first few reads.
 */

/** A call to the local disk slower than this counts against it. */
export const SLOW_LOCAL_CALL_MS = 10
/** Slow calls, among the last RECENT_CALLS, that mean slow storage. */
export const STRIKES = 3
export const RECENT_CALLS = 100

export class SlowStorageDetector {
  private readonly recent: boolean[] = []
  private next = 0
  private slowCalls = 0
  private switched = false

  /** True once the disk proved slow: every later call goes to the thread pool. */
  get slow(): boolean {
    return this.switched
  }

  /** Records one call's duration. */
  record(ms: number): void {
    if (this.switched) return
    const wasSlow = ms > SLOW_LOCAL_CALL_MS
    if (this.recent[this.next]) this.slowCalls--
    this.recent[this.next] = wasSlow
    this.next = (this.next + 1) % RECENT_CALLS
    if (wasSlow) this.slowCalls++
    if (this.slowCalls >= STRIKES) this.switched = true
  }

  /** Sets the outcome outright (for tests, which must not depend on how busy the machine is). */
  assume(slow: boolean): void {
    this.switched = slow
    this.recent.length = 0
    this.next = 0
    this.slowCalls = 0
  }
}
