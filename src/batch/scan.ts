/**
 * Scans dropped folders and files for CSVs and recordings (by extension, case-insensitive),
 * recursively. Hidden and system files are skipped; a symlink is followed only when its target
 * stays inside the dropped folder (DESIGN.md, Paths), and one that leaves is remembered so a
 * row naming it gets UNSAFE_FILENAME rather than "missing".
 */
import path from 'node:path'
import { lstat, readdir, realpath, stat } from 'node:fs/promises'
import type { Dirent } from 'node:fs'
import { RECORDING_EXTENSIONS, type RecordingExtension, type ScanSummary, type ScannedFile } from '../api'
import { AppError, toAppError } from '../errors'
import { isInside } from './safe-path'
import { mapLimit } from './concurrency'
import { startFileWorker, type FileWorker } from './sniff-worker'

/** A recording found by a scan, with the dropped root it was found under. */
export interface ScannedRecording extends ScannedFile {
  root: string
  ext: RecordingExtension
}

/** A CSV found by a scan, with its root. */
export interface ScannedCsv extends ScannedFile {
  root: string
}

/** A symlink whose target leaves its dropped folder: never followed, never uploaded. */
export interface UnsafeLink {
  root: string
  relPath: string
}

/** The full result of a scan: what validation and the manifest are built from. */
export interface FolderScan {
  /** Absolute dropped folders; a dropped file contributes its parent folder. */
  roots: string[]
  csvFiles: ScannedCsv[]
  recordings: ScannedRecording[]
  /** Hidden/system files and symlinks leaving the folder that were left out. */
  skipped: number
  unsafeLinks: UnsafeLink[]
}

const SYSTEM_NAMES = new Set(['thumbs.db', 'desktop.ini', 'ehthumbs.db', '$recycle.bin', 'system volume information', '__macosx', 'icon\r'])
const RECORDING_SET = new Set<string>(RECORDING_EXTENSIONS)
/**
 * Stats queued at once per folder: deep enough that libuv's pool stays busy while the main
 * thread parses the CSV between callbacks, bounded so 100,000 files do not mean 100,000
 * pending requests.
 */
const STAT_CONCURRENCY = 256
/** Sub-folders listed at once. */
const DIR_CONCURRENCY = 4

/** True for names a user does not mean to upload (dot files, OS metadata, Office lock files). */
export function isHiddenOrSystem(name: string): boolean {
  return name.startsWith('.') || name.startsWith('~$') || SYSTEM_NAMES.has(name.toLowerCase())
}

/** The kind of file a name is, by its extension. */
export function classifyName(name: string): { kind: 'csv' } | { kind: 'recording'; ext: RecordingExtension } | { kind: 'other' } {
  const dot = name.lastIndexOf('.')
  if (dot <= 0) return { kind: 'other' }
  const ext = name.slice(dot + 1).toLowerCase()
  if (ext === 'csv') return { kind: 'csv' }
  if (RECORDING_SET.has(ext)) return { kind: 'recording', ext: ext as RecordingExtension }
  return { kind: 'other' }
}

interface Walk {
  scan: FolderScan
  signal: AbortSignal | undefined
  /** Real paths of folders already listed: stops link loops and double listing. */
  visited: Set<string>
  /** Linked folders inside the root, walked last so files keep their real paths. */
  linkedDirs: Array<{ abs: string; rel: string }>
  /** Started on the first big folder; undefined until then, null when threads are unavailable. */
  worker?: FileWorker | null
}

type Found = { csv: ScannedCsv } | { recording: ScannedRecording } | null

/**
 * A copy of `s` as one flat string. Paths built by path.join or concatenation are trees of
 * small pieces in V8 (about 400 bytes for a 70-character path); kept for 100,000 files that
 * was most of a scan's memory.
 */
const flat = (s: string): string => Buffer.from(s, 'utf8').toString('utf8')

async function statFile(root: string, abs: string, rel: string, name: string): Promise<Found> {
  const kind = classifyName(name)
  if (kind.kind === 'other') return null
  const st = await stat(abs)
  if (kind.kind === 'csv') return { csv: { path: flat(abs), relPath: flat(rel), size: st.size, mtimeMs: st.mtimeMs, root } }
  return { recording: { path: flat(abs), relPath: flat(rel), size: st.size, mtimeMs: st.mtimeMs, root, ext: kind.ext } }
}

/** Folders with more candidate files than this are stat'ed on the worker thread. */
const WORKER_THRESHOLD = 512
const WORKER_BATCH = 4096

/** Stats a folder's candidate files: on the worker for big folders, else with promises. */
async function statFiles(w: Walk, root: string, files: Array<{ abs: string; rel: string; name: string }>): Promise<Found[]> {
  const candidates = files.filter((f) => classifyName(f.name).kind !== 'other')
  if (candidates.length > WORKER_THRESHOLD && w.worker === undefined) w.worker = startFileWorker()
  if (candidates.length <= WORKER_THRESHOLD || !w.worker) {
    return mapLimit(candidates, STAT_CONCURRENCY, (f) => statFile(root, f.abs, f.rel, f.name), w.signal)
  }
  const out: Found[] = []
  for (let at = 0; at < candidates.length; at += WORKER_BATCH) {
    w.signal?.throwIfAborted()
    const batch = candidates.slice(at, at + WORKER_BATCH)
    const st = await w.worker.stat(batch.map((f) => f.abs))
    const failed = new Map(st.errors)
    batch.forEach((f, i) => {
      const code = failed.get(i)
      if (code === 'ENOENT') return // deleted since the folder was listed
      if (code !== undefined) throw Object.assign(new Error(`Cannot read ${f.abs} (${code})`), { code })
      if (st.kind[i] !== 1) return
      const kind = classifyName(f.name)
      const file = { path: flat(f.abs), relPath: flat(f.rel), size: st.size[i]!, mtimeMs: st.mtime[i]!, root }
      out.push(kind.kind === 'csv' ? { csv: file } : kind.kind === 'recording' ? { recording: { ...file, ext: kind.ext } } : null)
    })
  }
  return out
}

/** Adds files in the order given (stats run in parallel, results keep directory order). */
function addFound(w: Walk, found: Found[]): void {
  for (const f of found) {
    if (f === null) continue
    if ('csv' in f) w.scan.csvFiles.push(f.csv)
    else w.scan.recordings.push(f.recording)
  }
}

/**
 * Lists one folder and, in parallel, its sub-folders; returns what it found in a stable order
 * (files by name, then each sub-folder's findings by name).
 */
async function walkDir(w: Walk, root: string, rootReal: string, dir: string, relDir: string): Promise<Found[]> {
  w.signal?.throwIfAborted()
  const real = await realpath(dir)
  if (w.visited.has(real)) return []
  w.visited.add(real)
  let entries: Dirent[]
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (err) {
    // A sub-folder we may not open is left out rather than failing the whole scan.
    if (relDir !== '' && (err as NodeJS.ErrnoException).code === 'EACCES') {
      w.scan.skipped++
      return []
    }
    throw err
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const files: Array<{ abs: string; rel: string; name: string }> = []
  const dirs: Array<{ abs: string; rel: string }> = []
  for (const e of entries) {
    if (isHiddenOrSystem(e.name)) {
      w.scan.skipped++
      continue
    }
    const abs = path.join(dir, e.name)
    const rel = relDir === '' ? e.name : `${relDir}/${e.name}`
    if (e.isSymbolicLink()) {
      let target: string
      try {
        target = await realpath(abs)
      } catch {
        w.scan.skipped++ // dangling link
        continue
      }
      if (!isInside(rootReal, target, path.sep)) {
        w.scan.skipped++
        w.scan.unsafeLinks.push({ root, relPath: rel })
        continue
      }
      const st = await stat(abs)
      if (st.isDirectory()) w.linkedDirs.push({ abs, rel })
      else if (st.isFile()) files.push({ abs, rel, name: e.name })
    } else if (e.isDirectory()) {
      dirs.push({ abs, rel })
    } else if (e.isFile()) {
      files.push({ abs, rel, name: e.name })
    }
  }
  const [own, nested] = await Promise.all([
    statFiles(w, root, files),
    mapLimit(dirs, DIR_CONCURRENCY, (d) => walkDir(w, root, rootReal, d.abs, d.rel), w.signal),
  ])
  return nested.length === 0 ? own : own.concat(...nested)
}

/**
 * Scans dropped folders and/or files. Throws AppError FILE_NOT_FOUND / NOT_READABLE when a
 * dropped path cannot be opened at all.
 */
export async function scanPaths(paths: string[], opts: { signal?: AbortSignal } = {}): Promise<FolderScan> {
  if (paths.length === 0) throw new AppError('BAD_ARGUMENT', 'Drop at least one folder or file.')
  const scan: FolderScan = { roots: [], csvFiles: [], recordings: [], skipped: 0, unsafeLinks: [] }
  const w: Walk = { scan, signal: opts.signal, visited: new Set(), linkedDirs: [] }
  const seenFiles = new Set<string>()
  try {
    for (const p of paths) {
      const abs = path.resolve(p)
      const st = await lstat(abs)
      const target = st.isSymbolicLink() ? await stat(abs) : st
      if (target.isDirectory()) {
        if (!scan.roots.includes(abs)) scan.roots.push(abs)
        const rootReal = await realpath(abs)
        addFound(w, await walkDir(w, abs, rootReal, abs, ''))
        while (w.linkedDirs.length > 0) {
          const d = w.linkedDirs.shift()!
          addFound(w, await walkDir(w, abs, rootReal, d.abs, d.rel))
        }
      } else if (target.isFile()) {
        const root = path.dirname(abs)
        if (!scan.roots.includes(root)) scan.roots.push(root)
        if (seenFiles.has(abs)) continue
        seenFiles.add(abs)
        addFound(w, [await statFile(root, abs, path.basename(abs), path.basename(abs))])
      }
    }
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') throw err
    throw toAppError(err, 'NOT_READABLE')
  } finally {
    await w.worker?.close()
  }
  // A file dropped alongside its folder is found twice: keep the first.
  if (seenFiles.size > 0) {
    const seen = new Set<string>()
    scan.recordings = scan.recordings.filter((r) => !seen.has(r.path) && seen.add(r.path))
    scan.csvFiles = scan.csvFiles.filter((r) => !seen.has(r.path) && seen.add(r.path))
  }
  return scan
}

/** What the UI is told about a scan: CSV candidates in full, recordings as totals. */
export function summarizeScan(scan: FolderScan): ScanSummary {
  const byExtension: Record<string, number> = {}
  let bytes = 0
  for (const r of scan.recordings) {
    byExtension[r.ext] = (byExtension[r.ext] ?? 0) + 1
    bytes += r.size
  }
  return {
    roots: scan.roots,
    csvFiles: scan.csvFiles.map(({ path: p, relPath, size, mtimeMs }) => ({ path: p, relPath, size, mtimeMs })),
    recordingCount: scan.recordings.length,
    recordingBytes: bytes,
    byExtension,
    skipped: scan.skipped,
  }
}
