/**
 * Server-side folder browsing for the web host, where a browser cannot give real paths of
 * dropped folders: the user walks the host machine's folders instead. Listing is the picker's
 * job, so it says only what a picker needs: sub-folder names and how many CSVs and recordings
 * each folder holds (with the folders just below it); it reads no file and names no file (issue 9: what the API may touch).
 */
import os from 'node:os'
import path from 'node:path'
import { readdir, stat } from 'node:fs/promises'
import type { Dirent } from 'node:fs'
import type { DirectoryListing, FolderCounts } from '../src/api'
import { classifyName, isHiddenOrSystem } from '../src/batch/scan'
import { mapLimit } from '../src/batch/concurrency'
import { AppError } from '../src/errors'

/** Most sub-folders returned for one folder; a bigger folder is cut (dropping it still scans all). */
export const MAX_ENTRIES = 5000
/** How deep counting looks: recordings often sit one or two folders below the CSV. */
const COUNT_DEPTH = 2
/** Entries one folder's count may read; past it the count is a lower bound ("10,000+"). */
const COUNT_BUDGET = 20_000
/** Sub-folders counted for one listing; past these the counts are left out to stay quick. */
export const MAX_COUNTED = 300

/** CSVs and recordings in `dir` and up to COUNT_DEPTH levels below, within a budget of entries. */
async function countTree(dir: string): Promise<FolderCounts> {
  const counts: FolderCounts = { csvFiles: 0, recordings: 0, complete: true }
  let budget = COUNT_BUDGET
  const walk = async (at: string, depth: number): Promise<void> => {
    const dirents = await readdir(at, { withFileTypes: true }).catch(() => [])
    for (const d of dirents) {
      if (budget-- <= 0) { counts.complete = false; return }
      if (isHiddenOrSystem(d.name)) continue
      if (d.isDirectory()) {
        if (depth < COUNT_DEPTH) await walk(path.join(at, d.name), depth + 1)
        else counts.complete = false
      } else if (d.isFile()) {
        const kind = classifyName(d.name).kind
        if (kind === 'csv') counts.csvFiles += 1
        else if (kind === 'recording') counts.recordings += 1
      }
    }
  }
  await walk(dir, 0)
  return counts
}

async function isFolder(full: string, d: Dirent): Promise<boolean> {
  if (d.isDirectory()) return true
  // Show folders a link leads to; broken links and links to files are left out.
  return d.isSymbolicLink() && ((await stat(full).catch(() => null))?.isDirectory() ?? false)
}

export async function browse(target: string | null): Promise<DirectoryListing> {
  const dir = path.resolve(target ?? os.homedir())
  const info = await stat(dir)
  if (!info.isDirectory()) throw new AppError('BAD_ARGUMENT', `Expected \`path\` to be a folder, got \`${dir}\``, { message: `${dir} is not a folder. Choose the folder that holds the CSV and the recordings.` })
  const dirents = await readdir(dir, { withFileTypes: true })
  const names: string[] = []
  for (const d of dirents) {
    if (isHiddenOrSystem(d.name)) continue // as the scan skips them
    if (await isFolder(path.join(dir, d.name), d)) names.push(d.name)
    if (names.length >= MAX_ENTRIES) break
  }
  names.sort((a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' }))
  const folders = await mapLimit(names, 8, async (name, i) => {
    const full = path.join(dir, name)
    const counts = i < MAX_COUNTED ? await countTree(full) : null
    return { name, path: full, counts }
  })
  const parent = path.dirname(dir)
  return { path: dir, parent: parent === dir ? null : parent, here: await countTree(dir), folders }
}
