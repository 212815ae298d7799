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
/**
 * Names are compared in Unicode NFC: macOS and some zip tools write "é" as e + combining
 * accent (NFD), exports as one character, and both look the same to a user. Only matching
 * uses this form; the file keeps its own name on the server.
 */
export const nameKey = (name: string): string => name.normalize('NFC')

/** Lookup tables over a scan's recordings, built once per validation. */
export interface RecordingIndex {
  recordings: ScannedRecording[]
  /** Built on first use: only names with a folder part need them. */
  rels: { byRel: Map<string, Slot>; byRelLower: Map<string, Slot> } | null
  byBase: Map<string, Slot>
  byBaseLower: Map<string, Slot>
  /** Built on first use: only reference matching and names without extension need them. */
  stems: { byStem: Map<string, Slot>; byStemLower: Map<string, Slot> } | null
  /** Lower-case relative paths and bare names of symlinks that leave the folder. */
  unsafeRel: Set<string>
  unsafeBase: Set<string>
  /** Lower-case names without extension of those links (for matching by contact reference). */
  unsafeStem: Set<string>
}

/** Builds the lookup tables (≈ a few hundred bytes per recording). */
export function buildRecordingIndex(scan: FolderScan): RecordingIndex {
  const idx: RecordingIndex = {
    recordings: scan.recordings,
    rels: null,
    byBase: new Map(),
    byBaseLower: new Map(),
    stems: null,
    unsafeRel: new Set(scan.unsafeLinks.map((l) => nameKey(l.relPath).toLowerCase())),
    unsafeBase: new Set(scan.unsafeLinks.map((l) => nameKey(baseOf(l.relPath)).toLowerCase())),
    unsafeStem: new Set(scan.unsafeLinks.map((l) => nameKey(stemOf(baseOf(l.relPath))).toLowerCase())),
  }
  scan.recordings.forEach((r, i) => {
    const base = nameKey(baseOf(r.relPath))
    add(idx.byBase, base, i)
    add(idx.byBaseLower, base.toLowerCase(), i)
  })
  return idx
}

function rels(idx: RecordingIndex): NonNullable<RecordingIndex['rels']> {
  if (idx.rels) return idx.rels
  const built = { byRel: new Map<string, Slot>(), byRelLower: new Map<string, Slot>() }
  idx.recordings.forEach((r, i) => {
    const rel = nameKey(r.relPath)
    add(built.byRel, rel, i)
    add(built.byRelLower, rel.toLowerCase(), i)
  })
  idx.rels = built
  return built
}

function stems(idx: RecordingIndex): NonNullable<RecordingIndex['stems']> {
  if (idx.stems) return idx.stems
  const built = { byStem: new Map<string, Slot>(), byStemLower: new Map<string, Slot>() }
  idx.recordings.forEach((r, i) => {
    const stem = nameKey(stemOf(baseOf(r.relPath)))
    add(built.byStem, stem, i)
    add(built.byStemLower, stem.toLowerCase(), i)
  })
  idx.stems = built
  return built
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
  const bases = new Set(list.map((i) => nameKey(baseOf(recs[i]!.relPath)).toLowerCase()))
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
  const relPath = nameKey(safe.relPath)
  const baseName = nameKey(safe.baseName)
  const recs = idx.recordings
  const hasDir = relPath.includes('/')
  if (hasDir) {
    // "calls/2024/x.wav" when the folder dropped was "calls": try the path, then its tails.
    const { byRel, byRelLower } = rels(idx)
    let rel = relPath
    for (;;) {
      const hit = pick(asList(byRel.get(rel)), false, recs) ?? pick(asList(byRelLower.get(rel.toLowerCase())), true, recs)
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
    const { byStem, byStemLower } = stems(idx)
    const stemHit = pick(asList(byStem.get(baseName)), false, recs) ?? pick(asList(byStemLower.get(baseName.toLowerCase())), true, recs)
    if (stemHit) return stemHit
  }
  return { kind: 'missing', detail: 'is not in the folder' }
}

/** With no audio column: the recording named after the contact reference (any extension). */
export function matchByReference(idx: RecordingIndex, reference: string): RecordingMatch {
  const ref = nameKey(reference.trim())
  const recs = idx.recordings
  const { byStem, byStemLower } = stems(idx)
  const hit = pick(asList(byStem.get(ref)), false, recs) ?? pick(asList(byStemLower.get(ref.toLowerCase())), true, recs)
  if (hit) return hit
  if (idx.unsafeStem.has(ref.toLowerCase())) return { kind: 'unsafe', reason: 'a link to a place outside the folder' }
  return { kind: 'missing', detail: 'is not in the folder (no recording is named after this contact reference)' }
}

/** The name a recording gets in the server's root: its real file name, without folders. */
export function remoteNameOf(rec: ScannedRecording): string {
  return baseOf(rec.relPath)
}
