import { describe, expect, it } from 'vitest'
import { RefTable } from '../../../src/batch/ref-table'

describe('RefTable', () => {
  it('returns the first row of a repeated reference, through growth and non-Latin-1 text', () => {
    const t = new RefTable(16)
    for (let r = 1; r <= 5000; r++) expect(t.firstRowOrAdd(`CR-${r}`, r)).toBe(-1)
    expect(t.firstRowOrAdd('CR-17', 6000)).toBe(17)
    expect(t.firstRowOrAdd('Zoë-1', 6001)).toBe(-1)
    expect(t.firstRowOrAdd('通話-1', 6002)).toBe(-1)
    expect(t.firstRowOrAdd('通話-1', 6003)).toBe(6002)
    expect(t.firstRowOrAdd('Zoë-1', 6004)).toBe(6001)
    expect(t.firstRowOrAdd('CR-4999', 6005)).toBe(4999)
    expect(t.firstRowOrAdd('cr-17', 6006)).toBe(-1) // references are case-sensitive
    expect(t.firstRowOrAdd('', 6007)).toBe(-1)
    expect(t.firstRowOrAdd('', 6008)).toBe(6007)
    expect(t.size).toBe(5004)
  })
})
