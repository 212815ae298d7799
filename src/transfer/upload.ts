import type { AppErrorPayload, BatchSpec, BatchSummary, UploadEvent } from '../api'
import { uploadCsvName, writeUploadCsv, type CheckedBatch } from '../batch'
import { AppError } from '../errors'
import { batchDir, batchesDir, batchIdentity, lockBatch, readMeta, writeMeta, type BatchMeta, type DestinationRecord } from './batch-store'
import { pinnedTarget } from './connection'
import { Journal } from './journal'
import { PauseGate } from './pause-gate'
import { reportPaths, writeReport, type RowStatus } from './report'
import { runEngine, type EngineOutcome, type UploadPlan } from './upload-engine'

/** A destination with the secrets needed to log in. */
export interface UploadDestination extends DestinationRecord {
  privateKey: string | Buffer
  passphrase?: string
  knownHostsPath: string
  /** Pin an unknown host key instead of refusing it (CLI `--trust-new-host`). */
  trustNewHost?: boolean
}

export interface StartUploadOptions {
  spec: BatchSpec
  checked: CheckedBatch
  destination: UploadDestination
  /** Files in flight at once. @default DEFAULT_CONCURRENCY */
  concurrency?: number
  channelsPerConnection?: number
  retryDelaysMs?: number[]
  /** Folder for journals (`--state-dir`). @default `<app home>/batches` */
  stateDir?: string
  onEvent?: (event: UploadEvent) => void
}

export interface UploadResult {
  summary: BatchSummary
  /** Why the batch stopped before the CSV went up, or null when it finished. */
  stoppedBy: AppErrorPayload | null
  /** Everything was already on the server: nothing was sent. */
  alreadyComplete: boolean
}

export interface UploadJob {
  readonly batchId: string
  readonly paused: boolean
  pause(): void
  resume(): void
  cancel(): void
  readonly done: Promise<UploadResult>
}

/**
 * Starts (or resumes: same batch, same id) an upload of a checked batch. The batch id is
 * known before the first byte moves so a UI can follow it; everything else is in `done`.
 */
export async function startUpload(opts: StartUploadOptions): Promise<UploadJob> {
  if (!opts.checked.report.ready) throw new AppError('BATCH_NOT_READY')
  const root = await batchesDir(opts.stateDir)
  const batchId = await batchIdentity(opts.spec, opts.destination)
  const folder = batchDir(root, batchId)
  const manifest = opts.checked.manifest
  const unlock = await lockBatch(folder)
  let meta: BatchMeta
  let journal: Journal
  try {
    meta = (await readMeta(folder)) ?? {
      version: 1,
      batchId,
      createdAt: new Date().toISOString(),
      spec: opts.spec,
      destination: recordOf(opts.destination),
      csvName: uploadCsvName(opts.spec.csvPath, batchId),
      filesTotal: manifest.recordings.length,
      bytesTotal: manifest.recordings.reduce((sum, r) => sum + r.size, 0),
    }
    await writeMeta(folder, { ...meta, filesTotal: manifest.recordings.length })
    journal = await Journal.open(folder)
  } catch (err) {
    await unlock()
    throw err
  }
  const gate = new PauseGate()
  const abort = new AbortController()

  const run = async (): Promise<UploadResult> => {
    const started = Date.now()
    try {
      if (journal.state.finished) {
        // Nothing to send, but a UI following events still needs to hear the batch is done.
        opts.onEvent?.({ kind: 'batch-done', batchId, summary: journal.state.finished })
        return { summary: journal.state.finished, stoppedBy: null, alreadyComplete: true }
      }
      const plan: UploadPlan = {
        batchId,
        csvName: meta.csvName,
        files: manifest.recordings.map((r) => ({ localPath: r.localPath, remoteName: r.remoteName, size: r.size, mtimeMs: r.mtimeMs })),
        writeCsv: (localPath, omit) => writeUploadCsv(manifest, localPath, { omitRemoteNames: omit }),
      }
      const dest = opts.destination
      const { target } = pinnedTarget({ ...dest, policy: dest.trustNewHost ? 'trust-new' : 'strict' })
      const outcome = await runEngine({
        plan,
        target,
        remoteDir: dest.remoteDir,
        journal,
        workDir: folder,
        signal: abort.signal,
        gate,
        ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
        ...(opts.channelsPerConnection !== undefined ? { channelsPerConnection: opts.channelsPerConnection } : {}),
        ...(opts.retryDelaysMs !== undefined ? { retryDelaysMs: opts.retryDelaysMs } : {}),
        ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      })
      const { summary, recordingStatus } = summarise(batchId, opts.checked, outcome, (Date.now() - started) / 1000, folder)
      await writeReport({ manifest, issues: opts.checked.issues, recordingStatus, summary }, summary.reportCsv, summary.reportJson)
      const stoppedBy = outcome.stoppedBy?.toPayload() ?? null
      if (stoppedBy) {
        opts.onEvent?.({ kind: 'batch-failed', batchId, error: stoppedBy })
      } else {
        // Finished means the CSV is on the server (or there was nothing to deliver).
        if (outcome.csv) journal.finished(summary)
        opts.onEvent?.({ kind: 'batch-done', batchId, summary })
      }
      return { summary, stoppedBy, alreadyComplete: false }
    } finally {
      journal.close()
      await unlock()
    }
  }

  const done = run()
  return {
    batchId,
    get paused() {
      return gate.paused
    },
    pause() {
      gate.pause()
      opts.onEvent?.({ kind: 'batch-paused', batchId, paused: true })
    },
    resume() {
      gate.resume()
      opts.onEvent?.({ kind: 'batch-paused', batchId, paused: false })
    },
    cancel() {
      gate.resume()
      abort.abort()
    },
    done,
  }
}

function recordOf(d: DestinationRecord): DestinationRecord {
  return { id: d.id, name: d.name, host: d.host, port: d.port, username: d.username, remoteDir: d.remoteDir }
}

/** Row counts by outcome: a row follows its recording; rows with validation errors are excluded. */
function summarise(batchId: string, checked: CheckedBatch, outcome: EngineOutcome, seconds: number, folder: string) {
  const recordingStatus = new Map<string, { status: RowStatus; code?: string }>()
  const counts = { uploaded: 0, skipped: 0, failed: 0 }
  const byName = new Map(checked.manifest.recordings.map((r) => [r.remoteName, r]))
  for (const file of outcome.files) {
    const rows = byName.get(file.file.remoteName)?.rows.length ?? 0
    const status: RowStatus = file.status
    recordingStatus.set(file.file.remoteName, file.error && status === 'failed' ? { status, code: file.error.code } : { status })
    if (status === 'uploaded') counts.uploaded += rows
    else if (status === 'skipped') counts.skipped += rows
    else if (status === 'failed') counts.failed += rows
  }
  const paths = reportPaths(folder)
  const summary: BatchSummary = {
    batchId,
    uploaded: counts.uploaded,
    skipped: counts.skipped,
    excluded: checked.manifest.conversations - checked.manifest.eligibleRows,
    failed: counts.failed,
    csv: outcome.csv?.name ?? null,
    bytes: outcome.bytesSent,
    seconds: Math.round(seconds * 10) / 10,
    reportCsv: paths.csv,
    reportJson: paths.json,
  }
  return { summary, recordingStatus }
}
