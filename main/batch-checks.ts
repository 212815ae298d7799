/**
 * The validation runs a host keeps for the UI: the Review screen pages through a run's issues
 * by `checkId` (never all of them at once: a million-row CSV can hold a million), exports them,
 * and the upload starts from the run the user reviewed. Only the latest few runs are kept,
 * since each holds a manifest as large as the CSV.
 */
import path from 'node:path'
import { stat } from 'node:fs/promises'
import type { FileForUser } from './save-for-user'
import type { BatchSpec, IssueQuery, ValidationIssue } from '../src/api'
import { readCsv, sheetRecord, type CheckedBatch } from '../src/batch'
import { AppError } from '../src/errors'

/** Runs kept: the one on screen and the one before it. */
const KEEP = 2
/** A reviewed run older than this is checked again before an upload starts from it. */
export const CHECK_FRESH_MS = 30 * 60 * 1000

interface Entry {
  key: string
  /** The batch as validated: what an upload starts from (it applies the destination itself). */
  checked: CheckedBatch
  /** What the user was shown: with the destination's checks when one was chosen. */
  view: CheckedBatch
  at: number
  /** The CSV as it was when checked: an edited CSV needs a new check. */
  csv: CsvStamp | null
}

export interface CsvStamp {
  size: number
  mtimeMs: number
}

/** Size and modification time of the CSV, or null when it cannot be read. */
export async function csvStamp(csvPath: string): Promise<CsvStamp | null> {
  const info = await stat(csvPath).catch(() => null)
  return info ? { size: info.size, mtimeMs: info.mtimeMs } : null
}

/** Two specs are the same batch when they name the same paths, CSV and mapping. */
function specKey(spec: BatchSpec): string {
  const mapping = Object.fromEntries(Object.entries(spec.mapping).sort(([a], [b]) => a.localeCompare(b)))
  return JSON.stringify({ paths: spec.paths.map((p) => path.resolve(p)), csv: path.resolve(spec.csvPath), mapping })
}

export class CheckStore {
  private readonly entries: Entry[] = []

  put(spec: BatchSpec, checked: CheckedBatch, csv: CsvStamp | null, now = Date.now(), view: CheckedBatch = checked): void {
    this.entries.unshift({ key: specKey(spec), checked, view, at: now, csv })
    this.entries.length = Math.min(this.entries.length, KEEP)
  }

  get(checkId: string): CheckedBatch {
    const found = this.entries.find((e) => e.view.report.checkId === checkId)
    if (!found) throw new AppError('NOT_FOUND', 'That check is no longer kept; check the batch again.')
    return found.view
  }

  /** The latest run of this very batch, if recent enough and its CSV unchanged since. */
  fresh(spec: BatchSpec, csv: CsvStamp | null, now = Date.now()): CheckedBatch | null {
    const key = specKey(spec)
    const found = this.entries.find((e) => e.key === key)
    if (!found || now - found.at >= CHECK_FRESH_MS || !found.csv || !csv) return null
    return found.csv.size === csv.size && found.csv.mtimeMs === csv.mtimeMs ? found.checked : null
  }
}

/** One page of issues, filtered by code and/or severity. */
export function queryIssues(issues: readonly ValidationIssue[], query: IssueQuery): { total: number; issues: ValidationIssue[] } {
  const matching = query.code === undefined && query.severity === undefined ? issues : issues.filter((i) => (query.code === undefined || i.code === query.code) && (query.severity === undefined || i.severity === query.severity))
  return { total: matching.length, issues: matching.slice(query.offset, query.offset + query.limit) }
}

/** Contact reference, agent and date of the rows an issue names: what the person fixing the export looks up. */
async function rowFacts(checked: CheckedBatch): Promise<Map<number, [string, string, string]>> {
  const wanted = new Set(checked.issues.flatMap((i) => (i.row === null ? [] : [i.row])))
  const facts = new Map<number, [string, string, string]>()
  const m = checked.manifest
  const { contactReference: ref, agentId: agent, contactDate: date } = m.columns
  if (wanted.size === 0) return facts
  await readCsv(m.csvPath, { encoding: m.encoding, delimiter: m.delimiter }, {
    onHeader: () => undefined,
    onRows: (rows, firstRow) => {
      rows.forEach((fields, i) => {
        const row = firstRow + i
        if (wanted.has(row)) facts.set(row, [ref === null ? '' : (fields[ref] ?? ''), agent === null ? '' : (fields[agent] ?? ''), date === null ? '' : (fields[date] ?? '')])
      })
    },
  })
  return facts
}

/**
 * The issues as a CSV for a spreadsheet: row, the row's reference, agent and date, file, code,
 * severity and what to do; cells neutralised. A CSV that changed or went since the check is
 * exported without the row facts rather than not at all.
 */
export async function issuesCsvFile(checked: CheckedBatch): Promise<FileForUser> {
  const facts = await rowFacts(checked).catch(() => new Map<number, [string, string, string]>())
  const lines = [sheetRecord(['row', 'contact reference', 'agent', 'contact date', 'file', 'code', 'severity', 'message'])]
  for (const i of checked.issues) {
    const [ref, agent, date] = (i.row === null ? undefined : facts.get(i.row)) ?? ['', '', '']
    lines.push(sheetRecord([i.row === null ? '' : String(i.row), ref, agent, date, i.file ?? '', i.code, i.severity, i.message]))
  }
  if (checked.issuesOmitted > 0) lines.push(sheetRecord(['', '', '', '', '', '', '', `${checked.issuesOmitted} more problems of the same kinds are counted but not listed.`]))
  const base = path.basename(checked.manifest.csvPath, path.extname(checked.manifest.csvPath))
  return { name: `${base}-problems.csv`, mimeType: 'text/csv', text: `${lines.join('\r\n')}\r\n` }
}
