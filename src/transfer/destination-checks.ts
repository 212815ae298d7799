/**
 * The checks that need to know where a batch goes (DESIGN.md, "Exactly once"): rows whose
 * contact reference was already delivered to the destination (ALREADY_DELIVERED, left out
 * unless sent again on purpose) and columns that differ from the destination's platform
 * layout (LAYOUT_CHANGED). They run after validation, on its result, without reading the CSV
 * again: validation keeps every contact reference with its first row.
 */
import type { BatchReport, DeliveredBatch, PlatformLayout, ValidationIssue } from '../api'
import { isBlocking, makeIssue, type CheckedBatch, type Manifest, type ManifestRecording } from '../batch'
import { compareLayout, layoutChangedDetail } from '../batch/platform-layout'

/** What the checks ask of the delivery ledger (DeliveryLedger has it). */
export interface DeliveryRecords {
  lookup(references: Iterable<string>): Map<string, { csvName: string; batchId: string; deliveredAt: string }>
  delivery(csvName: string): DeliveredBatch | null
}

export interface DestinationCheckOptions {
  ledger: DeliveryRecords | null
  layout: PlatformLayout | null
  /** Keep rows already delivered (sent again on purpose). @default false */
  resendDelivered?: boolean
  /** Issues kept per code, as validation keeps them. @default 10000 */
  maxIssues?: number
}

/** Earlier deliveries listed with a batch (newest first). */
const DELIVERIES_SHOWN = 20

/** The batch as it would go to this destination: a new CheckedBatch; the input is not changed. */
export function checkForDestination(checked: CheckedBatch, opts: DestinationCheckOptions): CheckedBatch {
  const added: ValidationIssue[] = []
  let report: BatchReport = { ...checked.report, counts: { ...checked.report.counts }, alreadyDelivered: 0, deliveredBefore: [], layout: opts.layout }
  let manifest = checked.manifest

  const diff = opts.layout && checked.manifest.headers.length > 0 ? safeCompare(opts.layout, checked) : null
  if (diff) {
    added.push(makeIssue('LAYOUT_CHANGED', { detail: layoutChangedDetail(diff) }))
    report.counts.LAYOUT_CHANGED = 1
    report.issueTotal += 1
  }

  if (opts.ledger) {
    const found = deliveredRows(checked, opts.ledger)
    if (found.rows.length > 0) {
      const keep = opts.maxIssues ?? 10_000
      for (const hit of found.rows.slice(0, keep)) {
        added.push(makeIssue('ALREADY_DELIVERED', { row: hit.row, value: hit.reference, detail: `in ${hit.csvName} on ${hit.deliveredAt.slice(0, 10)}` }))
      }
      report.counts.ALREADY_DELIVERED = found.rows.length
      report.issueTotal += found.rows.length
      report.alreadyDelivered = found.rows.length
      report.deliveredBefore = [...new Set(found.rows.map((r) => r.csvName))]
        .map((name) => opts.ledger!.delivery(name))
        .filter((d): d is DeliveredBatch => d !== null)
        .sort((a, b) => b.deliveredAt.localeCompare(a.deliveredAt))
        .slice(0, DELIVERIES_SHOWN)
      if (!opts.resendDelivered) {
        manifest = withoutRows(manifest, found.rows.map((r) => r.row))
        report = { ...report, eligible: manifest.eligibleRows, eligibleBytes: manifest.recordings.reduce((n, r) => n + r.size, 0) }
      }
    }
  }
  const blocked = Object.keys(report.counts).some((code) => isBlocking(code as keyof BatchReport['counts']))
  report.ready = !blocked && report.eligible > 0
  const issues = added.length === 0 ? checked.issues : sortIssues([...checked.issues, ...added])
  return { ...checked, report, issues, manifest }
}

/** A mapped column missing from the header is validation's finding, not a layout difference. */
function safeCompare(layout: PlatformLayout, checked: CheckedBatch) {
  try {
    return compareLayout(layout, checked.manifest.headers, checked.manifest.mapping)
  } catch {
    return null
  }
}

interface DeliveredRow {
  row: number
  reference: string
  csvName: string
  deliveredAt: string
}

/** Eligible rows whose reference the ledger holds, in row order. */
function deliveredRows(checked: CheckedBatch, ledger: DeliveryRecords): { rows: DeliveredRow[] } {
  const { table, firstRow } = checked.references
  const slots = checked.manifest.rowRecording
  // Only eligible rows are asked about: a generator, so a million references are never all
  // held as strings at once beyond what the lookup itself keeps.
  function* eligibleReferences(): Generator<string> {
    for (let id = 0; id < table.size; id++) {
      if (slots[firstRow[id]! - 1]! >= 0) yield table.get(id)
    }
  }
  const hits = ledger.lookup(eligibleReferences())
  const rows: DeliveredRow[] = []
  for (const [reference, hit] of hits) {
    const id = table.intern(reference)
    rows.push({ row: firstRow[id]!, reference, csvName: hit.csvName, deliveredAt: hit.deliveredAt })
  }
  return { rows: rows.sort((a, b) => a.row - b.row) }
}

/** The manifest without these rows: recordings no row uses any more are dropped. */
function withoutRows(m: Manifest, rows: number[]): Manifest {
  const rowRecording = Int32Array.from(m.rowRecording)
  for (const row of rows) rowRecording[row - 1] = -1
  const dropped = new Set(rows)
  const newIndex = new Int32Array(m.recordings.length).fill(-1)
  const recordings: ManifestRecording[] = []
  m.recordings.forEach((rec, i) => {
    const left = rec.rows.filter((r) => !dropped.has(r))
    if (left.length === 0) return
    newIndex[i] = recordings.length
    recordings.push(left.length === rec.rows.length ? rec : { ...rec, rows: left })
  })
  let eligibleRows = 0
  for (let i = 0; i < rowRecording.length; i++) {
    const at = rowRecording[i]!
    if (at < 0) continue
    rowRecording[i] = newIndex[at]!
    eligibleRows++
  }
  return { ...m, rowRecording, recordings, eligibleRows }
}

/** Blocking issues first, then by row, as validation orders them. */
function sortIssues(issues: ValidationIssue[]): ValidationIssue[] {
  const rank = (i: ValidationIssue): number => (isBlocking(i.code) ? -1 : (i.row ?? Number.MAX_SAFE_INTEGER))
  return issues.map((issue, at) => ({ issue, at, r: rank(issue) })).sort((a, b) => a.r - b.r || a.at - b.at).map((x) => x.issue)
}
