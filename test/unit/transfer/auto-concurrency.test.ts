import { describe, expect, it } from 'vitest'
import { autoConcurrency, DEFAULT_CONCURRENCY, MAX_AUTO_CONCURRENCY } from '../../../src/transfer/upload-engine'

describe('autoConcurrency', () => {
  it('keeps the default on a short or unmeasured link', () => {
    expect([null, Number.NaN, 0, 0.2, 5, 10, 14].map(autoConcurrency)).toEqual(Array(7).fill(DEFAULT_CONCURRENCY))
  })

  it('grows with the round trip and stops at the ceiling', () => {
    expect([15, 20, 30, 40, 100, 5000].map(autoConcurrency)).toEqual([32, 32, 48, 64, MAX_AUTO_CONCURRENCY, MAX_AUTO_CONCURRENCY])
  })
})
