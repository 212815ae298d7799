/**
 * Fault injection state shared by every connection of one sandbox (see SandboxFaults for what
 * a client observes). Pure bookkeeping: sessions ask it what to do with each request.
 */
import type { SandboxFaults } from './types'

/** Every knob off: the state a sandbox starts in. */
export const NO_FAULTS: SandboxFaults = {
  cutAfterBytes: null,
  denyFiles: [],
  quotaBytes: null,
  throttleBytesPerSecond: null,
  replyDelayMs: 0,
}

function check(name: string, value: number | null | undefined): void {
  if (value === null || value === undefined) return
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`Expected \`${name}\` to be a number from 0 and up, got \`${value}\``)
}

/** The current faults and the counters they need, for one sandbox. */
export class FaultState {
  private current: SandboxFaults = { ...NO_FAULTS }
  /** bytesReceived when cutAfterBytes was armed. */
  private cutBase = 0
  private throttleFreeAt = 0

  get faults(): SandboxFaults {
    return this.current
  }

  /** Applies a partial change; arming `cutAfterBytes` starts its count from `bytesReceived`. */
  set(partial: Partial<SandboxFaults>, bytesReceived: number): void {
    check('cutAfterBytes', partial.cutAfterBytes)
    check('quotaBytes', partial.quotaBytes)
    check('throttleBytesPerSecond', partial.throttleBytesPerSecond)
    check('replyDelayMs', partial.replyDelayMs)
    if (partial.throttleBytesPerSecond === 0) throw new TypeError('Expected `throttleBytesPerSecond` to be above 0 or null, got `0`')
    this.current = { ...this.current, ...partial, denyFiles: [...(partial.denyFiles ?? this.current.denyFiles)] }
    if (partial.cutAfterBytes !== undefined) this.cutBase = bytesReceived
  }

  /**
   * For a WRITE of `length` bytes arriving when `before` bytes were already received: the
   * number of its bytes to store before cutting the connection, or null for no cut. Disarms.
   */
  cutPoint(before: number, length: number): number | null {
    const limit = this.current.cutAfterBytes
    if (limit === null) return null
    const counted = before - this.cutBase
    if (counted + length < limit) return null
    this.current = { ...this.current, cutAfterBytes: null }
    return Math.max(0, Math.min(length, limit - counted))
  }

  /** True when storing `length` more bytes would pass the quota. */
  overQuota(stored: number, length: number): boolean {
    return this.current.quotaBytes !== null && stored + length > this.current.quotaBytes
  }

  /** True when opening this file for writing must be refused. */
  denies(virtualPath: string): boolean {
    const base = virtualPath.slice(virtualPath.lastIndexOf('/') + 1)
    return this.current.denyFiles.some((name) => name === base || name === virtualPath)
  }

  /** How long to hold a reply carrying `dataBytes` of file data. */
  replyDelay(dataBytes: number, now: number = Date.now()): number {
    let delay = this.current.replyDelayMs
    const rate = this.current.throttleBytesPerSecond
    if (rate !== null && dataBytes > 0) {
      this.throttleFreeAt = Math.max(now, this.throttleFreeAt) + (dataBytes * 1000) / rate
      delay += this.throttleFreeAt - now
    }
    return delay
  }
}
