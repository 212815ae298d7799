/**
 * The per-row field checks, run while the CSV streams: required values present, contact
 * reference unique, date valid (ISO 8601, or the chosen source format) and writable in the
 * platform's shape by the same function the uploaded CSV is written with. A chosen format that
 * fails on readable dates another format reads is DATE_FORMAT_MISMATCH (blocking). Each row also
 * leaves the key its recording will be matched by once the folder scan is done (recording-rows.ts).
 */
import { FIELD_LABELS, MAPPED_FIELDS, type CsvDelimiter, type CsvEncoding, type MappedField, type MappingProfile } from '../api'
import { readCsv, type CsvReadProblem } from './csv-reader'
import { dateOrderMismatch, PROPOSAL_SAMPLE_ROWS } from './date-format-proposal'
import { checkIsoDate, createPlatformDateWriter, localTimeZone, PLATFORM_DATE_SHAPE } from './dates'
import type { IssueList } from './issue-list'
import { findColumn, normalizeHeader } from './mapping'
import { parseDuration } from './duration-checks'
import { REFERENCE_KEY, type RowKeys } from './recording-rows'
import { StringTable } from './string-table'

/** C0 controls (tab included: these are ids, e-mails, dates, file names) and DEL, in a mapped cell. */
// eslint-disable-next-line no-control-regex
const MAPPED_CONTROL = /[\x00-\x1f\x7f]/

/**
 * The first column holding a control character the platform cannot take: any C0 or DEL in
 * the four mapped cells, NUL anywhere (free-text columns may hold tabs and line breaks).
 * -1 when the row is clean. Per row, so plain loops, no closures.
 */
function controlCharacterAt(row: string[], ref: number, agent: number, date: number, audio: number): number {
  for (let c = 0; c < row.length; c++) {
    const value = row[c]!
    if (c === ref || c === agent || c === date || c === audio) {
      if (MAPPED_CONTROL.test(value)) return c
    } else if (value.includes('\0')) return c
  }
  return -1
}

/** What one pass over the CSV found. */
export interface RowPass extends RowKeys {
  issues: IssueList
  headers: string[] | null
  /** 0-based column of each mapped field (null when unmapped or not found). */
  columns: Record<MappedField, number | null>
  /** Every mapped column was found, so rows were checked. */
  columnsOk: boolean
  problem: CsvReadProblem | null
  /** Contact references in first-seen order, and per id the row it was first seen on. */
  references: ReferenceIndex
  /** Each row's agent, for the destination's known-agent checks. */
  agents: RowAgents
  /** Per row: the duration the mapped duration column states, in seconds (NaN: none); null when unmapped. */
  rowDuration: Float64Array | null
  /** 0-based column of the mapped duration column (null when unmapped or not found). */
  durationColumn: number | null
}

/** The distinct agent IDs (as written, trimmed) and per row its agent's id (-1: none). */
export interface RowAgents {
  table: StringTable
  rowAgent: Int32Array
}

/** Every contact reference once, with its first row: what the delivery ledger is asked about. */
export interface ReferenceIndex {
  table: StringTable
  firstRow: Int32Array
}

/** The file's format, the issue list to fill, and how to report progress. */
export interface RowCheckOptions {
  encoding: CsvEncoding
  delimiter: CsvDelimiter
  totalBytes: number
  issues: IssueList
  /** Rough row count (from the file size and the sample), to size tables once. */
  expectedRows?: number
  signal?: AbortSignal
  onProgress?: (p: { bytesRead: number; totalBytes: number; rows: number }) => void
}

const PROGRESS_EVERY_MS = 100
/** Failing date values kept to find the format that fits (the count stays exact). */
const MISSES_KEPT = 100_000

/** A string cut from a big chunk would keep the whole chunk alive: copy it before storing. */
const own = (s: string): string => Buffer.from(s, 'utf8').toString('utf8')

/**
 * Dates the chosen format (or ISO 8601) could not read: counted, the first kept, and a bounded
 * set of values with a sample of the column, so the alternative formats are tried once, after
 * the pass, and only when something failed.
 */
class DateMisses {
  count = 0
  dated = 0
  firstRow = 0
  firstValue = ''
  readonly sample: string[] = []
  readonly missed: string[] = []

  seen(value: string): void {
    this.dated++
    if (this.sample.length < PROPOSAL_SAMPLE_ROWS) this.sample.push(own(value))
  }

  miss(row: number, value: string): void {
    if (this.count++ === 0) {
      this.firstRow = row
      this.firstValue = own(value)
    }
    if (this.missed.length < MISSES_KEPT) this.missed.push(own(value))
  }

  /**
   * One blocking DATE_FORMAT_MISMATCH when the readable dates fit another format (day and
   * month swapped, most often): cells no format reads ("n/a") stay bad dates of their own and
   * never hide it.
   */
  report(issues: IssueList, chosen: string | undefined): void {
    if (this.count === 0) return
    const m = dateOrderMismatch(this.sample, this.missed, chosen ?? '', this.dated)
    if (m === null) return
    const n = (x: number): string => x.toLocaleString('en-US')
    issues.add('DATE_FORMAT_MISMATCH', {
      value: chosen ?? 'ISO 8601',
      detail: `${n(this.count)} of ${n(this.dated)} rows (first: row ${this.firstRow}, "${this.firstValue}")`,
      others: [m.fits],
      evidence: `${m.unreadable ? 'every readable date' : 'every row'}${m.evidence === null ? '' : ` (${m.evidence})`}`,
    })
  }
}

/** A cell's trimmed text ('' when the column is unmapped or the row is short). */
function cell(row: string[], col: number): string {
  if (col < 0) return ''
  const v = row[col]
  return v === undefined ? '' : v.trim()
}

function grow<T extends Int32Array | Uint8Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2))
  b.set(a)
  return b
}

/** Streams the CSV once, checking every row's fields. */
export async function checkRows(csvPath: string, mapping: MappingProfile, opts: RowCheckOptions): Promise<RowPass> {
  const issues = opts.issues
  const pass: RowPass = {
    issues,
    headers: null,
    columns: { contactReference: null, agentId: null, contactDate: null, audioFilename: null },
    columnsOk: false,
    conversations: 0,
    rowKey: new Int32Array(Math.max(1024, opts.expectedRows ?? 0)),
    rowBad: new Uint8Array(Math.max(1024, opts.expectedRows ?? 0)),
    keys: new StringTable(Math.min(opts.expectedRows ?? 4096, 1 << 18), 20), // often far fewer keys than rows: grows if needed
    problem: null,
    references: { table: new StringTable(0), firstRow: new Int32Array(0) },
    agents: { table: new StringTable(1024, 24), rowAgent: new Int32Array(Math.max(1024, opts.expectedRows ?? 0)) },
    rowDuration: mapping.duration ? new Float64Array(Math.max(1024, opts.expectedRows ?? 0)).fill(NaN) : null,
    durationColumn: null,
  }
  const agents = pass.agents.table
  // The same writer as the uploaded CSV's: a row passes only if its date can be written.
  const writeDate = createPlatformDateWriter(mapping)
  const byFormat = Boolean(mapping.dateFormat)
  const misses = new DateMisses()
  const bareZone = mapping.timezone ? `in ${mapping.timezone}` : `in ${localTimeZone()}, this computer's time zone`
  const refs = new StringTable(opts.expectedRows)
  /** Per reference id: the row it was first seen on. */
  let refFirstRow = new Int32Array(Math.max(1024, opts.expectedRows ?? 0))
  let width = 0
  let tooWideSeen = false

  const onHeader = (raw: string[]): void => {
    const headers = raw.map((h) => Buffer.from(h, 'utf8').toString('utf8')) // not slices of the first chunk
    pass.headers = headers
    width = headers.length
    pass.columnsOk = true
    for (const f of MAPPED_FIELDS) {
      const col = mapping[f]
      if (!col) continue
      const at = findColumn(headers, col)
      if (at >= 0) {
        pass.columns[f] = at
        continue
      }
      pass.columnsOk = false
      const near = headers.find((h) => normalizeHeader(h) === normalizeHeader(col))
      issues.add('MAPPING_COLUMN_NOT_FOUND', { column: col, value: FIELD_LABELS[f], detail: near === undefined ? undefined : `the CSV has "${near}"` })
    }
    if (mapping.duration) {
      const at = findColumn(headers, mapping.duration)
      if (at >= 0) pass.durationColumn = at
      else {
        pass.columnsOk = false
        issues.add('MAPPING_COLUMN_NOT_FOUND', { column: mapping.duration, value: 'Duration', detail: 'it is the optional duration column: map it again or leave it unmapped' })
      }
    }
  }

  // Hot path, once per row: no closures or objects created per row (tsx also wraps every
  // function expression in a naming helper, which a per-row closure would call a million times).
  let refCol = -1
  let agentCol = -1
  let dateCol = -1
  let audioCol = -1
  let durationCol = -1
  /** Checks one row; returns its recording key id (or -1) and marks it bad in rowBad. */
  function checkRow(row: string[], r: number): number {
    if (refCol < 0) {
      refCol = pass.columns.contactReference ?? -1
      agentCol = pass.columns.agentId ?? -1
      dateCol = pass.columns.contactDate ?? -1
      audioCol = pass.columns.audioFilename ?? -1
      durationCol = pass.durationColumn ?? -1
    }
    let bad = false
    if (row.length > width) {
      bad = true
      if (!tooWideSeen) {
        tooWideSeen = true
        issues.add('CSV_PARSE_ERROR', { row: r, detail: `row ${r} has ${row.length} fields but the header has ${width}, so a value holding the delimiter is not in quotes` })
      }
    }
    const control = controlCharacterAt(row, refCol, agentCol, dateCol, audioCol)
    if (control >= 0) {
      bad = true
      const value = row[control]!
      const mappedAt = value.search(MAPPED_CONTROL)
      const ch = value.charCodeAt(mappedAt >= 0 ? mappedAt : value.indexOf('\0'))
      issues.add('CONTROL_CHARACTER', { row: r, column: pass.headers?.[control] ?? `column ${control + 1}`, detail: ch === 0 ? 'NUL' : `U+${ch.toString(16).toUpperCase().padStart(4, '0')}` })
    }
    const ref = cell(row, refCol)
    if (ref === '') {
      bad = true
      issues.add('MISSING_FIELD', { row: r, value: FIELD_LABELS.contactReference, column: mapping.contactReference })
    } else {
      const id = refs.intern(ref)
      if (refs.added) {
        refFirstRow = grow(refFirstRow, id + 1)
        refFirstRow[id] = r
      } else {
        bad = true
        issues.add('DUPLICATE_REFERENCE', { row: r, value: ref, detail: String(refFirstRow[id]) })
      }
    }
    const agent = cell(row, agentCol)
    if (agent === '') {
      bad = true
      pass.agents.rowAgent[r - 1] = -1
      issues.add('MISSING_FIELD', { row: r, value: FIELD_LABELS.agentId, column: mapping.agentId })
    } else pass.agents.rowAgent[r - 1] = agents.intern(agent)
    if (durationCol >= 0) pass.rowDuration![r - 1] = parseDuration(cell(row, durationCol))
    const date = cell(row, dateCol)
    if (date === '') {
      bad = true
      issues.add('MISSING_FIELD', { row: r, value: FIELD_LABELS.contactDate, column: mapping.contactDate })
    } else if (byFormat) {
      misses.seen(date)
      if (writeDate(date) === null) {
        bad = true
        misses.miss(r, date)
        issues.add('INVALID_DATE', { row: r, value: date, detail: `does not match the date format ${mapping.dateFormat} you chose, or is not a real date` })
      }
    } else {
      misses.seen(date)
      const d = checkIsoDate(date)
      if (!d.ok) {
        bad = true
        misses.miss(r, date)
        issues.add('INVALID_DATE', { row: r, value: date, detail: d.reason })
      } else {
        const written = writeDate(date)
        if (written === null) {
          bad = true
          issues.add('INVALID_DATE', { row: r, value: date, detail: `cannot be written as ${PLATFORM_DATE_SHAPE} (the year must have 4 digits)` })
        } else if (!d.hasOffset) issues.add('NO_UTC_OFFSET', { row: r, value: date, detail: `it is read ${bareZone}, and sent as ${written}` })
      }
    }
    if (bad) pass.rowBad[r - 1] = 1
    const name = cell(row, audioCol)
    const key = name !== '' ? name : ref !== '' ? REFERENCE_KEY + ref : ''
    return key === '' ? -1 : pass.keys.intern(key)
  }

  let lastProgress = 0
  const result = await readCsv(csvPath, {
    encoding: opts.encoding,
    delimiter: opts.delimiter,
    signal: opts.signal,
    onBytes: (bytesRead) => {
      const now = Date.now()
      if (opts.onProgress && now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now
        opts.onProgress({ bytesRead, totalBytes: opts.totalBytes, rows: pass.conversations })
      }
    },
  }, {
    onHeader,
    onRows(rows, firstRow) {
      const last = firstRow + rows.length - 1
      pass.conversations = last
      pass.rowKey = grow(pass.rowKey, last)
      pass.rowBad = grow(pass.rowBad, last)
      pass.agents.rowAgent = grow(pass.agents.rowAgent, last)
      if (pass.rowDuration !== null && last > pass.rowDuration.length) {
        const had = pass.rowDuration.length
        pass.rowDuration = grow(pass.rowDuration, last).fill(NaN, had) // NaN: no duration stated yet
      }
      if (!pass.columnsOk) {
        pass.rowKey.fill(-1, firstRow - 1, last)
        pass.agents.rowAgent.fill(-1, firstRow - 1, last)
        return
      }
      for (let i = 0; i < rows.length; i++) pass.rowKey[firstRow - 1 + i] = checkRow(rows[i]!, firstRow + i)
    },
  })
  pass.problem = result.problem
  pass.conversations = result.dataRows
  if (pass.columnsOk) misses.report(issues, mapping.dateFormat)
  pass.references = { table: refs, firstRow: refFirstRow }
  opts.onProgress?.({ bytesRead: opts.totalBytes, totalBytes: opts.totalBytes, rows: pass.conversations })
  return pass
}
