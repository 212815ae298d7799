import path from 'node:path'
import { stat } from 'node:fs/promises'
import type { UploadEvent } from '../api'
import { AppError, toAppError } from '../errors'
import type { ChannelPool } from './channel-pool'
import { writeFile } from './file-writer'
import type { Journal } from './journal'
import type { PauseGate } from './pause-gate'
import { remove, rename, statSize } from './sftp-ops'
import { failureKind } from './sftp-errors'
import type { UploadPlan } from './upload-engine'

export interface CsvOutcome {
  name: string
  rows: number
  /** False when the journal showed it was already on the server. */
  uploadedNow: boolean
}

export interface CsvPhaseOptions {
  plan: UploadPlan
  journal: Journal
  pool: ChannelPool
  remotePath: (name: string) => string
  workDir: string
  omit: Set<string>
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
 * Uploads the batch's CSV, last and exactly once (DESIGN.md, "Order and atomicity"): written
 * under a temporary name and renamed, so the platform never sees half a CSV; where the server
 * refuses rename, written directly (S3-like servers show a file only once it is closed).
 * A run that died after the rename but before the journal said so finds the final name on
 * the server and does not send it again.
 */
export async function uploadCsvLast(opts: CsvPhaseOptions): Promise<CsvOutcome> {
  const { plan, journal } = opts
  const name = plan.csvName
  if (journal.state.csvDone) return { name, rows: journal.state.csvDone.rows, uploadedNow: false }

  const localCsv = path.join(opts.workDir, name)
  const { rows } = await plan.writeCsv(localCsv, opts.omit)
  const { size, mtimeMs } = await stat(localCsv)
  const tmpName = temporaryCsvName(name)

  for (let attempt = 0; ; attempt++) {
    try {
      const sftp = await opts.pool.acquire(0)
      if (journal.state.csvStarted && (await statSize(sftp, opts.remotePath(name))) !== null) {
        // The rename (atomic) or direct write completed in an earlier run.
        await remove(sftp, opts.remotePath(tmpName)).catch(() => undefined)
        journal.csvDone(name, rows)
        return { name, rows, uploadedNow: false }
      }
      journal.csvStarted(name, tmpName)
      opts.emit({ kind: 'file-started', batchId: plan.batchId, file: name, size })
      const send = (remote: string) =>
        writeFile({ sftp, localPath: localCsv, remotePath: remote, size, mtimeMs, signal: opts.signal, gate: opts.gate })
      await send(opts.remotePath(tmpName))
      try {
        await rename(sftp, opts.remotePath(tmpName), opts.remotePath(name))
      } catch (err) {
        const code = toAppError(err).code
        if (code !== 'WRITE_FAILED' && code !== 'PERMISSION_DENIED') throw err
        // No rename on this server: write the final name directly.
        await remove(sftp, opts.remotePath(tmpName)).catch(() => undefined)
        await send(opts.remotePath(name))
      }
      journal.csvDone(name, rows)
      opts.emit({ kind: 'file-done', batchId: plan.batchId, file: name, skipped: false })
      return { name, rows, uploadedNow: true }
    } catch (caught) {
      const err = toAppError(caught)
      if (opts.signal.aborted || failureKind(err) !== 'reconnect' || attempt >= opts.retryDelaysMs.length) {
        opts.emit({ kind: 'file-failed', batchId: plan.batchId, file: name, error: err.toPayload() })
        throw err instanceof AppError ? err : new AppError('WRITE_FAILED', String(caught))
      }
      opts.pool.invalidate(0)
      const delayMs = opts.retryDelaysMs[attempt]!
      opts.emit({ kind: 'file-retrying', batchId: plan.batchId, file: name, attempt: attempt + 1, delayMs, error: err.toPayload() })
      await new Promise((resolve) => setTimeout(resolve, delayMs))
    }
  }
}
