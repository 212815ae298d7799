/**
 * The component tests' in-memory api (test/unit/renderer/fake-api.ts) at bench scale: a
 * validation report with 100,000 flagged rows whose pages are made on demand, and upload
 * events that arrive from a worker (engine-worker.ts) one message at a time, as they do over
 * Electron IPC or the web host's WebSocket. Browser code: no Node modules.
 */
import type { BatchReport, IssueCode, IssueQuery, IssueSeverity, Result, UploadEvent, ValidationIssue } from '../../src/api'
import { FakeApi } from '../../test/unit/renderer/fake-api'

/** One period of the flagged rows: issue i has code PATTERN[i % PATTERN.length]. */
const PATTERN: IssueCode[] = [
  'MISSING_RECORDING', 'MISSING_RECORDING', 'INVALID_DATE', 'MISSING_RECORDING', 'DUPLICATE_REFERENCE',
  'MISSING_RECORDING', 'NO_UTC_OFFSET', 'MISSING_RECORDING', 'INVALID_DATE', 'MISSING_RECORDING',
  'MISSING_RECORDING', 'UNSAFE_FILENAME', 'MISSING_RECORDING', 'INVALID_DATE', 'MISSING_RECORDING',
  'DUPLICATE_REFERENCE', 'MISSING_RECORDING', 'MISSING_FIELD', 'MISSING_RECORDING', 'ORPHAN_RECORDING',
]
const severityOf = (code: IssueCode): IssueSeverity => (code === 'ORPHAN_RECORDING' ? 'warning' : 'error')
const pad = (n: number) => String(n).padStart(6, '0')
/** How many of the first n issues sit at position p of the pattern. */
const countAt = (p: number, n: number) => (p < n ? Math.floor((n - p - 1) / PATTERN.length) + 1 : 0)

const MESSAGES: Partial<Record<IssueCode, string>> = {
  MISSING_RECORDING: 'No recording with this file name is in the folder. Add it, or correct the name in the CSV.',
  INVALID_DATE: 'The contact date “31/02/2024 25:61” is not a date in the chosen format. Correct it in the CSV.',
  DUPLICATE_REFERENCE: 'This contact reference is used by an earlier row. Each conversation needs its own.',
  NO_UTC_OFFSET: 'The contact date has no time zone. Choose the zone the dates are in, or add an offset in the CSV.',
  UNSAFE_FILENAME: 'This file name has characters the server cannot take. Rename the recording and the CSV value.',
  MISSING_FIELD: 'The agent ID is empty. Fill it in the CSV.',
  ORPHAN_RECORDING: 'No row of the CSV names this recording, so it will not be sent.',
}

function issueAt(i: number): ValidationIssue {
  const code = PATTERN[i % PATTERN.length]!
  const orphan = code === 'ORPHAN_RECORDING'
  const withFile = orphan || code === 'MISSING_RECORDING' || code === 'UNSAFE_FILENAME'
  return {
    code,
    severity: severityOf(code),
    row: orphan ? null : 2 + i * 9,
    file: withFile ? (orphan ? `extra/voicemail-${pad(i)}.mp3` : `recordings/2024-05/call-${pad(i)}.wav`) : null,
    message: MESSAGES[code] ?? code,
  }
}

export class ScaleApi extends FakeApi {
  /** Milliseconds each listIssues answer takes, like one IPC round trip to the core. */
  latencyMs = 2
  private readonly uploadListeners = new Set<(e: UploadEvent) => void>()

  constructor(readonly issueCount: number) {
    super()
    const counts: Partial<Record<IssueCode, number>> = {}
    for (let p = 0; p < PATTERN.length; p++) {
      const code = PATTERN[p]!
      counts[code] = (counts[code] ?? 0) + countAt(p, issueCount)
    }
    const orphans = counts.ORPHAN_RECORDING ?? 0
    const excluded = issueCount - orphans
    const conversations = 1_000_000
    this.report = {
      checkId: 'check-bench', ready: true, conversations, eligible: conversations - excluded, excluded,
      recordings: conversations - (counts.MISSING_RECORDING ?? 0) + orphans, orphans,
      eligibleBytes: (conversations - excluded) * 1_900_000, counts, issueTotal: issueCount,
    } satisfies BatchReport
  }

  /** Pages are made on demand from the pattern, so the renderer is the only one holding rows. */
  override listIssues(checkId: string, q: IssueQuery): Promise<Result<{ total: number; issues: ValidationIssue[] }>> {
    const slots: number[] = []
    PATTERN.forEach((code, p) => { if ((!q.code || q.code === code) && (!q.severity || q.severity === severityOf(code))) slots.push(p) })
    let total = 0
    for (const p of slots) total += countAt(p, this.issueCount)
    const issues: ValidationIssue[] = []
    for (let k = q.offset; k < Math.min(total, q.offset + q.limit); k++) {
      issues.push(issueAt(Math.floor(k / slots.length) * PATTERN.length + slots[k % slots.length]!))
    }
    // A copy, as a transport's (de)serialisation would make, after a round trip's delay.
    const value = structuredClone({ total, issues })
    void checkId
    return new Promise((resolve) => setTimeout(() => resolve({ ok: true, value }), this.latencyMs))
  }

  /** Each message of the worker is one event, delivered in its own task as IPC delivers it. */
  attach(worker: Worker, onOther: (data: unknown) => void): void {
    worker.onmessage = (m: MessageEvent<UploadEvent | { control: string }>) => {
      const data = m.data
      if ('kind' in data) this.emit(data)
      else onOther(data)
    }
  }

  override emit(event: UploadEvent): void {
    for (const l of this.uploadListeners) l(event)
  }

  override onUploadEvent(listener: (e: UploadEvent) => void): () => void {
    this.uploadListeners.add(listener)
    return () => { this.uploadListeners.delete(listener) }
  }
}
