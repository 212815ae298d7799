/**
 * Contact dates: the platform wants ISO 8601 date-times with a UTC offset
 * (`2019-05-03T09:27:23+00:00`). Checks use luxon; the common extended form is checked by a
 * fast path first because luxon's parser costs ~5 µs a row, too slow for 1,000,000 rows.
 */
import { DateTime, IANAZone } from 'luxon'

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

/** A compiled source date format (luxon tokens) in an IANA zone, reused for every row. */
export interface DateConverter {
  /** ISO 8601 with offset, or null when the value does not match the format. */
  convert(value: string): string | null
}

/** True when `zone` is an IANA time zone name luxon knows (e.g. `Europe/London`, `UTC`). */
export function isValidZone(zone: string): boolean {
  return zone === 'UTC' || IANAZone.isValidZone(zone)
}

/** Builds a converter once per batch: luxon's format parser is compiled a single time. */
export function createDateConverter(dateFormat: string, timezone: string): DateConverter {
  const parser = DateTime.buildFormatParser(dateFormat, { locale: 'en-US' })
  return {
    convert(value) {
      const dt = DateTime.fromFormatParser(value.trim(), parser, { zone: timezone, locale: 'en-US' })
      return dt.isValid ? dt.toISO({ suppressMilliseconds: true }) : null
    },
  }
}

/**
 * Converts one date written in `dateFormat` (luxon tokens, e.g. `dd/MM/yyyy HH:mm`) in the
 * IANA `timezone` to ISO 8601 with offset, e.g. `2019-05-03T09:27:00+01:00`. Null when the
 * value does not fit the format or the zone is unknown. Without a format, the value is read
 * as ISO 8601 and given the zone when it has no offset.
 */
export function convertDate(value: string, dateFormat: string, timezone: string): string | null {
  if (!isValidZone(timezone)) return null
  if (!dateFormat) {
    const dt = DateTime.fromISO(value.trim(), { zone: timezone, setZone: OFFSET_AT_END.test(value.trim()) })
    return dt.isValid ? dt.toISO({ suppressMilliseconds: true }) : null
  }
  try {
    return createDateConverter(dateFormat, timezone).convert(value)
  } catch {
    return null
  }
}
