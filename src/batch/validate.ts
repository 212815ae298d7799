/**
 * Checks a batch: streams the CSV once, checks each row (fields, dates, duplicates, its
 * recording), then the recordings (empty, wrong format, name collisions, orphans), and builds
 * the manifest the upload engine sends. A row with an error is excluded; the batch stays
 * uploadable while at least one row is eligible and nothing blocks.
 */
import { randomUUID } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { FIELD_LABELS, MAPPED_FIELDS, type BatchReport, type BatchSpec, type CsvEncoding, type MappedField, type ValidationIssue } from '../api'
import { AppError, toAppError } from '../errors'
import { audioMismatch, readHead } from './audio-sniff'
import { BackgroundQueue } from './concurrency'
import { readCsv, type CsvReadProblem } from './csv-reader'
import { checkIsoDate, createDateConverter, type DateConverter } from './dates'
import { IssueList } from './issue-list'
import { buildManifest } from './manifest-builder'
import type { Manifest } from './manifest'
import { findColumn, normalizeHeader, profileProblems } from './mapping'
import { buildRecordingIndex, matchByName, matchByReference, type RecordingIndex } from './match-recordings'
import { detectCsvFormat } from './preview'
import { scanPaths, type FolderScan } from './scan'

/** A checked batch: the summary, the issues (capped per code), and what to upload. */
export interface CheckedBatch {
  report: BatchReport
  issues: ValidationIssue[]
  /** Issues counted in `report.counts` but not kept in `issues` (cap per code). */
  issuesOmitted: number
  manifest: Manifest
  scan: FolderScan
}

/** Progress of the CSV pass, reported about 10 times a second. */
export interface ValidateProgress {
  bytesRead: number
  totalBytes: number
  rows: number
}

export interface ValidateOptions {
  signal?: AbortSignal
  onProgress?: (p: ValidateProgress) => void
  /** A scan of `spec.paths` already made (the UI scans on drop): saves scanning twice. */
  scan?: FolderScan
  /** Issues kept per code (counts stay exact). @default 10000 */
  maxIssuesPerCode?: number
}

/** Files sniffed at once while the CSV is parsed. */
const SNIFF_CONCURRENCY = 16
const PROGRESS_EVERY_MS = 100

/** A string cut from a 1 MB chunk would keep the whole chunk alive: copy it before storing. */
const detach = (s: string): string => (s.length >= 13 ? (' ' + s).slice(1) : s)

/** Per-pass state: rebuilt if the file has to be read again as Windows-1252. */
interface Pass {
  issues: IssueList
  headers: string[] | null
  columns: Record<MappedField, number | null>
  columnsOk: boolean
  conversations: number
  /** Per row: index of its recording in the scan, or -1 when excluded. */
  rowScanRec: Int32Array
  /** Per scanned recording: 1 when any row names it. */
  referenced: Uint8Array
  problem: CsvReadProblem | null
}

interface Sniffer {
  queue: BackgroundQueue<number>
  queued: Uint8Array
  mismatch: Map<number, string>
}

function grow(a: Int32Array, need: number): Int32Array {
  if (need <= a.length) return a
  const b = new Int32Array(Math.max(need, a.length * 2))
  b.set(a)
  return b
}

async function runPass(spec: BatchSpec, index: RecordingIndex, sniffer: Sniffer, encoding: CsvEncoding, delimiter: Manifest['delimiter'], totalBytes: number, opts: ValidateOptions): Promise<Pass> {
  const recs = index.recordings
  const mapping = spec.mapping
  const pass: Pass = {
    issues: new IssueList(opts.maxIssuesPerCode),
    headers: null,
    columns: { contactReference: null, agentId: null, contactDate: null, audioFilename: null },
    columnsOk: false,
    conversations: 0,
    rowScanRec: new Int32Array(1024),
    referenced: new Uint8Array(recs.length),
    problem: null,
  }
  const issues = pass.issues
  const converter: DateConverter | null = mapping.dateFormat && mapping.timezone ? createDateConverter(mapping.dateFormat, mapping.timezone) : null
  const refs = new Map<string, number>()
  let width = 0
  let tooWideSeen = false

  const onHeader = (headers: string[]): void => {
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
  }

  const checkRow = (row: string[], r: number): number => {
    const cell = (c: number | null): string => (c === null ? '' : (row[c] ?? '').trim())
    const { contactReference: refCol, agentId: agentCol, contactDate: dateCol, audioFilename: audioCol } = pass.columns
    let bad = false
    if (row.length > width) {
      bad = true
      if (!tooWideSeen) {
        tooWideSeen = true
        issues.add('CSV_PARSE_ERROR', { row: r, detail: `row ${r} has ${row.length} fields but the header has ${width}, so a value holding the delimiter is not in quotes` })
      }
    }
    const ref = cell(refCol)
    if (ref === '') {
      bad = true
      issues.add('MISSING_FIELD', { row: r, value: FIELD_LABELS.contactReference, column: mapping.contactReference })
    } else {
      const first = refs.get(ref)
      if (first !== undefined) {
        bad = true
        issues.add('DUPLICATE_REFERENCE', { row: r, value: ref, detail: String(first) })
      } else refs.set(detach(ref), r)
    }
    if (cell(agentCol) === '') {
      bad = true
      issues.add('MISSING_FIELD', { row: r, value: FIELD_LABELS.agentId, column: mapping.agentId })
    }
    const date = cell(dateCol)
    if (date === '') {
      bad = true
      issues.add('MISSING_FIELD', { row: r, value: FIELD_LABELS.contactDate, column: mapping.contactDate })
    } else if (converter) {
      if (converter.convert(date) === null) {
        bad = true
        issues.add('INVALID_DATE', { row: r, value: date, detail: `does not match the date format ${mapping.dateFormat} you chose, or is not a real date` })
      }
    } else {
      const d = checkIsoDate(date)
      if (!d.ok) {
        bad = true
        issues.add('INVALID_DATE', { row: r, value: date, detail: d.reason })
      } else if (!d.hasOffset) issues.add('NO_UTC_OFFSET', { row: r, value: date })
    }
    const name = cell(audioCol)
    if (name === '' && ref === '') return -1
    const match = name !== '' ? matchByName(index, name) : matchByReference(index, ref)
    const shown = name !== '' ? name : `${ref}.*`
    switch (match.kind) {
      case 'unsafe':
        issues.add('UNSAFE_FILENAME', { row: r, value: name, detail: match.reason })
        return -1
      case 'missing':
        for (const c of match.candidates ?? []) pass.referenced[c] = 1
        issues.add('MISSING_RECORDING', { row: r, value: shown, detail: match.detail })
        return -1
      case 'collision':
        for (const c of match.candidates) pass.referenced[c] = 1
        issues.add('NAME_COLLISION', { row: r, value: shown, file: recs[match.candidates[0]!]!.relPath, others: match.candidates.slice(1).map((c) => recs[c]!.relPath) })
        return -1
      case 'found': {
        const rec = recs[match.index]!
        pass.referenced[match.index] = 1
        if (rec.size === 0) {
          issues.add('EMPTY_RECORDING', { row: r, value: shown, file: rec.relPath })
          return -1
        }
        if (match.caseMismatch) issues.add('CASE_MISMATCH', { row: r, value: shown, file: rec.relPath })
        if (sniffer.queued[match.index] === 0) {
          sniffer.queued[match.index] = 1
          sniffer.queue.push(match.index)
        }
        return bad ? -1 : match.index
      }
    }
  }

  let lastProgress = 0
  const result = await readCsv(spec.csvPath, {
    encoding,
    delimiter,
    signal: opts.signal,
    onBytes: (bytesRead) => {
      const now = Date.now()
      if (opts.onProgress && now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now
        opts.onProgress({ bytesRead, totalBytes, rows: pass.conversations })
      }
    },
  }, {
    onHeader,
    onRows(rows, firstRow) {
      pass.conversations = firstRow + rows.length - 1
      pass.rowScanRec = grow(pass.rowScanRec, pass.conversations)
      const out = pass.rowScanRec
      if (!pass.columnsOk) {
        out.fill(-1, firstRow - 1, pass.conversations)
        return
      }
      for (let i = 0; i < rows.length; i++) out[firstRow - 1 + i] = checkRow(rows[i]!, firstRow + i)
    },
  })
  pass.problem = result.problem
  pass.conversations = result.dataRows
  opts.onProgress?.({ bytesRead: totalBytes, totalBytes, rows: pass.conversations })
  return pass
}

/**
 * Validates a batch end to end. Throws AppError only when the input cannot be used at all
 * (mapping incomplete, CSV or folder unreadable); every finding about the data is an issue.
 */
export async function validateBatch(spec: BatchSpec, opts: ValidateOptions = {}): Promise<CheckedBatch> {
  const problems = profileProblems(spec.mapping)
  if (problems.length > 0) {
    const incomplete = problems.some((p) => p.includes('is not mapped'))
    throw new AppError(incomplete ? 'MAPPING_INCOMPLETE' : 'BAD_ARGUMENT', problems.join(' '))
  }
  const scan = opts.scan ?? (await scanPaths(spec.paths, { signal: opts.signal }))
  const csvStat = await stat(spec.csvPath).catch((err: unknown) => {
    throw toAppError(err, 'NOT_READABLE')
  })
  if (!csvStat.isFile()) throw new AppError('CSV_UNREADABLE', `${spec.csvPath} is not a file.`)
  const fmt = await detectCsvFormat(spec.csvPath)
  const index = buildRecordingIndex(scan)
  const sniffer: Sniffer = {
    queued: new Uint8Array(scan.recordings.length),
    mismatch: new Map(),
    queue: new BackgroundQueue<number>(SNIFF_CONCURRENCY, async (i) => {
      const rec = scan.recordings[i]!
      try {
        const why = audioMismatch(rec.ext, await readHead(rec.path))
        if (why !== null) sniffer.mismatch.set(i, why)
      } catch (err) {
        sniffer.mismatch.set(i, `could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'}), so it cannot be uploaded`)
      }
    }),
  }
  let encoding = fmt.encoding
  let pass = await runPass(spec, index, sniffer, encoding, fmt.delimiter, csvStat.size, opts)
  if (pass.problem?.notUtf8 && encoding === 'utf-8') {
    // Valid UTF-8 at the start, not further on: a Windows-1252 export with late accents.
    encoding = 'windows-1252'
    pass = await runPass(spec, index, sniffer, encoding, fmt.delimiter, csvStat.size, opts)
  }
  await sniffer.queue.drain()
  const issues = pass.issues
  if (pass.problem) issues.add('CSV_PARSE_ERROR', { row: pass.problem.row, detail: pass.problem.detail })
  if (pass.headers === null) issues.add('CSV_EMPTY', { detail: 'The CSV is empty: it has no header row' })
  else if (pass.conversations === 0) issues.add('CSV_EMPTY', { detail: 'The CSV has a header but no data rows' })

  const built = buildManifest({ scan, pass, issues, sniffMismatch: sniffer.mismatch, rowsChecked: pass.columnsOk })
  const manifest: Manifest = {
    csvPath: spec.csvPath,
    csvSize: csvStat.size,
    csvMtimeMs: csvStat.mtimeMs,
    encoding,
    delimiter: fmt.delimiter,
    headers: pass.headers ?? [],
    mapping: spec.mapping,
    columns: pass.columns,
    conversations: pass.conversations,
    eligibleRows: built.eligible,
    rowRecording: built.rowRecording,
    recordings: built.recordings,
  }
  const report: BatchReport = {
    checkId: randomUUID(),
    ready: !issues.blocked && built.eligible > 0,
    conversations: pass.conversations,
    eligible: built.eligible,
    excluded: pass.conversations - built.eligible,
    recordings: scan.recordings.length,
    orphans: built.orphans,
    eligibleBytes: built.recordings.reduce((n, r) => n + r.size, 0),
    counts: { ...issues.counts },
    issueTotal: issues.total,
  }
  return { report, issues: issues.sorted(), issuesOmitted: issues.omitted, manifest, scan }
}
