/**
 * Server-side folder browsing for the web host, where a browser cannot give real paths of
 * dropped files: the user walks the host machine's folders instead.
 */
import os from 'node:os'
import path from 'node:path'
import { readdir, stat } from 'node:fs/promises'
import type { DirectoryListing } from '../src/api'
import { AppError } from '../src/errors'

/** Most entries returned for one folder; a bigger folder is cut (dropping it still scans all). */
export const MAX_ENTRIES = 5000

export async function browse(target: string | null): Promise<DirectoryListing> {
  const dir = path.resolve(target ?? os.homedir())
  const info = await stat(dir)
  if (!info.isDirectory()) throw new AppError('BAD_ARGUMENT', `Expected \`path\` to be a folder, got \`${dir}\``)
  const dirents = await readdir(dir, { withFileTypes: true })
  const entries: DirectoryListing['entries'] = []
  for (const d of dirents) {
    if (d.name.startsWith('.')) continue // hidden and system entries, as the scan skips them
    const full = path.join(dir, d.name)
    let kind: 'dir' | 'file'
    let size = 0
    if (d.isDirectory()) kind = 'dir'
    else if (d.isFile()) {
      kind = 'file'
    } else if (d.isSymbolicLink()) {
      // Show where a link leads; broken links are left out.
      const target = await stat(full).catch(() => null)
      if (!target || !(target.isDirectory() || target.isFile())) continue
      kind = target.isDirectory() ? 'dir' : 'file'
      size = target.isFile() ? target.size : 0
    } else continue
    if (kind === 'file' && size === 0) size = (await stat(full).catch(() => null))?.size ?? 0
    entries.push({ name: d.name, path: full, kind, size })
    if (entries.length >= MAX_ENTRIES) break
  }
  entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' }) : a.kind === 'dir' ? -1 : 1))
  const parent = path.dirname(dir)
  return { path: dir, parent: parent === dir ? null : parent, entries }
}
