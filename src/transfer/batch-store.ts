import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import type { BatchSpec, InterruptedBatch } from '../api'
import { appDir } from '../app-home'
import { AppError } from '../errors'
import { tryLock } from '../file-lock'
import { JOURNAL_FILE, readJournal } from './journal'

/** Where a batch goes: enough to reconnect and to tell the user. */
export interface DestinationRecord {
  id: string | null
  name: string
  host: string
  port: number
  username: string
  remoteDir: string
}

/** batch.json: what a batch is, written once when it starts (journal.jsonl says how far). */
export interface BatchMeta {
  version: 1
  batchId: string
  createdAt: string
  spec: BatchSpec
  destination: DestinationRecord
  csvName: string
  filesTotal: number
  bytesTotal: number
}

const META_FILE = 'batch.json'

/** The folder holding one folder per batch: `--state-dir`, else `<app home>/batches`. */
export async function batchesDir(stateDir?: string): Promise<string> {
  if (stateDir) {
    await mkdir(stateDir, { recursive: true, mode: 0o700 })
    return path.resolve(stateDir)
  }
  return appDir('batches')
}

/**
 * A batch's identity: the CSV's content (sha256), the mapping and the destination. Running
 * the same upload again gives the same id, so it resumes; so does the same export run from
 * another folder, state folder or computer, which is what lets the server's listing reveal an
 * earlier CSV of it (its name carries the id). Recordings are deliberately not part of it: a
 * recording edited between runs must not turn the batch into a new one; it is re-sent instead.
 */
export async function batchIdentity(spec: BatchSpec, destination: DestinationRecord): Promise<string> {
  const mapping = Object.fromEntries(Object.entries(spec.mapping).sort(([a], [b]) => a.localeCompare(b)))
  const identity = {
    csv: await fileSha256(spec.csvPath),
    mapping,
    destination: { host: destination.host.toLowerCase(), port: destination.port, username: destination.username, remoteDir: destination.remoteDir },
  }
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16)
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

export function batchDir(root: string, batchId: string): string {
  if (!/^[0-9a-f]{16}$/.test(batchId)) throw new AppError('BAD_ARGUMENT', `Not a batch id: ${batchId}`)
  return path.join(root, batchId)
}

export async function readMeta(dir: string): Promise<BatchMeta | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, META_FILE), 'utf8')) as BatchMeta
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

/** Writes batch.json atomically (temporary file, fsync, rename): never a torn meta file. */
export async function writeMeta(dir: string, meta: BatchMeta): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const tmp = path.join(dir, `${META_FILE}.tmp`)
  const fh = await open(tmp, 'w', 0o600)
  try {
    await fh.writeFile(JSON.stringify(meta, null, 2))
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, path.join(dir, META_FILE))
}

/** Batches that started and did not finish, newest first: what the app offers to resume. */
export async function listInterrupted(stateDir?: string): Promise<InterruptedBatch[]> {
  const root = await batchesDir(stateDir)
  const found: InterruptedBatch[] = []
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const dir = path.join(root, entry.name)
    const meta = await readMeta(dir).catch(() => null)
    if (!meta) continue
    const journal = await readJournal(path.join(dir, JOURNAL_FILE))
    if (journal.finished) continue
    const journalStat = await stat(path.join(dir, JOURNAL_FILE)).catch(() => null)
    let bytesDone = 0
    for (const done of journal.done.values()) bytesDone += done.size
    found.push({
      batchId: meta.batchId,
      csvPath: meta.spec.csvPath,
      destinationName: meta.destination.name,
      startedAt: meta.createdAt,
      updatedAt: (journalStat?.mtime ?? new Date(meta.createdAt)).toISOString(),
      filesDone: journal.done.size,
      filesTotal: meta.filesTotal,
      bytesDone,
      bytesTotal: meta.bytesTotal,
    })
  }
  return found.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
}

/** Forgets a batch: its journal, generated CSV and report. Nothing on the server changes. */
export async function discardBatch(batchId: string, stateDir?: string): Promise<void> {
  await rm(batchDir(await batchesDir(stateDir), batchId), { recursive: true, force: true })
}

/**
 * Deletes local batch folders (journals, generated CSVs, reports) untouched for longer than
 * the retention period. Recordings are never copied, so there is nothing else to purge.
 */
export async function purgeOldBatches(retentionDays: number, stateDir?: string, now = Date.now()): Promise<string[]> {
  const root = await batchesDir(stateDir)
  const cutoff = now - retentionDays * 24 * 3600 * 1000
  const purged: string[] = []
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !/^[0-9a-f]{16}$/.test(entry.name)) continue
    const dir = path.join(root, entry.name)
    const newest = await stat(path.join(dir, JOURNAL_FILE)).catch(() => stat(dir))
    if (newest.mtimeMs < cutoff) {
      await rm(dir, { recursive: true, force: true })
      purged.push(entry.name)
    }
  }
  return purged
}

/** The batch folder's lock file (file-lock.ts): held while a process uploads the batch. */
export const BATCH_LOCK_FILE = 'upload.lock'

/**
 * Makes sure one process at a time uploads a batch: two overlapping scheduled runs would
 * otherwise both send it. The lock is released by the operating system when its process
 * dies (killed, power cut), so a stale lock never blocks, whatever process now has its PID.
 */
export async function lockBatch(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  // The PID file earlier versions left; harmless now, removed so no one reads it as a lock.
  await rm(path.join(dir, 'lock'), { force: true })
  const got = tryLock(path.join(dir, BATCH_LOCK_FILE))
  if (!got.lock) {
    const who = got.holder ? `Process ${got.holder.pid} has been uploading this batch since ${got.holder.since.slice(11, 19)} UTC.` : 'Another process is uploading this batch now.'
    throw new AppError('BATCH_RUNNING', `${who} Wait for it to finish, or stop it, then run again.`)
  }
  const lock = got.lock
  return () => Promise.resolve(lock.release())
}
