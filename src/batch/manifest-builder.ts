/**
 * The checks that need every row first (name collisions in the server's root, orphans,
 * sniffed formats), then the manifest: unique recordings in first-use order and the per-row
 * table that says which recording each eligible row uses.
 */
import type { IssueList } from './issue-list'
import type { ManifestRecording } from './manifest'
import { nameKey, remoteNameOf } from './match-recordings'
import type { FolderScan } from './scan'

/** Per-row and per-recording results of matching, as the manifest builder needs them. */
export interface RowTable {
  conversations: number
  /** Per row: index of its recording in the scan, or -1 when excluded (rewritten in place). */
  rowScanRec: Int32Array
  /** Per scanned recording: 1 when any row names it. */
  referenced: Uint8Array
}

/** The manifest's computed parts, plus counts for the report. */
export interface BuiltManifest {
  eligible: number
  orphans: number
  rowRecording: Int32Array
  recordings: ManifestRecording[]
}

/** Runs the whole-batch checks, adding their issues, and builds the upload list. */
export function buildManifest(args: { scan: FolderScan; pass: RowTable; issues: IssueList; sniffMismatch: Map<number, string>; rowsChecked: boolean }): BuiltManifest {
  const { scan, pass, issues } = args
  const recs = scan.recordings
  const n = pass.conversations
  const rows = pass.rowScanRec.slice(0, n)

  // Two different files used by eligible rows must not land on one name in the server's root
  // (compared ignoring case: many servers and the platform treat names case-insensitively;
  // and in NFC, since two spellings of one accented name look the same to the platform's users).
  const used = new Uint8Array(recs.length)
  for (let i = 0; i < n; i++) if (rows[i]! >= 0) used[rows[i]!] = 1
  const byName = new Map<string, number[]>()
  for (let s = 0; s < recs.length; s++) {
    if (used[s] === 0) continue
    const key = nameKey(remoteNameOf(recs[s]!)).toLowerCase()
    const list = byName.get(key)
    if (list) list.push(s)
    else byName.set(key, [s])
  }
  const colliding = new Map<number, number[]>()
  for (const list of byName.values()) if (list.length > 1) for (const s of list) colliding.set(s, list)
  if (colliding.size > 0) {
    for (let i = 0; i < n; i++) {
      const s = rows[i]!
      const group = s >= 0 ? colliding.get(s) : undefined
      if (!group) continue
      issues.add('NAME_COLLISION', { row: i + 1, file: recs[s]!.relPath, others: group.filter((g) => g !== s).map((g) => recs[g]!.relPath) })
      rows[i] = -1
    }
  }

  for (const [s, why] of [...args.sniffMismatch].sort((a, b) => a[0] - b[0])) issues.add('UNRECOGNISED_AUDIO', { file: recs[s]!.relPath, detail: why })

  let orphans = 0
  // When the mapping did not fit, no row was read: every file would look like an orphan.
  for (let s = 0; s < recs.length && args.rowsChecked; s++) {
    if (pass.referenced[s] === 1) continue
    orphans++
    issues.add('ORPHAN_RECORDING', { file: recs[s]!.relPath })
  }

  const toManifest = new Int32Array(recs.length).fill(-1)
  const recordings: ManifestRecording[] = []
  let eligible = 0
  for (let i = 0; i < n; i++) {
    const s = rows[i]!
    if (s < 0) continue
    eligible++
    let m = toManifest[s]!
    if (m < 0) {
      const rec = recs[s]!
      m = recordings.length
      toManifest[s] = m
      recordings.push({ localPath: rec.path, relPath: rec.relPath, remoteName: remoteNameOf(rec), size: rec.size, mtimeMs: rec.mtimeMs, rows: [] })
    }
    recordings[m]!.rows.push(i + 1)
    rows[i] = m
  }
  return { eligible, orphans, rowRecording: rows, recordings }
}
