/**
 * What the API may touch on this computer (DESIGN.md, "The web host"; issue 9). A renderer is
 * untrusted input: with a stolen session it must not read a private key or write a `.bashrc`.
 *
 * - Reads: only the batches the user picked. Scanning a folder or file is the picking; after
 *   it, the CSVs that scan found may be previewed and validated, and a batch may be checked or
 *   sent only from the picked paths. Nothing else is read on a renderer's word.
 * - Opens: the app's reports and logs (never its keys or settings), the data folder itself,
 *   files the user saved through a save dialog, and the picked folders.
 * - Writes never take a path from the renderer at all (see save-for-user.ts).
 *
 * The scope lives as long as the host process: after a restart the user adds the folder again.
 */
import path from 'node:path'
import type { BatchSpec } from '../src/api'
import { AppError } from '../src/errors'

/** What a scan picked: its roots and the CSV files it found. */
export interface PickedBatch {
  roots: readonly string[]
  csvFiles: ReadonlyArray<{ path: string }>
}

const NOT_PICKED = 'The app only reads the folders and files you added in the first step. Add the folder again (the app forgets added folders when it restarts), then choose the CSV from what it found.'
const NOT_OPENABLE = 'The app only opens its own reports and logs, files you saved from it, and folders you added.'

/** Folders of the data folder whose files a user may open: batch reports and logs. */
const OPENABLE_DATA = ['batches', 'logs']

/** True when `child` is `parent` or inside it (both absolute and resolved). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

export class PathScope {
  private readonly roots = new Set<string>()
  private readonly csvFiles = new Set<string>()
  private readonly saved = new Set<string>()

  /** @param home the app's data folder: always openable. */
  constructor(private readonly home: string) {}

  /** Records what the user picked: a scan's roots and the CSVs it found. */
  pick(batch: PickedBatch): void {
    for (const root of batch.roots) this.roots.add(path.resolve(root))
    for (const csv of batch.csvFiles) this.csvFiles.add(path.resolve(csv.path))
  }

  /** Records a file the user chose in a save dialog: it may be opened afterwards. */
  rememberSaved(file: string): void {
    this.saved.add(path.resolve(file))
  }

  /** Refuses a CSV that no scan of a picked batch found. */
  assertCsv(csvPath: string): void {
    if (!this.csvFiles.has(path.resolve(csvPath))) throw new AppError('OUT_OF_SCOPE', `not a CSV of an added batch: ${csvPath}`, { message: NOT_PICKED })
  }

  /** Refuses a batch whose folders or CSV were not picked. */
  assertBatch(spec: Pick<BatchSpec, 'paths' | 'csvPath'>): void {
    for (const p of spec.paths) {
      if (!this.roots.has(path.resolve(p))) throw new AppError('OUT_OF_SCOPE', `not an added folder or file: ${p}`, { message: NOT_PICKED })
    }
    this.assertCsv(spec.csvPath)
  }

  /** Refuses to open anything but the app's data, saved files and picked folders. */
  assertOpenable(target: string): void {
    const full = path.resolve(target)
    const home = path.resolve(this.home)
    if (full === home || this.saved.has(full) || OPENABLE_DATA.some((d) => isInside(path.join(home, d), full))) return
    for (const root of this.roots) if (isInside(root, full)) return
    throw new AppError('OUT_OF_SCOPE', `not a file of the app or of an added batch: ${target}`, { message: NOT_OPENABLE })
  }
}
