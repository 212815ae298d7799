/**
 * Contact dates: the platform documents one shape, `YYYY-MM-DDThh:mm:ss±hh:mm`
 * (`2019-05-03T09:27:23+00:00`), and every date is written so, from any ISO 8601 form or a
 * source format + zone. Validation and the uploaded CSV's writer use the same writer. Luxon
 * costs 10-30 µs a row (parser and Intl offsets), far too slow for 1,000,000 rows: values
 * already in the shape are returned as they are, the common forms and numeric source formats
 * are read here by hand with one zone lookup per day, and luxon reads only the rare rest.
 */
import { DateTime, IANAZone } from 'luxon'
import type { MappingProfile } from '../api'

/** Outcome of checking one ISO 8601 value. */
export type DateCheck = { ok: true; hasOffset: boolean } | { ok: false; reason: string }

const FAST_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(Z|[+-](\d{2})(?::?(\d{2}))?)?$/
const OFFSET_AT_END = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function daysIn(year: number, month: number): number {
  if (month === 2 && (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return 29
  return DAYS[month - 1]!
}

const OK_OFFSET: DateCheck = { ok: true, hasOffset: true }
const OK_LOCAL: DateCheck = { ok: true, hasOffset: false }
const BAD_DATE: DateCheck = { ok: false, reason: 'is not a real calendar date' }
const BAD_TIME: DateCheck = { ok: false, reason: 'is not a real time of day' }

/** Digits at s[at..at+n) as a number, or -1. No allocation: this runs once per row. */
function num(s: string, at: number, n: number): number {
  let v = 0
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48
    if (c < 0 || c > 9) return -1
    v = v * 10 + c
  }
  return v
}

/**
 * The common shape `YYYY-MM-DDTHH:MM:SS(Z|±HH:MM)` read character by character; null when
 * the value has another shape (then the regex and luxon decide).
 */
function quickIso(v: string): DateCheck | null {
  const len = v.length
  if (len !== 20 && len !== 25) return null
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 84 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return null
  const y = num(v, 0, 4), mo = num(v, 5, 2), d = num(v, 8, 2), h = num(v, 11, 2), mi = num(v, 14, 2), sec = num(v, 17, 2)
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return null
  if (len === 20) {
    if (v.charCodeAt(19) !== 90) return null
  } else {
    const sign = v.charCodeAt(19)
    if ((sign !== 43 && sign !== 45) || v.charCodeAt(22) !== 58) return null
    const oh = num(v, 20, 2), om = num(v, 23, 2)
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return null
  }
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return BAD_DATE
  if (h > 23 || mi > 59 || sec > 59) return BAD_TIME
  return OK_OFFSET
}

/** Checks an ISO 8601 date-time: a real calendar date, a time, and whether it has an offset. */
export function checkIsoDate(value: string): DateCheck {
  const quick = quickIso(value)
  if (quick !== null) return quick
  const v = value.trim()
  const m = FAST_ISO.exec(v)
  if (m) {
    const [y, mo, d, h, mi, s] = [+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, m[6] === undefined ? 0 : +m[6]]
    if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return BAD_DATE
    if (h > 23 || mi > 59 || s > 59) return BAD_TIME
    if (m[8] !== undefined && (+m[8] > 23 || (m[9] !== undefined && +m[9] > 59))) return { ok: false, reason: 'has an impossible UTC offset' }
    return m[7] !== undefined ? OK_OFFSET : OK_LOCAL
  }
  // Every ISO 8601 form starts with a year: anything else is refused without waking luxon
  // (its first call initialises Intl, ~70 ms).
  if (!/^[+-]?\d{4}/.test(v)) return { ok: false, reason: 'is not an ISO 8601 date-time such as 2019-05-03T09:27:23+00:00' }
  const dt = DateTime.fromISO(v, { setZone: true })
  if (!dt.isValid) {
    return /^\d{4}-\d{2}-\d{2}/.test(v) && dt.invalidReason === 'unit out of range'
      ? { ok: false, reason: 'is not a real calendar date or time' }
      : { ok: false, reason: 'is not an ISO 8601 date-time such as 2019-05-03T09:27:23+00:00' }
  }
  if (!/T\d/i.test(v)) return { ok: false, reason: 'has a date but no time (write it like 2019-05-03T09:27:23+00:00)' }
  return { ok: true, hasOffset: OFFSET_AT_END.test(v) }
}

/** True when `zone` is an IANA time zone name luxon knows (e.g. `Europe/London`, `UTC`). */
export function isValidZone(zone: string): boolean {
  return zone === 'UTC' || IANAZone.isValidZone(zone)
}

/** This computer's IANA time zone (honours TZ): where dates without an offset are read by default. */
export function localTimeZone(): string {
  const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone
  return zone && isValidZone(zone) ? zone : 'UTC'
}

/** The one shape the platform documents for Contact Date (its own example). */
export const PLATFORM_DATE_SHAPE = 'YYYY-MM-DDThh:mm:ss±hh:mm'

const P2 = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)))

/** A date-time and its offset (minutes) in the platform's shape; null outside years 0000-9999. */
function platformText(y: number, mo: number, d: number, h: number, mi: number, s: number, offsetMin: number): string | null {
  if (y < 0 || y > 9999) return null
  const off = Math.round(Math.abs(offsetMin))
  const year = y >= 1000 ? String(y) : String(y).padStart(4, '0')
  return `${year}-${P2[mo]}-${P2[d]}T${P2[h]}:${P2[mi]}:${P2[s]}${offsetMin < 0 ? '-' : '+'}${P2[Math.floor(off / 60)]}:${P2[off % 60]}`
}

function fromLuxon(dt: DateTime): string | null {
  return dt.isValid ? platformText(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.offset) : null
}

function realDateTime(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(y, mo) && h <= 23 && mi <= 59 && s <= 59
}

/**
 * Wall-clock times of one zone to the platform's shape. Asking luxon for every row's offset
 * costs ~20 µs (Intl), so each day's offset is asked once: a day whose midnight and 23:59:59
 * both exist with the same offset has one offset all day (zones change at most once a day).
 * Days with a change (DST) are left to luxon row by row, which shifts times in a gap forward.
 */
class ZoneClock {
  private readonly days = new Map<number, number>()
  readonly valid: boolean
  constructor(readonly zone: string) {
    this.valid = isValidZone(zone)
  }

  private dayOffset(y: number, mo: number, d: number): number {
    if (this.zone === 'UTC') return 0
    const key = y * 10000 + mo * 100 + d
    const known = this.days.get(key)
    if (known !== undefined) return known
    const a = DateTime.fromObject({ year: y, month: mo, day: d, hour: 0 }, { zone: this.zone })
    const b = DateTime.fromObject({ year: y, month: mo, day: d, hour: 23, minute: 59, second: 59 }, { zone: this.zone })
    const steady = a.isValid && b.isValid && a.offset === b.offset && a.day === d && a.hour === 0 && b.day === d && b.hour === 23
    const offset = steady ? a.offset : Number.NaN
    this.days.set(key, offset)
    return offset
  }

  /** The wall time read in this zone, in the platform's shape; null when it is not real. */
  text(y: number, mo: number, d: number, h: number, mi: number, s: number): string | null {
    if (!this.valid || !realDateTime(y, mo, d, h, mi, s)) return null
    const offset = this.dayOffset(y, mo, d)
    if (!Number.isNaN(offset)) return platformText(y, mo, d, h, mi, s, offset)
    return fromLuxon(DateTime.fromObject({ year: y, month: mo, day: d, hour: h, minute: mi, second: s }, { zone: this.zone }))
  }
}

/** Any ISO 8601 date-time checkIsoDate accepts, in the platform's shape (no offset: read in the clock's zone). */
function writeIso(v: string, clock: ZoneClock): string | null {
  const m = FAST_ISO.exec(v)
  if (m) {
    const [y, mo, d, h, mi, s] = [+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, m[6] === undefined ? 0 : +m[6]]
    if (m[7] === undefined) return clock.text(y, mo, d, h, mi, s)
    if (!realDateTime(y, mo, d, h, mi, s)) return null
    if (m[7] === 'Z') return platformText(y, mo, d, h, mi, s, 0)
    const oh = +m[8]!
    const om = m[9] === undefined ? 0 : +m[9]
    if (oh > 23 || om > 59) return null
    return platformText(y, mo, d, h, mi, s, (m[7].startsWith('-') ? -1 : 1) * (oh * 60 + om))
  }
  // Basic (20190503T092723Z), week (2019-W18-5T...) and ordinal (2019-123T...) forms: rare, so luxon.
  if (!/^[+-]?\d{4}/.test(v) || !/T\d/i.test(v)) return null
  const dt = OFFSET_AT_END.test(v) ? DateTime.fromISO(v, { setZone: true }) : clock.valid ? DateTime.fromISO(v, { zone: clock.zone }) : null
  return dt ? fromLuxon(dt) : null
}

type Field = 'y' | 'M' | 'd' | 'H' | 'h' | 'm' | 's' | 'S'
type Part = { lit: string } | { field: Field; min: number; max: number; twoDigitYear?: boolean } | { meridiem: true }

/** luxon tokens our own reader handles; anything else (month names, offsets...) goes to luxon. */
const NUMERIC_TOKENS: Record<string, { field: Field; min: number; max: number; twoDigitYear?: boolean }> = {
  d: { field: 'd', min: 1, max: 2 }, dd: { field: 'd', min: 2, max: 2 },
  M: { field: 'M', min: 1, max: 2 }, MM: { field: 'M', min: 2, max: 2 }, L: { field: 'M', min: 1, max: 2 }, LL: { field: 'M', min: 2, max: 2 },
  yy: { field: 'y', min: 2, max: 4, twoDigitYear: true }, yyyy: { field: 'y', min: 4, max: 4 },
  H: { field: 'H', min: 1, max: 2 }, HH: { field: 'H', min: 2, max: 2 }, h: { field: 'h', min: 1, max: 2 }, hh: { field: 'h', min: 2, max: 2 },
  m: { field: 'm', min: 1, max: 2 }, mm: { field: 'm', min: 2, max: 2 }, s: { field: 's', min: 1, max: 2 }, ss: { field: 's', min: 2, max: 2 },
  S: { field: 'S', min: 1, max: 3 }, SSS: { field: 'S', min: 3, max: 3 }, u: { field: 'S', min: 1, max: 9 },
}

/**
 * Splits a luxon format into parts our reader handles, or null when it holds a token it does
 * not (then luxon reads it). Reading is luxon's: whole value, literals case-insensitive,
 * `yy` 2-4 digits with luxon's century window, fractions of a second read and dropped.
 */
function compileFormat(format: string): Part[] | null {
  const parts: Part[] = []
  const seen = new Set<string>()
  for (let i = 0; i < format.length;) {
    const c = format[i]!
    if (c === "'") {
      const end = format.indexOf("'", i + 1)
      if (end < 0) return null
      parts.push({ lit: end === i + 1 ? "'" : format.slice(i + 1, end) })
      i = end + 1
    } else if (/[A-Za-z]/.test(c)) {
      let j = i
      while (format[j] === c) j++
      const token = c === 'a' && j - i === 1 ? 'a' : format.slice(i, j)
      if (token === 'a') parts.push({ meridiem: true })
      else if (NUMERIC_TOKENS[token]) parts.push({ ...NUMERIC_TOKENS[token]! })
      else return null
      seen.add(token === 'a' ? 'a' : NUMERIC_TOKENS[token]!.field)
      i = j
    } else {
      parts.push({ lit: c })
      i++
    }
  }
  // Without backtracking, a variable-width number cannot sit against another number (luxon's regex can).
  for (let i = 0; i + 1 < parts.length; i++) {
    const a = parts[i]!
    if ('field' in a && a.min < a.max && 'field' in parts[i + 1]!) return null
  }
  const ok = seen.has('y') && seen.has('M') && seen.has('d') && !(seen.has('a') && seen.has('H')) && !(seen.has('h') && seen.has('H'))
  return ok ? parts : null
}

const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c)

/** A reader for one compiled format: value → platform shape via the zone clock, or null. */
function formatReader(parts: Part[], clock: ZoneClock): (v: string) => string | null {
  const hasMeridiem = parts.some((p) => 'meridiem' in p)
  return (v) => {
    let at = 0
    let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0
    let pm = -1
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p]!
      if ('lit' in part) {
        const lit = part.lit
        for (let k = 0; k < lit.length; k++, at++) {
          const a = v.charCodeAt(at)
          const b = lit.charCodeAt(k)
          if (a !== b && lower(a) !== lower(b) && !(b === 32 && a === 0xa0)) return null
        }
      } else if ('meridiem' in part) {
        const a = lower(v.charCodeAt(at))
        if ((a !== 97 && a !== 112) || lower(v.charCodeAt(at + 1)) !== 109) return null
        pm = a === 112 ? 1 : 0
        at += 2
      } else {
        let n = 0
        let len = 0
        while (len < part.max) {
          const c = v.charCodeAt(at + len) - 48
          if (!(c >= 0 && c <= 9)) break
          n = n * 10 + c
          len++
        }
        if (len < part.min) return null
        at += len
        switch (part.field) {
          case 'y': y = part.twoDigitYear && n <= 99 ? (n > 60 ? 1900 + n : 2000 + n) : n; break
          case 'M': mo = n; break
          case 'd': d = n; break
          case 'H': case 'h': h = n; break
          case 'm': mi = n; break
          case 's': s = n; break
          default: break // fractions of a second are dropped
        }
      }
    }
    if (at !== v.length) return null
    if (hasMeridiem) {
      if (h > 12) return null
      if (pm === 1 && h < 12) h += 12
      else if (pm === 0 && h === 12) h = 0
    }
    return clock.text(y, mo, d, h, mi, s)
  }
}

/** A luxon-read format (month names, offsets...): slower, for the formats our reader leaves. */
function luxonReader(format: string, clock: ZoneClock): (v: string) => string | null {
  let parser: ReturnType<typeof DateTime.buildFormatParser> | null = null
  try {
    parser = DateTime.buildFormatParser(format, { locale: 'en-US' })
  } catch {
    return () => null
  }
  return (v) => {
    if (!clock.valid) return null
    try {
      return fromLuxon(DateTime.fromFormatParser(v, parser, { zone: clock.zone, locale: 'en-US' }))
    } catch {
      return null // e.g. a format mixing 24 h hours with AM/PM
    }
  }
}

/** Reads values written in `format` (luxon tokens) in the IANA `zone`; the platform's shape or null. */
export function createFormatReader(format: string, zone: string): (value: string) => string | null {
  const clock = new ZoneClock(zone)
  const parts = compileFormat(format)
  const read = parts ? formatReader(parts, clock) : luxonReader(format, clock)
  return (value) => read(value.trim())
}

/**
 * Writes one Contact Date in the platform's shape `YYYY-MM-DDThh:mm:ss±hh:mm` (Z as +00:00,
 * fractions dropped, +05 as +05:00), from any ISO 8601 form or from the mapping's source
 * format and zone. Built once per batch; the writer of the uploaded CSV and validation both
 * call it for every row, so they agree on every value. A value already in the platform's
 * shape is returned as it is without luxon; ISO values without an offset are read in
 * mapping.timezone, else in this computer's zone (NO_UTC_OFFSET says which). Null: unreadable.
 */
export function createPlatformDateWriter(mapping: Pick<MappingProfile, 'dateFormat' | 'timezone'>): (value: string) => string | null {
  const zone = mapping.timezone || localTimeZone()
  if (mapping.dateFormat) return createFormatReader(mapping.dateFormat, zone)
  const clock = new ZoneClock(zone)
  return (value) => {
    const v = value.trim()
    if (v.length === 25 && quickIso(v) === OK_OFFSET) return v
    if (v.length === 20 && quickIso(v) === OK_OFFSET) return `${v.slice(0, 19)}+00:00`
    return writeIso(v, clock)
  }
}

/** A compiled source date format (luxon tokens) in an IANA zone, reused for every row. */
export interface DateConverter {
  /** The platform's shape (`YYYY-MM-DDThh:mm:ss±hh:mm`), or null when the value does not match the format. */
  convert(value: string): string | null
}

/** Builds a converter once per batch (kept for callers of the format-only reader). */
export function createDateConverter(dateFormat: string, timezone: string): DateConverter {
  return { convert: createFormatReader(dateFormat, timezone) }
}

/**
 * Converts one date written in `dateFormat` (luxon tokens, e.g. `dd/MM/yyyy HH:mm`) in the
 * IANA `timezone` to the platform's shape, e.g. `2019-05-03T09:27:00+01:00`. Null when the
 * value does not fit the format or the zone is unknown. Without a format, the value is read
 * as ISO 8601 and given the zone when it has no offset. The wizard's live example uses it.
 */
export function convertDate(value: string, dateFormat: string, timezone: string): string | null {
  if (!isValidZone(timezone)) return null
  return createPlatformDateWriter({ dateFormat: dateFormat || undefined, timezone })(value)
}
