/**
 * What the API may touch on this computer (DESIGN.md, "The web host"; issues 9 and 23). A
 * renderer is untrusted input: with a stolen session it must not read a private key or write
 * a `.bashrc`. One rule for every call that reads or opens a path, whichever transport (the
 * web host's WebSocket or Electron's IPC) brought it:
 *
 * - A picked file admits that file only: picking `/container_info.json` does not make `/` (or
 *   the CSV's folder) readable, so a 0600 `secret.csv` beside a picked CSV stays unread.
 * - A picked folder admits what is inside it after resolving links (`realpath` inside the
 *   folder's own real path, as `scan` does): `batch1/key.txt → ~/.ssh/id_ed25519` is outside.
 * - The app's data folder as before: the folder itself, and its reports and logs (never its
 *   keys or settings); and files the user saved through a save dialog.
 *
 * Scanning is the picking. After it, the CSVs that scan found may be previewed and validated,
 * and a batch may be checked or sent only from the picked paths. Writes never take a path from
 * the renderer at all (see save-for-user.ts). The scope lives as long as the host process:
 * after a restart the user adds the folder again.
 */
import path from 'node:path'
import { realpathSync, statSync } from 'node:fs'
import type { BatchSpec } from '../src/api'
import { AppError } from '../src/errors'

/** What a scan picked: its roots and the CSV files it found. */
export interface PickedBatch {
  /** The paths the user picked (files and folders), as the batch spec names them. */
  picked: readonly string[]
  csvFiles: ReadonlyArray<{ path: string }>
}

const NOT_PICKED = 'The app only reads the folders and files you added in the first step. Add the folder again (the app forgets added folders when it restarts), then choose the CSV from what it found.'
const NOT_OPENABLE = 'The app only opens its own reports and logs, files you saved from it, and folders and files you added.'

/** Folders of the data folder whose files a user may open: batch reports and logs. */
const OPENABLE_DATA = ['batches', 'logs']

/** True when `child` is `parent` or inside it (both absolute and resolved). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

/** The real path (links resolved), or null when it does not exist or cannot be read. */
function real(p: string): string | null {
  try {
    return realpathSync.native(p)
  } catch {
    return null
  }
}

/** A path that may not exist yet: its folder's real path and its name; null when the folder is gone too. */
function realOrParent(p: string): string | null {
  return real(p) ?? (real(path.dirname(p)) === null ? null : path.join(real(path.dirname(p))!, path.basename(p)))
}

/** What a stat says a path is, without throwing. */
function kindOf(p: string): 'file' | 'folder' | null {
  try {
    const st = statSync(p)
    return st.isDirectory() ? 'folder' : st.isFile() ? 'file' : null
  } catch {
    return null
  }
}

export class PathScope {
  /** Picked folders: as given (what a batch spec names) → their real path. */
  private readonly folders = new Map<string, string>()
  /** Picked files: as given → their real path. */
  private readonly files = new Map<string, string>()
  private readonly csvFiles = new Set<string>()
  private readonly saved = new Set<string>()

  /** @param home the app's data folder: always openable. */
  constructor(private readonly home: string) {}

  /** Records what the user picked: the picked files and folders, and the CSVs the scan found. */
  pick(batch: PickedBatch): void {
    for (const p of batch.picked.map((x) => path.resolve(x))) {
      const kind = kindOf(p)
      const r = real(p)
      if (kind === null || r === null) continue
      ;(kind === 'file' ? this.files : this.folders).set(p, r)
    }
    for (const csv of batch.csvFiles) this.csvFiles.add(path.resolve(csv.path))
  }

  /** Records a file the user chose in a save dialog: it may be opened afterwards. */
  rememberSaved(file: string): void {
    this.saved.add(path.resolve(file))
  }

  /** True when `target`, links resolved, is a picked file or inside a picked folder. */
  private admits(target: string): boolean {
    const r = realOrParent(path.resolve(target))
    if (r === null) return false
    for (const file of this.files.values()) if (r === file) return true
    for (const folder of this.folders.values()) if (isInside(folder, r)) return true
    return false
  }

  /** Refuses a CSV that no scan of a picked batch found, or that now leads outside what was picked. */
  assertCsv(csvPath: string): void {
    if (!this.csvFiles.has(path.resolve(csvPath)) || !this.admits(csvPath)) {
      throw new AppError('OUT_OF_SCOPE', `not a CSV of an added batch: ${csvPath}`, { message: NOT_PICKED })
    }
  }

  /** Refuses a batch whose folders, files or CSV were not picked. */
  assertBatch(spec: Pick<BatchSpec, 'paths' | 'csvPath'>): void {
    for (const p of spec.paths) {
      const full = path.resolve(p)
      if (!this.folders.has(full) && !this.files.has(full)) throw new AppError('OUT_OF_SCOPE', `not an added folder or file: ${p}`, { message: NOT_PICKED })
    }
    this.assertCsv(spec.csvPath)
  }

  /** Refuses to open anything but the app's reports and logs, saved files, and what the user picked. */
  assertOpenable(target: string): void {
    const full = path.resolve(target)
    const home = path.resolve(this.home)
    if (full === home || this.saved.has(full)) return
    if (OPENABLE_DATA.some((d) => isInside(path.join(home, d), full))) {
      // The app's own folders hold no links, but one planted there must not lead out either.
      const r = realOrParent(full)
      const homeReal = real(home) ?? home
      if (r !== null && OPENABLE_DATA.some((d) => isInside(path.join(homeReal, d), r))) return
    } else if (this.admits(full)) {
      return
    }
    throw new AppError('OUT_OF_SCOPE', `not a file of the app or of an added batch: ${target}`, { message: NOT_OPENABLE })
  }
}
