import { describe, expect, it } from 'vitest'
import { StringTable } from '../../../src/batch/string-table'

describe('StringTable', () => {
  it('gives dense ids in first-seen order, through growth and non-Latin-1 text, and gives the strings back', () => {
    const t = new StringTable(16, 2)
    for (let r = 0; r < 5000; r++) {
      expect(t.intern(`CR-${r}`)).toBe(r)
      expect(t.added).toBe(true)
    }
    expect(t.intern('CR-17')).toBe(17)
    expect(t.added).toBe(false)
    expect(t.intern('Zoë-1')).toBe(5000)
    expect(t.intern('通話-1')).toBe(5001)
    expect(t.intern('通話-1')).toBe(5001)
    expect(t.intern('Zoë-1')).toBe(5000)
    expect(t.intern('CR-4999')).toBe(4999)
    expect(t.intern('cr-17')).toBe(5002) // case-sensitive
    expect(t.intern('')).toBe(5003)
    expect(t.intern('')).toBe(5003)
    expect(t.size).toBe(5004)
    expect([t.get(17), t.get(5000), t.get(5001), t.get(5003)]).toEqual(['CR-17', 'Zoë-1', '通話-1', ''])
    const long = 'x'.repeat(20_000)
    expect(t.get(t.intern(long))).toBe(long)
  })
})
