import { describe, expect, it } from 'vitest'
import { checkIsoDate, convertDate } from '../../../src/batch'

describe('checkIsoDate', () => {
  it.each([
    ['2019-05-03T09:27:23+00:00', true],
    ['2019-05-03T09:27:23Z', true],
    ['2019-05-03T09:27:23.123+05:30', true],
    ['2019-05-03T09:27+0100', true],
    ['2024-02-29T00:00:00-08:00', true],
    ['2019-05-03T09:27:23', false],
    ['2019-05-03T09:27:23.5', false],
  ])('accepts %s (offset: %s)', (v, hasOffset) => {
    expect(checkIsoDate(v)).toEqual({ ok: true, hasOffset })
  })
  it.each([
    ['2023-02-29T10:00:00Z', 'real calendar date'],
    ['2019-13-01T10:00:00Z', 'real calendar date'],
    ['2019-04-31T10:00:00Z', 'real calendar date'],
    ['2019-05-03T25:00:00Z', 'real time'],
    ['2019-05-03T10:61:00Z', 'real time'],
    ['03/05/2019 09:27', 'ISO 8601'],
    ['yesterday', 'ISO 8601'],
    ['2019-05-03', 'no time'],
  ])('refuses %s', (v, why) => {
    const r = checkIsoDate(v)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.reason).toContain(why)
  })
})

describe('convertDate', () => {
  it('converts a source format in a zone to ISO 8601 with that zone\'s offset', () => {
    expect(convertDate('03/05/2019 09:27', 'dd/MM/yyyy HH:mm', 'Europe/London')).toBe('2019-05-03T09:27:00+01:00')
    expect(convertDate('03/01/2019 09:27', 'dd/MM/yyyy HH:mm', 'Europe/London')).toBe('2019-01-03T09:27:00+00:00')
    expect(convertDate('5/3/2019 9:27 PM', 'M/d/yyyy h:mm a', 'America/New_York')).toBe('2019-05-03T21:27:00-04:00')
  })
  it('returns null for values that do not fit, impossible dates and unknown zones', () => {
    expect(convertDate('2019-05-03', 'dd/MM/yyyy HH:mm', 'Europe/London')).toBeNull()
    expect(convertDate('30/02/2019 09:27', 'dd/MM/yyyy HH:mm', 'Europe/London')).toBeNull()
    expect(convertDate('03/05/2019 09:27', 'dd/MM/yyyy HH:mm', 'Mars/Olympus')).toBeNull()
  })
  it('without a format, gives an ISO value the zone only when it has no offset', () => {
    expect(convertDate('2019-05-03T09:27:23', '', 'Europe/Paris')).toBe('2019-05-03T09:27:23+02:00')
    expect(convertDate('2019-05-03T09:27:23Z', '', 'Europe/Paris')).toBe('2019-05-03T09:27:23+00:00')
  })
})
