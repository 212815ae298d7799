/**
 * The checks that need to know where a batch goes (DESIGN.md, "Exactly once"): rows whose
 * contact reference was already delivered to the destination (ALREADY_DELIVERED, left out
 * unless sent again on purpose) and columns that differ from the destination's platform
 * layout (LAYOUT_CHANGED). They run after validation, on its result, without reading the CSV
 * again: validation keeps every contact reference with its first row.
 */
import type { BatchReport, DeliveredBatch, PlatformLayout, ValidationIssue } from '../api'
import { isBlocking, makeIssue, type CheckedBatch, type Manifest, type ManifestRecording } from '../batch'
import { summariseDurations } from '../batch/container-checks'
import { compareLayout, layoutChangedDetail } from '../batch/platform-layout'
import { checkAgents } from '../agents/agent-checks'
import type { KnownAgents } from '../agents/known-agents-store'

/** What the checks ask of the delivery ledger (DeliveryLedger has it). */
export interface DeliveryRecords {
  lookupUnits(chars: ArrayLike<number>, start: ArrayLike<number>, ids: readonly number[], onFound: (index: number, prior: { csvName: string; deliveredAt: string }) => void): void
  delivery(csvName: string): DeliveredBatch | null
}

export interface DestinationCheckOptions {
  ledger: DeliveryRecords | null
  layout: PlatformLayout | null
  /** Keep rows already delivered (sent again on purpose). @default false */
  resendDelivered?: boolean
  /** Issues kept per code, as validation keeps them. @default 10000 */
  maxIssues?: number
  /** The destination's known agents (UNKNOWN_AGENT / NEW_AGENT); absent: agents not checked. */
  agents?: KnownAgents
  /** UNKNOWN_AGENT is an error whatever the destination's setting says (check --strict-agents). */
  strictAgents?: boolean
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
    const found = deliveredRows(checked, opts.ledger, opts.maxIssues ?? 10_000)
    if (found.count > 0) {
      for (const hit of found.shown) {
        added.push(makeIssue('ALREADY_DELIVERED', { row: hit.row, value: hit.reference, detail: `in ${hit.csvName} on ${hit.deliveredAt.slice(0, 10)}` }))
      }
      report.counts.ALREADY_DELIVERED = found.count
      report.issueTotal += found.count
      report.alreadyDelivered = found.count
      report.deliveredBefore = [...found.csvNames]
        .map((name) => opts.ledger!.delivery(name))
        .filter((d): d is DeliveredBatch => d !== null)
        .sort((a, b) => b.deliveredAt.localeCompare(a.deliveredAt))
        .slice(0, DELIVERIES_SHOWN)
      if (!opts.resendDelivered) {
        manifest = withoutRows(manifest, found.rows)
        report = { ...report, eligible: manifest.eligibleRows, eligibleBytes: manifest.recordings.reduce((n, r) => n + r.size, 0) }
      }
    }
  }
  if (opts.agents) {
    const found = checkAgents(checked.agents, manifest.rowRecording, opts.agents, { ...(opts.strictAgents ? { strict: true } : {}), maxIssues: opts.maxIssues ?? 10_000 })
    report.agents = found.report
    if (found.count > 0) {
      added.push(...found.issues)
      report.counts[found.report.code!] = found.count
      report.issueTotal += found.count
    }
    if (found.drop) {
      const before = manifest.eligibleRows
      manifest = withoutRows(manifest, found.drop)
      report = { ...report, eligible: manifest.eligibleRows, excluded: report.excluded + before - manifest.eligibleRows, eligibleBytes: manifest.recordings.reduce((n, r) => n + r.size, 0) }
    }
  }
  const blocked = Object.keys(report.counts).some((code) => isBlocking(code as keyof BatchReport['counts']))
  report.ready = !blocked && report.eligible > 0
  const issues = added.length === 0 ? checked.issues : sortIssues([...checked.issues, ...added])
  return withAudioOfWhatGoes(checked, { ...checked, report, issues, manifest })
}

/**
 * The destination checks leave rows out (already delivered, strict agents) and drop the
 * recordings only they used, but validation's audio figures and per-recording durations were
 * of every eligible recording: Review said "Audio to send 17 min" beside "Will be uploaded 0",
 * and check printed the same (issue 22). Both are made again for the recordings that still go.
 */
export function withAudioOfWhatGoes(checked: CheckedBatch, view: CheckedBatch): CheckedBatch {
  if (view.manifest.recordings === checked.manifest.recordings) return view
  const seconds = new Map<string, number>()
  checked.manifest.recordings.forEach((r, i) => seconds.set(r.localPath, checked.recordingSeconds[i] ?? NaN))
  const recordingSeconds = Float64Array.from(view.manifest.recordings, (r) => seconds.get(r.localPath) ?? NaN)
  const report = checked.report.audio ? { ...view.report, audio: summariseDurations(Array.from(recordingSeconds)) } : view.report
  return { ...view, report, recordingSeconds }
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

/** References asked of the ledger at a time: the answers for a million are never held at once. */
const LOOKUP_CHUNK = 10_000

/**
 * Eligible rows whose reference the ledger holds: marked in a byte per row, counted, the
 * first `keep` of them (in row order) described for the issue list, and the CSVs they went in.
 */
function deliveredRows(checked: CheckedBatch, ledger: DeliveryRecords, keep: number): { rows: Uint8Array; count: number; shown: DeliveredRow[]; csvNames: Set<string> } {
  const { table, firstRow } = checked.references
  const slots = checked.manifest.rowRecording
  const rows = new Uint8Array(checked.manifest.conversations)
  const csvNames = new Set<string>()
  const shown: DeliveredRow[] = []
  let count = 0
  const ids: number[] = []
  // The references as code units: hashed where they lie, a string made only for those shown.
  const { chars, start } = table.codeUnits()
  const ask = () => {
    ledger.lookupUnits(chars, start, ids, (i, hit) => {
      const row = firstRow[ids[i]!]!
      rows[row - 1] = 1
      count++
      csvNames.add(hit.csvName)
      // References come in first-seen order, which is row order: the first are the lowest rows.
      if (shown.length < keep) shown.push({ row, reference: table.get(ids[i]!), csvName: hit.csvName, deliveredAt: hit.deliveredAt })
    })
    ids.length = 0
  }
  for (let id = 0; id < table.size; id++) {
    if (slots[firstRow[id]! - 1]! < 0) continue
    ids.push(id)
    if (ids.length === LOOKUP_CHUNK) ask()
  }
  if (ids.length > 0) ask()
  return { rows, count, shown, csvNames }
}

/** The manifest without the marked rows (a byte per row): recordings no row uses any more are dropped. */
function withoutRows(m: Manifest, dropped: Uint8Array): Manifest {
  const rowRecording = Int32Array.from(m.rowRecording)
  for (let i = 0; i < rowRecording.length; i++) if (dropped[i]) rowRecording[i] = -1
  const newIndex = new Int32Array(m.recordings.length).fill(-1)
  const recordings: ManifestRecording[] = []
  m.recordings.forEach((rec, i) => {
    const left = rec.rows.filter((r) => !dropped[r - 1])
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
