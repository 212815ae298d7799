import { describe, expect, it } from 'vitest'
import { durationsDiffer, parseDuration } from '../../../src/batch/duration-checks'

describe('stated durations', () => {
  it('reads seconds and clock forms, and nothing else', () => {
    expect(parseDuration('93')).toBe(93)
    expect(parseDuration(' 93.5 ')).toBe(93.5)
    expect(parseDuration('1:33')).toBe(93)
    expect(parseDuration('00:01:33')).toBe(93)
    expect(parseDuration('1:02:03')).toBe(3723)
    for (const bad of ['', 'n/a', '1:75', '-5', '1h 2m']) expect(parseDuration(bad), bad).toBeNaN()
  })

  it('flags only differences over 2 s and over 5% of the recording', () => {
    expect(durationsDiffer(45, 60)).toBe(true)
    expect(durationsDiffer(104, 100)).toBe(false) // 4 s, but 4%
    expect(durationsDiffer(1.5, 3.6)).toBe(true) // 2.1 s and 58%
    expect(durationsDiffer(31, 30)).toBe(false)
  })
})
