/**
 * Proposes the source date format from the data itself (issue 8, "Dates right"): a day-first
 * export read as month-first moves every day <= 12 to the wrong month without a single error,
 * so the order is decided by values above 12, never by a default, and when every value is
 * <= 12 the user is told why they must choose. Used by the wizard, the CLI and validation
 * (DATE_FORMAT_MISMATCH names the format that fits).
 */
import type { CsvEncoding, DateFormatProposal } from '../api'
import { AppError } from '../errors'
import { readCsv } from './csv-reader'
import { checkIsoDate, createFormatReader, createPlatformDateWriter, localTimeZone } from './dates'
import { findColumn } from './mapping'
import { detectCsvFormat } from './preview'

/** Rows of the column read for a proposal: enough to meet a day above 12, bounded for 1 GB files. */
export const PROPOSAL_SAMPLE_ROWS = 20_000
/** Converted examples a proposal carries. */
const EXAMPLES = 5

/** Numeric dates with an optional time: 03/05/2024, 2024-05-03 09:27:23.120, 5.3.24 3:07 PM... */
const NUMERIC = /^(?<a>\d{1,4})(?<sep>[/.-])(?<b>\d{1,2})\k<sep>(?<c>\d{1,4})(?:(?<ts>T|\s+|,\s*)(?<h>\d{1,2}):(?<mi>\d{2})(?::(?<s>\d{2})(?:(?<fs>[.,])(?<f>\d{1,9}))?)?(?<ms>\s*)(?<mer>[AaPp][Mm])?)?$/

type Parts = Partial<Record<'a' | 'sep' | 'b' | 'c' | 'ts' | 'h' | 'mi' | 's' | 'fs' | 'f' | 'ms' | 'mer', string>>

/** How a group of values is written: everything a format fixes, and the widths of the numbers. */
interface Shape {
  parts: Parts
  yearFirst: boolean
  /** Per number (first, second, third, hour): the fewest and most digits seen. */
  narrow: number[]
  wide: number[]
}

function shapeOf(v: string): { key: string; shape: Shape } | null {
  const g = NUMERIC.exec(v)?.groups as Parts | undefined
  if (!g) return null
  const yearFirst = g.a!.length === 4
  const yearLen = yearFirst ? 4 : g.c!.length
  if ((yearLen !== 2 && yearLen !== 4) || (yearFirst ? g.c!.length > 2 : g.a!.length > 2)) return null
  const lens = [g.a!.length, g.b!.length, g.c!.length, g.h?.length ?? 2]
  const frac = g.f === undefined ? '' : `${g.fs}${g.f.length === 3 ? 3 : 'n'}`
  const key = [g.sep, yearFirst, yearLen, g.ts ?? '-', g.s !== undefined, frac, g.ms ?? '', g.mer !== undefined].join('|')
  return { key, shape: { parts: g, yearFirst, narrow: [...lens], wide: [...lens] } }
}

/** The luxon format for one shape, with day and month in the given order. */
function formatFor(s: Shape, order: 'dmy' | 'mdy' | 'ymd' | 'ydm'): string {
  const g = s.parts
  const tok = (letter: string, at: number): string => (s.narrow[at] === 2 ? letter + letter : letter)
  const year = s.wide[2] === 4 || s.yearFirst ? 'yyyy' : 'yy'
  const date =
    order === 'dmy' ? [tok('d', 0), tok('M', 1), year]
    : order === 'mdy' ? [tok('M', 0), tok('d', 1), year]
    : order === 'ymd' ? [year, tok('M', 1), tok('d', 2)]
    : [year, tok('d', 1), tok('M', 2)]
  let out = date.join(g.sep)
  if (g.ts === undefined) return out
  const twelve = g.mer !== undefined
  out += g.ts === 'T' ? "'T'" : g.ts
  out += `${tok(twelve ? 'h' : 'H', 3)}:mm`
  if (g.s !== undefined) out += ':ss'
  if (g.f !== undefined) out += g.fs + (g.f.length === 3 ? 'SSS' : 'u')
  if (twelve) out += `${g.ms ?? ''}a`
  return out
}

/** Instants of `values` read with `format`, in order; how many follow their predecessor in time. */
function chronology(format: string, values: readonly string[]): number {
  const read = createFormatReader(format, 'UTC')
  let inOrder = 0
  let last = -Infinity
  for (const v of values.slice(0, 2000)) {
    const t = Date.parse(read(v) ?? '')
    if (t >= last) inOrder++
    last = t
  }
  return inOrder
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const quoteV = (v: string): string => `"${v}"`

function examplesFor(values: readonly string[], convert: (v: string) => string | null, proof: string | undefined): DateFormatProposal['examples'] {
  const picked = [...new Set([...(proof === undefined ? [] : [proof]), ...values.slice(0, 50)])].slice(0, EXAMPLES)
  return picked.map((value) => ({ value, converted: convert(value) }))
}

/** The numbers of a shaped value: first, second, third (null when it has no shape). */
function numbers(v: string): [number, number, number] | null {
  const g = NUMERIC.exec(v)?.groups
  return g ? [+g.a!, +g.b!, +g.c!] : null
}

/** Where each order puts the month among a value's three numbers (a month above 12 rules the order out). */
const MONTH_AT = { dmy: 1, mdy: 0, ymd: 1, ydm: 2 } as const

/** Share of the shaped values one shape must hold for the column to count as written one way. */
const ONE_WAY = 0.9

/**
 * The readable cells of a column: the values written in its dominant numeric shape, or the
 * reason there is none. A few cells of other text ("n/a", "-", "#VALUE!") are what real exports
 * hold; they are reported as bad dates, never a reason to give up deciding the order.
 */
function readableCells(values: readonly string[]): { shape: Shape; readable: string[]; others: string[] } | { none: string } {
  const shapes = new Map<string, { shape: Shape; values: string[] }>()
  const others: string[] = []
  for (const v of values) {
    const found = shapeOf(v)
    if (!found) {
      others.push(v)
      continue
    }
    const seen = shapes.get(found.key)
    if (!seen) {
      shapes.set(found.key, { shape: found.shape, values: [v] })
      continue
    }
    seen.values.push(v)
    for (let i = 0; i < 4; i++) {
      seen.shape.narrow[i] = Math.min(seen.shape.narrow[i]!, found.shape.narrow[i]!)
      seen.shape.wide[i] = Math.max(seen.shape.wide[i]!, found.shape.wide[i]!)
    }
  }
  const groups = [...shapes.values()].sort((x, y) => y.values.length - x.values.length)
  const shaped = values.length - others.length
  const top = groups[0]
  if (top === undefined || top.values.length < ONE_WAY * shaped) {
    const example = top === undefined ? values[0]! : (groups[1]?.values[0] ?? others[0] ?? values[0]!)
    return { none: `The dates are not ISO 8601 and are not all written one way (e.g. "${example}"), so no single format reads them: type their format in letters for each part (dd day, MM month, yyyy year, HH:mm time), e.g. dd/MM/yyyy HH:mm, or correct the CSV.` }
  }
  for (const g of groups.slice(1)) others.push(...g.values)
  return { shape: top.shape, readable: top.values, others }
}

/** "3 of 3,000 cells are not dates this format reads (e.g. "n/a"): they are reported as bad dates." */
function unreadableNote(bad: readonly string[], total: number): string {
  if (bad.length === 0) return ''
  const n = (x: number): string => x.toLocaleString('en-US')
  return ` ${n(bad.length)} of ${n(total)} cells ${bad.length === 1 ? 'is' : 'are'} not a date it reads (e.g. ${quoteV(bad[0]!)}): ${bad.length === 1 ? 'it is reported as a bad date' : 'they are reported as bad dates'}.`
}

/**
 * The proposal from the column's values (file order, blanks ignored): ISO already, or the
 * luxon formats the readable cells fit, best first. Day and month order is decided by the
 * readable cells alone: an order is out when one of them has a month above 12 there. Pure,
 * for validation and tests.
 */
export function proposeDateFormatFromValues(raw: readonly string[]): DateFormatProposal {
  const values = raw.map((v) => v.trim()).filter((v) => v !== '')
  if (values.length === 0) return { iso: false, candidates: [], ambiguous: false, reason: 'The column has no dates to read.', examples: [] }
  const isoValues = values.filter((v) => checkIsoDate(v).ok)
  if (isoValues.length >= ONE_WAY * values.length) {
    const bare = isoValues.filter((v) => {
      const d = checkIsoDate(v)
      return d.ok && !d.hasOffset
    }).length
    const zone = localTimeZone()
    const reason = (bare === 0
      ? 'The dates are already ISO 8601 with a UTC offset: no format is needed.'
      : `The dates are already ISO 8601, but ${bare} of ${isoValues.length} have no UTC offset: they will be read in ${zone} (this computer's time zone) unless you choose another.`) + unreadableNote(values.filter((v) => !checkIsoDate(v).ok), values.length)
    return { iso: true, candidates: [], ambiguous: false, reason, examples: examplesFor(isoValues, createPlatformDateWriter({ timezone: zone }), undefined) }
  }
  const none = (why: string): DateFormatProposal => ({ iso: false, candidates: [], ambiguous: false, reason: why, examples: values.slice(0, EXAMPLES).map((value) => ({ value, converted: null })) })
  const cells = readableCells(values)
  if ('none' in cells) return none(cells.none)
  const { shape, readable } = cells
  const orders = shape.yearFirst ? (['ymd', 'ydm'] as const) : (['dmy', 'mdy'] as const)
  const fits = orders.filter((o) => readable.every((v) => numbers(v)![MONTH_AT[o]] <= 12))
  let candidates = fits.map((o) => formatFor(shape, o)).filter((f) => {
    const read = createFormatReader(f, 'UTC')
    return readable.some((v) => read(v) !== null)
  })
  if (candidates.length === 0) return none(`No date format reads these values (e.g. "${readable[0]}" may hold an impossible date, or day and month in both orders): correct the CSV, or type the format in letters for each part (dd day, MM month, yyyy year, HH:mm time).`)
  const readFirst = createFormatReader(candidates[0]!, 'UTC')
  // The proof is a date the format reads (not an impossible one that merely has the shape).
  const over12 = (key: 'a' | 'b'): string | undefined => readable.find((v) => +(NUMERIC.exec(v)?.groups?.[key] ?? 0) > 12 && readFirst(v) !== null)
  const ambiguous = !shape.yearFirst && candidates.length > 1
  if (ambiguous && chronology(candidates[1]!, readable) > chronology(candidates[0]!, readable)) candidates = [candidates[1]!, candidates[0]!]
  const best = candidates[0]!
  let reason: string
  let proof: string | undefined
  if (shape.yearFirst) reason = `The dates start with a 4-digit year (e.g. "${readable[0]}"), so they read as ${best}.`
  else if (ambiguous) {
    const ex = readable.find((v) => { const g = NUMERIC.exec(v)?.groups; return g !== undefined && +g.a! !== +g.b! }) ?? readable[0]!
    const g = NUMERIC.exec(ex)!.groups!
    const dayMonth = (d: string, m: string): string => `${+d} ${MONTHS[+m - 1]}`
    reason = `Every day and month in these rows is 12 or less (e.g. ${quoteV(ex)} could be ${dayMonth(g.a!, g.b!)} or ${dayMonth(g.b!, g.a!)}), so the data cannot tell which comes first: choose the order your system writes (${candidates.join(' or ')}).`
  } else if (best.startsWith('d')) {
    proof = over12('a')
    reason = `Some days are above 12 (e.g. ${quoteV(proof ?? readable[0]!)}), so the day comes first: ${best}.`
  } else {
    proof = over12('b')
    reason = `Some values have a day above 12 in second place (e.g. ${quoteV(proof ?? readable[0]!)}), so the month comes first: ${best}.`
  }
  const readBest = createFormatReader(best, 'UTC')
  reason += unreadableNote(values.filter((v) => readBest(v) === null), values.length)
  const examples = examplesFor(readable, createFormatReader(best, localTimeZone()), proof)
  return { iso: false, candidates, ambiguous, reason, examples }
}

/**
 * The first format, other than `chosen`, that the readable cells of `values` fit
 * (DATE_FORMAT_MISMATCH names it), or null. Validation passes a sample of the column plus every
 * value `chosen` failed on.
 */
export function fittingFormat(values: readonly string[], chosen: string): string | null {
  const p = proposeDateFormatFromValues(values)
  return p.candidates.find((c) => c !== chosen) ?? null
}

/** Why a chosen format is refused: the format the readable cells fit, and the evidence. */
export interface DateOrderMismatch {
  fits: string
  /** "31 of 57 readable dates have a day above 12 in the first place", or null (no order to compare). */
  evidence: string | null
  /** Some cells are not dates any format here reads ("n/a"): they stay bad dates of their own. */
  unreadable: boolean
}

/** True when a luxon format puts the day before the month (quoted literals ignored). */
function dayFirst(format: string): boolean | null {
  const bare = format.replace(/'[^']*'/g, '')
  const d = bare.indexOf('d')
  const m = bare.indexOf('M')
  return d < 0 || m < 0 ? null : d < m
}

/**
 * Whether `chosen` ('' for ISO 8601) must be refused for a column: the readable cells (of
 * `sample`, the column's first values, plus `missed`, the values `chosen` did not read) fit
 * another format, and cells that format reads are among those `chosen` missed. `dated`: the
 * dates in the column. Null when `chosen` fits the readable cells, or nothing else does: the
 * cells it misses are then bad dates, each reported on its row.
 */
export function dateOrderMismatch(sample: readonly string[], missed: readonly string[], chosen: string, dated: number): DateOrderMismatch | null {
  const p = proposeDateFormatFromValues([...sample, ...missed])
  if (p.iso || p.candidates.length === 0 || p.candidates.includes(chosen)) return null
  const fits = p.candidates[0]!
  const read = createFormatReader(fits, 'UTC')
  const readableMisses = missed.filter((v) => read(v) !== null).length
  if (readableMisses === 0) return null
  const unreadable = missed.length - readableMisses
  const chosenDayFirst = chosen === '' ? null : dayFirst(chosen)
  const fitsDayFirst = dayFirst(fits)
  let evidence: string | null = null
  if (chosenDayFirst !== null && fitsDayFirst !== null && chosenDayFirst !== fitsDayFirst && !fits.startsWith('y')) {
    const n = (x: number): string => x.toLocaleString('en-US')
    // The misses that format reads are the dates whose day sits where `chosen` wants a month.
    evidence = `${n(readableMisses)} of ${n(dated - unreadable)} readable dates have a day above 12 in the ${fitsDayFirst ? 'first' : 'second'} place`
  }
  return { fits, evidence, unreadable: unreadable > 0 }
}

/** The first `limit` non-blank values of `column`, read as a stream (encoding/delimiter detected). */
export async function sampleColumn(csvPath: string, column: string, limit = PROPOSAL_SAMPLE_ROWS): Promise<string[]> {
  const fmt = await detectCsvFormat(csvPath)
  const read = async (encoding: CsvEncoding): Promise<{ values: string[]; notUtf8: boolean }> => {
    const values: string[] = []
    const stop = new AbortController()
    let col = -1
    try {
      const r = await readCsv(csvPath, { encoding, delimiter: fmt.delimiter, signal: stop.signal }, {
        onHeader(headers) {
          col = findColumn(headers, column)
          if (col < 0) throw new AppError('COLUMN_MISSING', `The column "${column}" is not in the CSV header (${headers.map(quoteV).join(', ')}).`)
        },
        onRows(rows) {
          for (const row of rows) {
            const v = (row[col] ?? '').trim()
            if (v !== '' && values.length < limit) values.push(v)
          }
          if (values.length >= limit) stop.abort()
        },
      })
      return { values, notUtf8: r.problem?.notUtf8 === true }
    } catch (err) {
      if (stop.signal.aborted) return { values, notUtf8: false }
      throw err
    }
  }
  let r = await read(fmt.encoding)
  if (r.notUtf8 && fmt.encoding === 'utf-8') r = await read('windows-1252')
  return r.values
}

/** Reads the column's first rows (PROPOSAL_SAMPLE_ROWS) and proposes their format. */
export async function proposeDateFormat(csvPath: string, column: string): Promise<DateFormatProposal> {
  return proposeDateFormatFromValues(await sampleColumn(csvPath, column))
}
