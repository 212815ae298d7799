/**
 * Sets the modification time of every file under a folder, as an export copied some time ago
 * leaves it: how tests make a folder "settled" (or just written) without waiting.
 */
import { readdir, utimes } from 'node:fs/promises'
import path from 'node:path'

/** Every file under `dir` gets the time `secondsAgo` seconds before now. */
export async function setFileTimes(dir: string, secondsAgo: number): Promise<void> {
  const when = new Date(Date.now() - secondsAgo * 1000)
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) await setFileTimes(full, secondsAgo)
    else if (entry.isFile()) await utimes(full, when, when)
  }
}
