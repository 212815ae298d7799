/**
 * What `watch` sees under its root: each folder (the root included) that holds one CSV at its
 * top is a batch; folders below a batch belong to it. A folder's signature (every file's path,
 * size and mtime) says whether it changed since it was last looked at.
 */
import { createHash } from 'node:crypto'
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'

export interface FoundBatch {
  folder: string
  /** The CSV's path, or null with `problem` when the folder holds several. */
  csvPath: string | null
  problem: string | null
  signature: string
  /** The newest modification time of any file in the folder. */
  newestMtimeMs: number
}

/** `*.csv`, `export-??.csv`: `*` and `?` within one name, case-insensitive. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')
  return new RegExp(`^${body}$`, 'i')
}

/** Finds the batches under `root`, at most `maxDepth` folders down. */
export async function findBatches(root: string, csvGlob = '*.csv', maxDepth = 3): Promise<FoundBatch[]> {
  const pattern = globToRegExp(csvGlob)
  const found: FoundBatch[] = []
  const visit = async (folder: string, depth: number): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => [])
    const csvs = entries.filter((e) => e.isFile() && pattern.test(e.name)).map((e) => e.name).sort()
    if (csvs.length > 0) {
      const { signature, newestMtimeMs } = await signatureOf(folder)
      const several = csvs.length > 1 ? `There are several CSVs in ${folder} (${csvs.join(', ')}): name the one to send with --csv-name GLOB.` : null
      found.push({ folder, csvPath: several ? null : path.join(folder, csvs[0]!), problem: several, signature, newestMtimeMs })
      return
    }
    if (depth >= maxDepth) return
    const dirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort()
    for (const d of dirs) await visit(path.join(folder, d), depth + 1)
  }
  await visit(root, 0)
  return found
}

/** Every file's relative path, size and mtime, hashed; and the newest mtime. */
export async function signatureOf(folder: string): Promise<{ signature: string; newestMtimeMs: number }> {
  const hash = createHash('sha256')
  let newest = 0
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true }).catch(() => [])).sort((a, b) => a.name.localeCompare(b.name))
    for (const e of entries) {
      const full = path.join(dir, e.name)
      if (e.isDirectory()) await walk(full)
      else if (e.isFile()) {
        const st = await stat(full).catch(() => null)
        if (!st) continue
        newest = Math.max(newest, st.mtimeMs)
        hash.update(`${path.relative(folder, full)}\0${st.size}\0${st.mtimeMs}\n`)
      }
    }
  }
  await walk(folder)
  return { signature: hash.digest('hex'), newestMtimeMs: newest }
}
