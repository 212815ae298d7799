/**
 * `--bwlimit`: one byte budget shared by every file in flight, so the whole upload (not each
 * file) stays under the limit. A rate (`2M`, `500K`) or a local-time timetable
 * (`"08:00,1M 18:00,off"`) like rclone's; `off` is the one word for no limit. The clock is
 * injectable so a test can move time.
 */
import { AppError } from '../errors'

/** Bytes per second, or null for no limit. */
export type Rate = number | null

/** From `minute` of the day (local time) on, `rate` applies, until the next entry. */
export interface TimetableEntry {
  minute: number
  rate: Rate
}

/** A parsed `--bwlimit`: a timetable with one entry at 00:00 when a plain rate was given. */
export interface BandwidthLimit {
  text: string
  entries: TimetableEntry[]
}

export interface Clock {
  now(): number
  /** Waits `ms` (or until `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve()
      const done = () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal?.addEventListener('abort', done, { once: true })
    }),
}

const UNITS: Record<string, number> = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }

/** What the units mean, for every refusal: a reader should never have to guess. */
const UNITS_SENTENCE = 'K, M and G are KiB, MiB and GiB per second (500K, 2M, 1.5M); off means no limit'

/** Why one rate was refused: a sentence a user acts on. */
class RateRefused extends Error {}

/**
 * `2M` = 2 MiB/s, `500K`, `1.5M`; `off` = no limit. A number without a unit is refused: tools
 * differ (rsync and rclone read KiB/s, curl bytes/s), so whichever we chose someone would
 * get a limit a thousand times off (`--bwlimit 1` sent nothing for 15 s). `0` is refused too:
 * some tools read it as "no limit", others as "send nothing"; `off` is the one word for no limit.
 */
export function parseRate(text: string): Rate {
  try {
    return readRate(text)
  } catch (err) {
    if (err instanceof RateRefused) throw badLimit(text, '--bwlimit', err.message)
    throw err
  }
}

function readRate(text: string): Rate {
  const t = text.trim()
  if (/^off$/i.test(t)) return null
  if (/^\d+(?:\.\d+)?$/.test(t)) {
    throw new RateRefused(Number(t) === 0 ? `0 is not a rate: write off for no limit (${UNITS_SENTENCE})` : `a number alone has no unit: write ${t}K for ${t} KiB/s or ${t}M for ${t} MiB/s (${UNITS_SENTENCE})`)
  }
  const m = /^(\d+(?:\.\d+)?)([BKMG])(?:i?B?(?:\/s)?)?$/i.exec(t)
  if (!m) throw new RateRefused(UNITS_SENTENCE)
  const n = Number(m[1]) * UNITS[m[2]!.toUpperCase()]!
  if (n === 0) throw new RateRefused(`${t} would send nothing: write off for no limit`)
  if (!Number.isFinite(n) || n < 1024) throw new RateRefused(`the smallest limit is 1K (1 KiB/s); ${UNITS_SENTENCE}`)
  return Math.round(n)
}

/**
 * Parses `--bwlimit` (and the desktop setting, `name` naming it in the message): `RATE`, or
 * space-separated `HH:MM,RATE` entries (local time), each time at most once.
 */
export function parseBandwidthLimit(text: string, name = '--bwlimit'): BandwidthLimit {
  const parts = text.trim().split(/\s+/).filter(Boolean)
  if (parts.length === 0) throw badLimit(text, name)
  if (parts.length === 1 && !parts[0]!.includes(',')) return { text, entries: [{ minute: 0, rate: parseRateOf(parts[0]!, text, name) }] }
  const entries = parts.map((part) => {
    const m = /^(\d{1,2}):(\d{2}),(.+)$/.exec(part)
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw badLimit(text, name, `each entry is HH:MM,RATE with a time from 00:00 to 23:59, such as 08:00,1M`)
    return { minute: Number(m[1]) * 60 + Number(m[2]), rate: parseRateOf(m[3]!, text, name), time: `${m[1]!.padStart(2, '0')}:${m[2]}` }
  })
  entries.sort((a, b) => a.minute - b.minute)
  for (let i = 1; i < entries.length; i++) {
    // Two rates from one moment: which applies would depend on the order written. Say so.
    if (entries[i]!.minute === entries[i - 1]!.minute) throw badLimit(text, name, `${entries[i]!.time} is given twice; give each time once`)
  }
  return { text, entries: entries.map(({ minute, rate }) => ({ minute, rate })) }
}

/** One entry's rate; a bad one is reported as the whole limit being bad, under its name. */
function parseRateOf(part: string, text: string, name: string): Rate {
  try {
    return readRate(part)
  } catch (err) {
    throw badLimit(text, name, err instanceof RateRefused ? err.message : undefined)
  }
}

function badLimit(text: string, name = '--bwlimit', why?: string): AppError {
  return new AppError('BAD_ARGUMENT', `Expected \`${name}\` to be a rate such as 2M or 500K, or a timetable such as "08:00,1M 18:00,off", got \`${text}\`${why ? `: ${why}` : ''}.`)
}

/** The rate in force at `at` (local time): the last entry at or before it, wrapping past midnight. */
export function rateAt(limit: BandwidthLimit, at: number): Rate {
  const d = new Date(at)
  const minute = d.getHours() * 60 + d.getMinutes()
  let current = limit.entries[limit.entries.length - 1]!
  for (const e of limit.entries) if (e.minute <= minute) current = e
  return current.rate
}

/**
 * A token bucket: `take(n)` waits until n bytes fit the rate in force. The bucket holds at
 * most a tenth of a second of bytes, so a pause (or an idle moment) never buys a burst that
 * breaks the limit. Waiting callers are served in order.
 */
export class RateLimiter {
  private tokens = 0
  private last: number
  private queue: Promise<void> = Promise.resolve()

  constructor(
    private readonly limit: BandwidthLimit,
    private readonly clock: Clock = systemClock,
  ) {
    this.last = clock.now()
  }

  /** The largest piece worth asking for at once (smaller pieces keep the rate smooth). */
  static readonly BLOCK = 64 * 1024

  rateNow(): Rate {
    return rateAt(this.limit, this.clock.now())
  }

  take(bytes: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.wait(bytes, signal))
    this.queue = turn.catch(() => undefined)
    return turn
  }

  private async wait(bytes: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) return
      const now = this.clock.now()
      const rate = rateAt(this.limit, now)
      if (rate === null) {
        this.tokens = 0
        this.last = now
        return
      }
      this.tokens = Math.min(rate / 10, this.tokens + ((now - this.last) / 1000) * rate)
      this.last = now
      if (this.tokens >= bytes || this.tokens >= rate / 10) {
        this.tokens -= bytes
        return
      }
      // Wait for what is missing, at most a second at a time: a timetable boundary may change the rate.
      const ms = Math.min(1000, Math.ceil(((Math.min(bytes, rate / 10) - this.tokens) / rate) * 1000))
      await this.clock.sleep(Math.max(1, ms), signal)
    }
  }
}
