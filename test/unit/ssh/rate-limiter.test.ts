import { describe, expect, it } from 'vitest'
import { parseBandwidthLimit, parseRate, rateAt, RateLimiter, type Clock } from '../../../src/ssh/rate-limiter'

/** A clock the test moves: sleeping advances it, nothing waits for real time. */
function fakeClock(start: Date): Clock & { at: number } {
  const clock = {
    at: start.getTime(),
    now: () => clock.at,
    sleep: (ms: number) => {
      clock.at += ms
      return Promise.resolve()
    },
  }
  return clock
}

function detailsOf(f: () => unknown): string {
  try {
    f()
  } catch (err) {
    return (err as { details?: string }).details ?? ''
  }
  return 'no error'
}

const localTime = (h: number, m: number, s = 0) => new Date(2026, 0, 15, h, m, s)

describe('--bwlimit parsing', () => {
  it('reads rates in KiB and MiB, off, and timetables in local time', () => {
    expect(parseRate('2M')).toBe(2 * 1024 * 1024)
    expect(parseRate('500K')).toBe(500 * 1024)
    expect(parseRate('1.5M')).toBe(1.5 * 1024 * 1024)
    expect(parseRate('off')).toBeNull()
    const t = parseBandwidthLimit('18:00,off 08:00,1M')
    expect(t.entries).toEqual([{ minute: 480, rate: 1024 * 1024 }, { minute: 1080, rate: null }])
    expect(rateAt(t, localTime(7, 59).getTime())).toBeNull() // before 08:00: the 18:00 entry, from the evening before
    expect(rateAt(t, localTime(8, 0).getTime())).toBe(1024 * 1024)
    expect(rateAt(t, localTime(17, 59).getTime())).toBe(1024 * 1024)
    expect(rateAt(t, localTime(18, 0).getTime())).toBeNull()
  })

  it('refuses what it cannot read with one sentence naming the value', () => {
    for (const bad of ['fast', '2X', '25:00,1M', '08:00', '10B', '']) {
      expect(detailsOf(() => parseBandwidthLimit(bad)), bad).toMatch(/Expected `--bwlimit` to be a rate such as 2M/)
    }
  })

  it('refuses a number without a unit, naming the units, instead of reading it as bytes or KiB', () => {
    for (const bad of ['1', '500', '1.5', '08:00,1 18:00,off']) {
      expect(detailsOf(() => parseBandwidthLimit(bad)), bad).toMatch(/a number alone has no unit: write [\d.]+K for [\d.]+ KiB\/s .*K, M and G are KiB, MiB and GiB per second/)
    }
    expect(() => parseRate('1')).toThrow()
  })

  it('has one word for no limit: off; 0 and 0K are refused alike, pointing to off', () => {
    expect(parseRate('OFF')).toBeNull()
    expect(parseBandwidthLimit('08:00,1M 18:00,off').entries[1]!.rate).toBeNull()
    for (const bad of ['0', '0K', '0M', '08:00,0', '08:00,1M 18:00,0']) {
      expect(detailsOf(() => parseBandwidthLimit(bad)), bad).toMatch(/write off for no limit/)
    }
  })

  it('refuses a timetable that gives one time twice', () => {
    for (const bad of ['08:00,1M 08:00,2M', '8:00,1M 18:00,off 08:00,off']) {
      expect(detailsOf(() => parseBandwidthLimit(bad)), bad).toMatch(/08:00 is given twice/)
    }
    expect(parseBandwidthLimit('08:00,1M 08:01,2M').entries).toHaveLength(2)
  })

  it('names the desktop setting when it checks the setting', () => {
    expect(detailsOf(() => parseBandwidthLimit('5', 'settings.bandwidthLimit'))).toMatch(/^Expected `settings.bandwidthLimit` .* got `5`: a number alone has no unit/)
  })
})

describe('RateLimiter', () => {
  it('lets bytes through at the rate, shared by several takers', async () => {
    const clock = fakeClock(localTime(12, 0))
    const limiter = new RateLimiter(parseBandwidthLimit('1M'), clock)
    const start = clock.at
    // Four "files" of 2 MiB each, in 64 KiB pieces, interleaved as the engine's slots are.
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 32; i++) await limiter.take(64 * 1024)
    }))
    const seconds = (clock.at - start) / 1000
    expect(seconds).toBeGreaterThan(8 * 0.95 - 0.1)
    expect(seconds).toBeLessThan(8 * 1.05)
  })

  it('switches at a timetable boundary: limited until 08:00... then unlimited from 18:00', async () => {
    const clock = fakeClock(localTime(17, 59, 58))
    const limiter = new RateLimiter(parseBandwidthLimit('08:00,1M 18:00,off'), clock)
    // Two seconds before 18:00 at 1 MiB/s: about 2 MiB pass, then the rest goes without waiting.
    let sentBefore = 0
    for (let i = 0; i < 100; i++) {
      await limiter.take(64 * 1024)
      if (clock.at < localTime(18, 0).getTime()) sentBefore += 64 * 1024
    }
    expect(sentBefore / (1024 * 1024)).toBeGreaterThan(1.8)
    expect(sentBefore / (1024 * 1024)).toBeLessThan(2.3)
    expect(clock.at - localTime(18, 0).getTime()).toBeLessThan(1000) // no wait once the limit is off
    expect(limiter.rateNow()).toBeNull()
  })

  it('starts limiting at 08:00 after an unlimited night', async () => {
    const clock = fakeClock(localTime(7, 59, 59))
    const limiter = new RateLimiter(parseBandwidthLimit('08:00,512K 18:00,off'), clock)
    await limiter.take(10 * 1024 * 1024) // at night: immediate
    expect(clock.at).toBe(localTime(7, 59, 59).getTime())
    clock.at = localTime(8, 0).getTime()
    const from = clock.at
    for (let i = 0; i < 16; i++) await limiter.take(64 * 1024) // 1 MiB at 512 KiB/s
    expect((clock.at - from) / 1000).toBeGreaterThan(1.8)
    expect((clock.at - from) / 1000).toBeLessThan(2.1)
  })
})
