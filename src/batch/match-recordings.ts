/**
 * Finds the recording a CSV row refers to, among the files a scan found. By the mapped
 * filename (a relative path inside the folder, or a bare name found anywhere when unique), or,
 * with no audio column, by a file named after the contact reference. Letter-case-only
 * differences match with a warning; names that leave the folder never match.
 */
import type { FolderScan, ScannedRecording } from './scan'
import { checkRecordingName } from './safe-path'
import { classifyName } from './scan'

/** Several files can share a key: one index, or a list of them. */
type Slot = number | number[]

function add(map: Map<string, Slot>, key: string, i: number): void {
  const cur = map.get(key)
  if (cur === undefined) map.set(key, i)
  else if (typeof cur === 'number') map.set(key, [cur, i])
  else cur.push(i)
}
const asList = (s: Slot | undefined): number[] => (s === undefined ? [] : typeof s === 'number' ? [s] : s)

const stemOf = (name: string): string => {
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(0, dot) : name
}
const baseOf = (rel: string): string => rel.slice(rel.lastIndexOf('/') + 1)

/** Lookup tables over a scan's recordings, built once per validation. */
export interface RecordingIndex {
  recordings: ScannedRecording[]
  byRel: Map<string, Slot>
  byRelLower: Map<string, Slot>
  byBase: Map<string, Slot>
  byBaseLower: Map<string, Slot>
  byStem: Map<string, Slot>
  byStemLower: Map<string, Slot>
  /** Lower-case relative paths and bare names of symlinks that leave the folder. */
  unsafeRel: Set<string>
  unsafeBase: Set<string>
}

/** Builds the lookup tables (≈ a few hundred bytes per recording). */
export function buildRecordingIndex(scan: FolderScan): RecordingIndex {
  const idx: RecordingIndex = {
    recordings: scan.recordings,
    byRel: new Map(),
    byRelLower: new Map(),
    byBase: new Map(),
    byBaseLower: new Map(),
    byStem: new Map(),
    byStemLower: new Map(),
    unsafeRel: new Set(scan.unsafeLinks.map((l) => l.relPath.toLowerCase())),
    unsafeBase: new Set(scan.unsafeLinks.map((l) => baseOf(l.relPath).toLowerCase())),
  }
  scan.recordings.forEach((r, i) => {
    const base = baseOf(r.relPath)
    add(idx.byRel, r.relPath, i)
    add(idx.byRelLower, r.relPath.toLowerCase(), i)
    add(idx.byBase, base, i)
    add(idx.byBaseLower, base.toLowerCase(), i)
    add(idx.byStem, stemOf(base), i)
    add(idx.byStemLower, stemOf(base).toLowerCase(), i)
  })
  return idx
}

/** What matching one row found. */
export type RecordingMatch =
  | { kind: 'found'; index: number; caseMismatch: boolean }
  | { kind: 'unsafe'; reason: string }
  /** Not found, or (with `candidates`) several different files fit and the row must say which. */
  | { kind: 'missing'; detail: string; candidates?: number[] }
  /** Same name in several sub-folders: they would overwrite each other in the server's root. */
  | { kind: 'collision'; candidates: number[] }

function pick(list: number[], caseMismatch: boolean, recs: ScannedRecording[]): RecordingMatch | null {
  if (list.length === 0) return null
  if (list.length === 1) return { kind: 'found', index: list[0]!, caseMismatch }
  const bases = new Set(list.map((i) => baseOf(recs[i]!.relPath).toLowerCase()))
  if (bases.size === 1) return { kind: 'collision', candidates: list }
  const names = list.slice(0, 3).map((i) => recs[i]!.relPath).join(', ')
  return { kind: 'missing', detail: `matches several files (${names}); write the full file name in the CSV`, candidates: list }
}

function isUnsafeLink(idx: RecordingIndex, rel: string): boolean {
  if (idx.unsafeRel.size === 0) return false
  const lower = rel.toLowerCase()
  if (idx.unsafeRel.has(lower)) return true
  // A linked folder leaving the batch folder: any path below it.
  for (let cut = lower.indexOf('/'); cut > 0; cut = lower.indexOf('/', cut + 1)) if (idx.unsafeRel.has(lower.slice(0, cut))) return true
  return false
}

/** Matches the audio filename written in a row. */
export function matchByName(idx: RecordingIndex, value: string): RecordingMatch {
  const safe = checkRecordingName(value)
  if (!safe.ok) return { kind: 'unsafe', reason: safe.reason }
  const { relPath, baseName } = safe
  const recs = idx.recordings
  const hasDir = relPath.includes('/')
  if (hasDir) {
    // "calls/2024/x.wav" when the folder dropped was "calls": try the path, then its tails.
    let rel = relPath
    for (;;) {
      const hit = pick(asList(idx.byRel.get(rel)), false, recs) ?? pick(asList(idx.byRelLower.get(rel.toLowerCase())), true, recs)
      if (hit) return hit
      const cut = rel.indexOf('/')
      if (cut < 0) break
      rel = rel.slice(cut + 1)
      if (!rel.includes('/')) break
    }
    if (isUnsafeLink(idx, relPath)) return { kind: 'unsafe', reason: 'a link to a place outside the folder' }
    return { kind: 'missing', detail: 'is not in the folder at that path' }
  }
  const hit = pick(asList(idx.byBase.get(baseName)), false, recs) ?? pick(asList(idx.byBaseLower.get(baseName.toLowerCase())), true, recs)
  if (hit) return hit
  if (idx.unsafeBase.has(baseName.toLowerCase())) return { kind: 'unsafe', reason: 'a link to a place outside the folder' }
  // "call-17" without an extension: the one recording of that name, whatever its format.
  if (classifyName(baseName).kind !== 'recording') {
    const stemHit = pick(asList(idx.byStem.get(baseName)), false, recs) ?? pick(asList(idx.byStemLower.get(baseName.toLowerCase())), true, recs)
    if (stemHit) return stemHit
  }
  return { kind: 'missing', detail: 'is not in the folder' }
}

/** With no audio column: the recording named after the contact reference (any extension). */
export function matchByReference(idx: RecordingIndex, reference: string): RecordingMatch {
  const ref = reference.trim()
  const recs = idx.recordings
  const hit = pick(asList(idx.byStem.get(ref)), false, recs) ?? pick(asList(idx.byStemLower.get(ref.toLowerCase())), true, recs)
  if (hit) return hit
  return { kind: 'missing', detail: 'is not in the folder (no recording is named after this contact reference)' }
}

/** The name a recording gets in the server's root: its real file name, without folders. */
export function remoteNameOf(rec: ScannedRecording): string {
  return baseOf(rec.relPath)
}
