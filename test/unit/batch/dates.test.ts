import { describe, expect, it, vi } from 'vitest'
import { DateTime } from 'luxon'
import { checkIsoDate, convertDate } from '../../../src/batch'
import { createPlatformDateWriter, localTimeZone } from '../../../src/batch/dates'

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

describe('createPlatformDateWriter: every Contact Date in the platform shape YYYY-MM-DDThh:mm:ss±hh:mm', () => {
  const SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/
  const iso = createPlatformDateWriter({})
  it.each([
    ['extended with offset (already the shape)', '2019-05-03T09:27:23+00:00', '2019-05-03T09:27:23+00:00'],
    ['Z', '2019-05-03T09:27:23Z', '2019-05-03T09:27:23+00:00'],
    ['basic', '20190503T092723Z', '2019-05-03T09:27:23+00:00'],
    ['basic with a basic offset', '20190503T092723+0530', '2019-05-03T09:27:23+05:30'],
    ['week date', '2019-W18-5T09:27:23+00:00', '2019-05-03T09:27:23+00:00'],
    ['ordinal date', '2019-123T09:27:23Z', '2019-05-03T09:27:23+00:00'],
    ['hour-only offset +05', '2019-05-03T09:27:23+05', '2019-05-03T09:27:23+05:00'],
    ['offset without colon', '2019-05-03T09:27:23-0330', '2019-05-03T09:27:23-03:30'],
    ['fractions of a second (dropped, not rounded)', '2019-05-03T09:27:23.999+01:00', '2019-05-03T09:27:23+01:00'],
    ['fractions with a comma', '2019-05-03T09:27:23,5Z', '2019-05-03T09:27:23+00:00'],
    ['no seconds', '2019-05-03T09:27+01:00', '2019-05-03T09:27:00+01:00'],
    ['surrounding spaces', '  2019-05-03T09:27:23Z ', '2019-05-03T09:27:23+00:00'],
  ])('%s: %s', (_name, value, expected) => {
    const out = iso(value)
    expect(out).toBe(expected)
    expect(out).toMatch(SHAPE)
  })

  it('returns null for what cannot be read or is not real', () => {
    for (const v of ['2019-02-29T10:00:00Z', '2019-05-03T24:00:00Z', '2019-05-03', '03/05/2019 09:27', 'yesterday', '', '+012019-05-03T09:27:23Z']) expect(iso(v)).toBeNull()
  })

  it('reads ISO values without an offset in mapping.timezone, with that day\'s offset', () => {
    const london = createPlatformDateWriter({ timezone: 'Europe/London' })
    expect(london('2019-05-03T09:27:23')).toBe('2019-05-03T09:27:23+01:00')
    expect(london('2019-01-03T09:27:23')).toBe('2019-01-03T09:27:23+00:00')
    expect(london('20190503T092723')).toBe('2019-05-03T09:27:23+01:00')
    expect(createPlatformDateWriter({ timezone: 'America/New_York' })('2019-W18-5T09:27')).toBe('2019-05-03T09:27:00-04:00')
  })

  it('reads ISO values without an offset in this computer\'s zone when no zone is chosen (localTimeZone names it)', () => {
    const zone = localTimeZone()
    expect(createPlatformDateWriter({})('2019-05-03T09:27:23')).toBe(createPlatformDateWriter({ timezone: zone })('2019-05-03T09:27:23'))
  })

  it('converts a source format in a zone, across a DST change, and refuses values off the format', () => {
    const w = createPlatformDateWriter({ dateFormat: 'dd/MM/yyyy HH:mm', timezone: 'Europe/London' })
    expect(w('30/03/2019 23:59')).toBe('2019-03-30T23:59:00+00:00')
    expect(w('31/03/2019 00:30')).toBe('2019-03-31T00:30:00+00:00')
    expect(w('31/03/2019 03:00')).toBe('2019-03-31T03:00:00+01:00')
    expect(w('31/03/2019 01:30')).toBe('2019-03-31T02:30:00+01:00') // in the gap: moved forward, as luxon does
    expect(w('13/05/2024 09:00')).toBe('2024-05-13T09:00:00+01:00')
    expect(w('05/13/2024 09:00')).toBeNull()
    expect(w('2024-05-13T09:00:00+01:00')).toBeNull()
    expect(createPlatformDateWriter({ dateFormat: 'M/d/yy h:mm:ss a', timezone: 'UTC' })('12/31/99 12:05:09 am')).toBe('1999-12-31T00:05:09+00:00')
    expect(createPlatformDateWriter({ dateFormat: 'yyyy-MM-dd HH:mm:ss.SSS', timezone: 'Asia/Kolkata' })('2024-05-13 09:00:01.999')).toBe('2024-05-13T09:00:01+05:30')
    expect(createPlatformDateWriter({ dateFormat: 'dd MMM yyyy HH:mm', timezone: 'Europe/Paris' })('03 May 2019 09:27')).toBe('2019-05-03T09:27:00+02:00')
    expect(createPlatformDateWriter({ dateFormat: 'dd/MM/yyyy HH:mm', timezone: 'Mars/Olympus' })('13/05/2024 09:00')).toBeNull()
  })

  it('agrees with luxon through a year (every 3 h 17 min) in a zone with DST', () => {
    const w = createPlatformDateWriter({ dateFormat: 'yyyy-MM-dd HH:mm', timezone: 'America/New_York' })
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += 3 * 3_600_000 + 17 * 60_000) {
      const wall = new Date(t).toISOString().slice(0, 16).replace('T', ' ')
      const lux = DateTime.fromFormat(wall, 'yyyy-MM-dd HH:mm', { zone: 'America/New_York' }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ")
      expect(w(wall)).toBe(lux)
    }
  })

  it('returns a value already in the platform shape as it is, without calling luxon', () => {
    const spies = [vi.spyOn(DateTime, 'fromISO'), vi.spyOn(DateTime, 'fromObject'), vi.spyOn(DateTime, 'fromFormatParser')]
    try {
      const w = createPlatformDateWriter({})
      for (const v of ['2019-05-03T09:27:23+00:00', '2024-02-29T23:59:59-08:00', '2019-05-03T09:27:23Z']) expect(w(v)).toMatch(SHAPE)
      for (const s of spies) expect(s).not.toHaveBeenCalled()
    } finally {
      for (const s of spies) s.mockRestore()
    }
  })
})
