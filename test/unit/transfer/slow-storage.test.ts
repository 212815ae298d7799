import { describe, expect, it } from 'vitest'
import { RECENT_CALLS, SLOW_LOCAL_CALL_MS, SlowStorageDetector, STRIKES } from '../../../src/transfer/slow-storage'

const fast = 0.05
const slow = SLOW_LOCAL_CALL_MS + 1

describe('slow storage', () => {
  it('keeps calls on the main thread through the odd pause a busy machine gives', () => {
    const storage = new SlowStorageDetector()
    // One pause every RECENT_CALLS / (STRIKES - 1) calls, for ten thousand calls.
    const every = Math.ceil(RECENT_CALLS / (STRIKES - 1)) + 1
    for (let call = 0; call < 10_000; call++) storage.record(call % every === 0 ? slow : fast)
    expect(storage.slow).toBe(false)
  })

  it('switches once the disk is slow call after call, within its first few calls', () => {
    const storage = new SlowStorageDetector()
    for (let call = 1; call < STRIKES; call++) {
      storage.record(slow)
      expect(storage.slow, `after ${call} slow calls`).toBe(false)
    }
    storage.record(slow)
    expect(storage.slow).toBe(true)
  })

  it('counts slow calls that come close together, even with fast ones between them', () => {
    const storage = new SlowStorageDetector()
    for (let strike = 0; strike < STRIKES; strike++) {
      storage.record(slow)
      for (let call = 0; call < 10; call++) storage.record(fast)
    }
    expect(storage.slow).toBe(true)
  })

  it('stays switched: a disk that proved slow is not trusted again in this process', () => {
    const storage = new SlowStorageDetector()
    for (let call = 0; call < STRIKES; call++) storage.record(slow)
    for (let call = 0; call < 10 * RECENT_CALLS; call++) storage.record(fast)
    expect(storage.slow).toBe(true)
  })

  it('takes the outcome a test assumes, whatever it timed before', () => {
    const storage = new SlowStorageDetector()
    for (let call = 0; call < STRIKES; call++) storage.record(slow)
    storage.assume(false)
    expect(storage.slow).toBe(false)
    storage.record(slow)
    expect(storage.slow, 'slow calls before the assumption no longer count').toBe(false)
    storage.assume(true)
    expect(storage.slow).toBe(true)
  })
})
