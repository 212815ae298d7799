/**
 * Resolves each row's recording once the scan is done. Rows are read before (or while) the
 * folder is scanned, so each row only records a key (its audio file name, or its contact
 * reference when no audio column is mapped); the keys are unique far more often than rows
 * (100,000 recordings for 1,000,000 rows), so each key is matched once, then every row takes
 * its key's answer and gets its own issue.
 */
import type { IssueList } from './issue-list'
import type { StringTable } from './string-table'
import { matchByName, matchByReference, type RecordingIndex, type RecordingMatch } from './match-recordings'

/** Keys of rows matched by contact reference start with this character (never in a name). */
export const REFERENCE_KEY = '\u0000'

/** What the CSV pass leaves for matching: one key per row, unique keys listed once. */
export interface RowKeys {
  conversations: number
  /** Per row: index into `keys`, or -1 when the row has neither file name nor reference. */
  rowKey: Int32Array
  /** Per row: 1 when a field check already excluded it. */
  rowBad: Uint8Array
  /** The distinct keys; a row's key id is its id here. */
  keys: StringTable
}

/**
 * Adds the recording issues of every row and returns, per row, the index of its recording
 * in the scan (-1 when excluded), and per recording whether any row names it or resolves to it.
 */
export function resolveRows(rows: RowKeys, index: RecordingIndex, issues: IssueList): { rowScanRec: Int32Array; referenced: Uint8Array; matched: Uint8Array } {
  const recs = index.recordings
  /** Named by a row in any way (not an orphan). */
  const referenced = new Uint8Array(recs.length)
  /** The one recording a row resolved to (worth sniffing). */
  const matched = new Uint8Array(recs.length)
  const matches: RecordingMatch[] = Array.from({ length: rows.keys.size }, (_, id) => {
    const k = rows.keys.get(id)
    const m = k.charCodeAt(0) === 0 ? matchByReference(index, k.slice(1)) : matchByName(index, k)
    if (m.kind === 'found') referenced[m.index] = matched[m.index] = 1
    else if (m.kind === 'collision') for (const c of m.candidates) referenced[c] = 1
    else if (m.kind === 'missing') for (const c of m.candidates ?? []) referenced[c] = 1
    return m
  })
  // Per key: the recording when the match is clean (found, same case, not empty), else -1.
  const clean = new Int32Array(matches.length)
  matches.forEach((m, k) => (clean[k] = m.kind === 'found' && !m.caseMismatch && recs[m.index]!.size > 0 ? m.index : -1))
  const n = rows.conversations
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const k = rows.rowKey[i]!
    if (k < 0) {
      out[i] = -1
      continue
    }
    const ok = clean[k]!
    if (ok >= 0) {
      out[i] = rows.rowBad[i] === 0 ? ok : -1
      continue // the common case: no issue, no strings
    }
    const m = matches[k]!
    const row = i + 1
    out[i] = -1
    const key = rows.keys.get(k)
    const shown = key.charCodeAt(0) === 0 ? `${key.slice(1)}.*` : key
    switch (m.kind) {
      case 'unsafe':
        issues.add('UNSAFE_FILENAME', { row, value: shown, detail: m.reason })
        break
      case 'missing':
        // The file column shows the name the row expects: what to look for or correct.
        issues.add('MISSING_RECORDING', { row, value: shown, file: shown, detail: m.detail })
        break
      case 'collision':
        issues.add('NAME_COLLISION', { row, value: shown, file: recs[m.candidates[0]!]!.relPath, others: m.candidates.slice(1).map((c) => recs[c]!.relPath) })
        break
      case 'found': {
        const rec = recs[m.index]!
        if (rec.size === 0) {
          issues.add('EMPTY_RECORDING', { row, value: shown, file: rec.relPath })
          break
        }
        if (m.caseMismatch) issues.add('CASE_MISMATCH', { row, value: shown, file: rec.relPath })
        if (rows.rowBad[i] === 0) out[i] = m.index
      }
    }
  }
  return { rowScanRec: out, referenced, matched }
}
