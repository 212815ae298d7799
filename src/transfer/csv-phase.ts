import path from 'node:path'
import { stat } from 'node:fs/promises'
import type { UploadEvent } from '../api'
import { AppError, toAppError, toLocalWriteError } from '../errors'
import type { ChannelPool } from '../ssh/channel-pool'
import { writeFile } from './file-writer'
import type { Journal } from './journal'
import type { PauseGate } from './pause-gate'
import { remove, rename, statSize } from './sftp-ops'
import { failureKind } from './sftp-errors'
import { sleep } from '../abortable-sleep'
import type { SentFile, UploadPlan } from './upload-engine'

export interface CsvOutcome {
  name: string
  rows: number
}

export interface CsvPhaseOptions {
  plan: UploadPlan
  journal: Journal
  pool: ChannelPool
  remotePath: (name: string) => string
  workDir: string
  /** Recordings not on the server: their rows are left out of the CSV. */
  omit: Set<string>
  /** Recordings on the server, for the delivery record. */
  files: Map<string, SentFile>
  bytesSent: () => number
  signal: AbortSignal
  gate: PauseGate
  emit: (event: UploadEvent) => void
  retryDelaysMs: number[]
}

/** The temporary name the CSV is written under; not `.csv`, so the platform never reads it. */
export function temporaryCsvName(csvName: string): string {
  return `${csvName}.part`
}

/**
 * Uploads this run's CSV, last and once (DESIGN.md, "Order and atomicity"): written under a
 * temporary name and renamed, so the platform never sees half a CSV; where the server refuses
 * rename, written directly (S3-like servers show a file only once it is closed). The delivery
 * is recorded (ledger, then journal) as soon as the CSV is confirmed; a run that dies between
 * the rename and that record is recovered by the next run from the journal's `csv-started`
 * and the server (see delivery-recovery.ts). No temporary file is left behind.
 * The whole of it runs under the destination's commit point (DESIGN.md, "Exactly once in
 * company"). Returns null when no row is left to write (every recording failed, or every row
 * was delivered meanwhile by another run).
 */
export async function uploadCsvLast(opts: CsvPhaseOptions): Promise<CsvOutcome | null> {
  const release = opts.plan.enterCommitPoint ? await opts.plan.enterCommitPoint(opts.signal) : () => undefined
  try {
    return await commitCsv(opts)
  } finally {
    release()
  }
}

/**
 * Writes, sends and records the CSV: under the commit point when the plan has one, so the
 * rows `writeCsv` keeps (checked again against the ledger there) are recorded before another
 * run to this destination can check its own.
 */
async function commitCsv(opts: CsvPhaseOptions): Promise<CsvOutcome | null> {
  const { plan, journal } = opts
  const name = plan.csvName
  const localCsv = path.join(opts.workDir, name)
  const { rows, conversations } = await plan.writeCsv(localCsv, opts.omit).catch((err: unknown) => {
    throw toLocalWriteError(err, `the CSV to upload (${localCsv})`)
  })
  if (rows === 0) return null
  const { size, mtimeMs } = await stat(localCsv)
  const tmpName = temporaryCsvName(name)

  for (let attempt = 0; ; attempt++) {
    try {
      const sftp = await opts.pool.acquire(0)
      // A retry after a lost connection: the rename (atomic) or direct write may have completed.
      const arrived = attempt > 0 && (await statSize(sftp, opts.remotePath(name))) === size
      if (!arrived) {
        journal.csvStarted(name, tmpName)
        opts.emit({ kind: 'file-started', batchId: plan.batchId, file: name, size })
        await sendCsv(opts, sftp, localCsv, size, mtimeMs, tmpName)
      }
      break
    } catch (caught) {
      const err = toAppError(caught)
      if (opts.signal.aborted || failureKind(err) !== 'reconnect' || attempt >= opts.retryDelaysMs.length) {
        await removeTemporary(opts, tmpName)
        opts.emit({ kind: 'file-failed', batchId: plan.batchId, file: name, error: err.toPayload() })
        throw err instanceof AppError ? err : new AppError('WRITE_FAILED', String(caught))
      }
      opts.pool.invalidate(0)
      const delayMs = opts.retryDelaysMs[attempt]!
      opts.emit({ kind: 'file-retrying', batchId: plan.batchId, file: name, attempt: attempt + 1, delayMs, error: err.toPayload() })
      await sleep(delayMs, opts.signal)
    }
  }
  await plan.recordDelivery({ name, rows, conversations, files: opts.files, bytes: opts.bytesSent() })
  journal.csvDone(name, rows)
  opts.emit({ kind: 'file-done', batchId: plan.batchId, file: name, skipped: false })
  return { name, rows }
}

async function sendCsv(opts: CsvPhaseOptions, sftp: Awaited<ReturnType<ChannelPool['acquire']>>, localCsv: string, size: number, mtimeMs: number, tmpName: string): Promise<void> {
  const send = (remote: string) => writeFile({ sftp, localPath: localCsv, remotePath: remote, size, mtimeMs, signal: opts.signal, gate: opts.gate })
  await send(opts.remotePath(tmpName))
  try {
    await rename(sftp, opts.remotePath(tmpName), opts.remotePath(opts.plan.csvName))
  } catch (err) {
    const code = toAppError(err).code
    if (code !== 'WRITE_FAILED' && code !== 'PERMISSION_DENIED') throw err
    // No rename on this server: write the final name directly.
    await remove(sftp, opts.remotePath(tmpName)).catch(() => undefined)
    await send(opts.remotePath(opts.plan.csvName))
  }
}

/** Best effort: a `.part` CSV must not stay on the server (the next run also sweeps them). */
async function removeTemporary(opts: CsvPhaseOptions, tmpName: string): Promise<void> {
  try {
    await remove(await opts.pool.acquire(0), opts.remotePath(tmpName))
  } catch {
    // no connection: the next run removes it
  }
}
