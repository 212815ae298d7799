/**
 * Plain folders of same-sized random files (no CSV), for the engine-only measurements of the
 * hashing section and the interruption test; and the engine as it was before it hashed what
 * it sends, checked out beside this one.
 */
import { execFileSync } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, open, readdir, rm, symlink } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const MiB = 2 ** 20

export interface DataSet {
  name: string
  count: number
  size: number
  /** Unused by the sections today; kept so older set lists still type-check. */
  longLink?: boolean
}

export async function makeSet(root: string, set: DataSet): Promise<string> {
  const dir = path.join(root, `${set.count}x${set.size}`)
  if (existsSync(dir) && (await readdir(dir)).length === set.count) return warm(dir)
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  const block = Buffer.alloc(Math.min(set.size, 8 * MiB))
  for (let i = 0; i < set.count; i++) {
    const file = path.join(dir, `rec-${String(i).padStart(5, '0')}.wav`)
    const fh = await open(file, 'w')
    for (let written = 0; written < set.size; written += block.length) {
      randomFillSync(block)
      await fh.write(block, 0, Math.min(block.length, set.size - written))
    }
    await fh.close()
  }
  return dir
}

/**
 * Reads every file of a folder once, so the first tool measured does not pay for disk reads
 * the others get from the page cache (seen: the first tool of a set up to 1.7x slower).
 */
export async function warm(dir: string): Promise<string> {
  const block = Buffer.allocUnsafe(8 * MiB)
  for (const name of await readdir(dir)) {
    const fh = await open(path.join(dir, name), 'r')
    try {
      while ((await fh.read(block, 0, block.length, null)).bytesRead > 0) {
        // the bytes are not needed: reading them puts them in the page cache
      }
    } finally {
      await fh.close()
    }
  }
  return dir
}

/**
 * The engine as it was before it hashed recordings while sending them (issue 8: sha256 of
 * every byte read, no second read), measured beside today's as whole processes.
 */
export const BEFORE_HASHING = '1fc5735'
export const repoRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** A checkout of BEFORE_HASHING sharing this one's node_modules, or null without git history. */
export async function treeBeforeHashing(work: string): Promise<string | null> {
  const dir = path.join(work, `engine-${BEFORE_HASHING}`)
  try {
    execFileSync('git', ['-C', repoRoot, 'worktree', 'remove', '--force', dir], { stdio: 'ignore' })
  } catch {
    // none left from an earlier run
  }
  try {
    await rm(dir, { recursive: true, force: true })
    execFileSync('git', ['-C', repoRoot, 'worktree', 'add', '--detach', dir, BEFORE_HASHING], { stdio: 'ignore' })
    await symlink(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'))
    return dir
  } catch {
    return null
  }
}
