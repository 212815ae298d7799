/**
 * What a user would check after an upload, on the server's own disk: every recording there
 * with its exact size, a CSV beside them, and the bytes themselves (sha256) on a sample.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { recordingName, type DataSet } from './batch-folder'

export interface Landed {
  ok: boolean
  /** "2000 files, sizes match, CSV, 3 sha256 match", or what did not. */
  detail: string
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** First, middle and last recording: enough to catch shifted, truncated or mixed-up bytes. */
const sampleOf = (count: number): number[] => [...new Set([0, Math.floor(count / 2), count - 1])]

/** Checks a finished upload; `localHashes` caches the local side across tools and runs. */
export async function verifyLanded(localDir: string, remoteDir: string, set: DataSet, localHashes: Map<string, string>): Promise<Landed> {
  const names = await readdir(remoteDir).catch(() => [] as string[])
  const wavs = names.filter((n) => n.endsWith('.wav'))
  const problems: string[] = []
  if (wavs.length !== set.count) problems.push(`${wavs.length} of ${set.count} recordings`)
  let wrongSize = 0
  for (const name of wavs) if ((await stat(path.join(remoteDir, name))).size !== set.size) wrongSize++
  if (wrongSize > 0) problems.push(`${wrongSize} of the wrong size`)
  if (!names.some((n) => n.endsWith('.csv'))) problems.push('no CSV')
  let hashed = 0
  for (const i of sampleOf(set.count)) {
    const name = recordingName(i)
    const local = path.join(localDir, name)
    if (!localHashes.has(local)) localHashes.set(local, await sha256(local))
    const remote = await sha256(path.join(remoteDir, name)).catch(() => 'missing')
    if (remote !== localHashes.get(local)) problems.push(`${name}: sha256 differs`)
    else hashed++
  }
  if (problems.length > 0) return { ok: false, detail: problems.join(', ') }
  return { ok: true, detail: `${wavs.length} recordings of ${set.size} bytes + CSV; sha256 of ${hashed} match` }
}
