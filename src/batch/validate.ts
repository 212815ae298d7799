/**
 * Checks a batch: reads the CSV once (checking each row's fields) while the folder is scanned
 * and the recordings' first bytes are sniffed, then matches rows to recordings, runs the
 * whole-batch checks and builds the manifest the upload engine sends. A row with an error is
 * excluded; the batch stays uploadable while at least one row is eligible and nothing blocks.
 */
import { randomUUID } from 'node:crypto'
import Papa from 'papaparse'
import { stat } from 'node:fs/promises'
import type { BatchReport, BatchSpec, CsvDelimiter, CsvEncoding, ValidationIssue } from '../api'
import { AppError, toAppError } from '../errors'
import { audioMismatch } from './audio-sniff'
import { readHeads } from './sniff-worker'
import { applyProbes, probeMatched, summariseDurations } from './container-checks'
import { checkDurations } from './duration-checks'
import { probeFromEnds, type ProbeResult } from './container-probe'
import { IssueList } from './issue-list'
import type { Manifest } from './manifest'
import { buildManifest } from './manifest-builder'
import { profileProblems } from './mapping'
import { buildRecordingIndex } from './match-recordings'
import { detectCsvFormat, PREVIEW_BYTES } from './preview'
import { resolveRows } from './recording-rows'
import { checkRows, type ReferenceIndex, type RowAgents, type RowPass } from './row-checks'
import { scanPaths, type FolderScan } from './scan'

/** A checked batch: the summary, the issues (capped per code), and what to upload. */
export interface CheckedBatch {
  report: BatchReport
  issues: ValidationIssue[]
  /** Issues counted in `report.counts` but not kept in `issues` (cap per code). */
  issuesOmitted: number
  manifest: Manifest
  scan: FolderScan
  /** The batch's contact references and their first rows (for the delivery ledger). */
  references: ReferenceIndex
  /** Per manifest recording: its duration in seconds from its container, NaN when unknown. */
  recordingSeconds: Float64Array
  /** Each row's agent ID (for the destination's known-agent checks). */
  agents: RowAgents
}

/** Progress of the CSV pass, reported about 10 times a second. */
export interface ValidateProgress {
  bytesRead: number
  totalBytes: number
  rows: number
}

/** Options of validateBatch. */
export interface ValidateOptions {
  signal?: AbortSignal
  onProgress?: (p: ValidateProgress) => void
  /** A scan of `spec.paths` already made (the UI scans on drop): saves scanning twice. */
  scan?: FolderScan
  /** Issues kept per code (counts stay exact). @default 10000 */
  maxIssuesPerCode?: number
}

/**
 * Sniffs recordings' first bytes in the background (a worker thread). Until rows are matched
 * every non-empty recording is wanted, so the work overlaps the CSV pass; afterwards only the
 * ones rows resolved to.
 */
function createSniffer(scanned: Promise<FolderScan>) {
  const mismatch = new Map<number, string>()
  // Containers read from the same bytes (most WAVs and MP3s): not opened again to be probed.
  const probed = new Map<number, ProbeResult>()
  let wanted: ((i: number) => boolean) | null = null
  const done = scanned.then((scan) => {
    const recs = scan.recordings
    return readHeads(
      recs.map((r) => r.path),
      (i) => recs[i]!.size,
      (i) => recs[i]!.size > 0 && (wanted === null || wanted(i)),
      (i, r) => {
        const why = 'error' in r ? `could not be read (${r.error}), so it cannot be uploaded` : audioMismatch(recs[i]!.ext, r.head)
        if (why !== null) mismatch.set(i, why)
        else if (!('error' in r)) {
          const quick = probeFromEnds(recs[i]!.ext, { head: r.head, tail: r.tail, size: recs[i]!.size })
          if (quick !== null) probed.set(i, quick)
        }
      },
    )
  })
  done.catch(() => undefined) // awaited in finish(); the scan's own failure is reported there
  return {
    /** Stops sending files to the worker (validation failed or was cancelled). */
    cancel(): void {
      wanted = () => false
    },
    /** Waits for the sniffs of the recordings rows resolved to; returns their mismatches. */
    async finish(matched: Uint8Array): Promise<Map<number, string>> {
      wanted = (i) => matched[i] === 1
      await done
      for (const i of mismatch.keys()) if (matched[i] !== 1) mismatch.delete(i)
      return mismatch
    },
    /** Containers already read from the sniffed bytes, by scan index (after finish()). */
    probed,
  }
}

/**
 * Rows the whole file probably holds, from the records in its first megabyte (quotes
 * respected, so multi-line notes do not inflate it). Only a first size for the row tables:
 * capped, they still grow if the guess is low.
 */
function estimateRows(sample: string, delimiter: CsvDelimiter, size: number): number {
  const records = Papa.parse<string[]>(sample, { delimiter, quoteChar: '"' }).data.length
  if (records === 0) return 1024
  const sampleBytes = Math.min(size, PREVIEW_BYTES)
  return Math.min(4_000_000, Math.ceil((size / sampleBytes) * records * 1.05))
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
  const csvStat = await stat(spec.csvPath).catch((err: unknown) => {
    throw toAppError(err, 'NOT_READABLE')
  })
  if (!csvStat.isFile()) throw new AppError('CSV_UNREADABLE', `${spec.csvPath} is not a file.`)
  const fmt = await detectCsvFormat(spec.csvPath)

  // The folder is scanned while the CSV is read: one is disk and libuv's pool, the other CPU.
  const scanned = opts.scan ? Promise.resolve(opts.scan) : scanPaths(spec.paths, { signal: opts.signal })
  scanned.catch(() => undefined) // awaited below; a failure must not count as unhandled meanwhile
  const sniffer = createSniffer(scanned)

  const expectedRows = estimateRows(fmt.sample, fmt.delimiter, csvStat.size)
  const read = (encoding: CsvEncoding, delimiter: CsvDelimiter): Promise<RowPass> =>
    checkRows(spec.csvPath, spec.mapping, { encoding, delimiter, totalBytes: csvStat.size, expectedRows, signal: opts.signal, onProgress: opts.onProgress, issues: new IssueList(opts.maxIssuesPerCode) })
  let encoding = fmt.encoding
  let pass: RowPass
  let scan: FolderScan
  try {
    pass = await read(encoding, fmt.delimiter)
    if (pass.problem?.notUtf8 && encoding === 'utf-8') {
      // Valid UTF-8 at the start, not further on: a Windows-1252 export with late accents.
      encoding = 'windows-1252'
      pass = await read(encoding, fmt.delimiter)
    }
    scan = await scanned
  } catch (err) {
    sniffer.cancel()
    throw err
  }
  const issues = pass.issues
  if (pass.problem) issues.add(pass.problem.tooLong ? 'ROW_TOO_LONG' : 'CSV_PARSE_ERROR', { row: pass.problem.row, detail: pass.problem.detail })
  if (pass.headers === null) issues.add('CSV_EMPTY', { detail: 'The CSV is empty: it has no header row' })
  else if (pass.conversations === 0) issues.add('CSV_EMPTY', { detail: 'The CSV has a header but no data rows' })

  const resolved = resolveRows(pass, buildRecordingIndex(scan), issues)
  const sniffMismatch = await sniffer.finish(resolved.matched)
  // A file already found to be the wrong format or unreadable is not probed again.
  const probes = await probeMatched(scan, resolved.matched, (s) => sniffMismatch.has(s), sniffer.probed, opts.signal)
  const durations = applyProbes(probes, scan, resolved.rowScanRec, pass.conversations, issues)
  if (pass.rowDuration !== null && spec.mapping.duration) checkDurations(pass.rowDuration, spec.mapping.duration, scan, resolved.rowScanRec, durations, issues)
  const built = buildManifest({ scan, pass: { conversations: pass.conversations, rowScanRec: resolved.rowScanRec, referenced: resolved.referenced }, issues, sniffMismatch, rowsChecked: pass.columnsOk })
  const scanIndex = new Map(scan.recordings.map((r, s) => [r.path, s]))
  const recordingSeconds = Float64Array.from(built.recordings, (r) => durations[scanIndex.get(r.localPath) ?? -1] ?? NaN)
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
    audio: summariseDurations(Array.from(recordingSeconds)),
  }
  return { report, issues: issues.sorted(), issuesOmitted: issues.omitted, manifest, scan, references: pass.references, recordingSeconds, agents: pass.agents }
}
