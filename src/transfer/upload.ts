/**
 * Starting (or resuming) an upload: the batch's identity, lock, journal and controls (pause,
 * resume, cancel). What the run does is in batch-run.ts.
 */
import type { AppErrorPayload, BatchSpec, BatchSummary, DeliveredBatch, UploadEvent } from '../api'
import { uploadCsvName, type CheckedBatch } from '../batch'
import { toLocalWriteError } from '../errors'
import type { LedgerLocation } from '../ledger/ledger-location'
import { BatchRun } from './batch-run'
import { batchDir, batchesDir, batchIdentity, lockBatch, readMeta, writeMeta, type BatchMeta, type DestinationRecord } from './batch-store'
import type { ChannelPool } from '../ssh/channel-pool'
import type { ByteBudget } from './file-writer'
import { Journal } from './journal'
import { PauseGate } from './pause-gate'
import type { ProxySpec } from '../ssh/proxy'

export { openDestinationPool } from './batch-run'

/** A destination with the secrets needed to log in. */
export interface UploadDestination extends DestinationRecord {
  privateKey: string | Buffer
  passphrase?: string
  knownHostsPath: string
  /** Pin an unknown host key instead of refusing it (CLI `--trust-new-host`). */
  trustNewHost?: boolean
  /** `--proxy` (proxy.ts). @default a direct connection */
  proxy?: ProxySpec | null
}

export interface StartUploadOptions {
  spec: BatchSpec
  /** The batch as validated (before the destination's checks: this run applies them). */
  checked: CheckedBatch
  destination: UploadDestination
  /** Files in flight at once. @default DEFAULT_CONCURRENCY */
  concurrency?: number
  channelsPerConnection?: number
  retryDelaysMs?: number[]
  /** Folder for journals (`--state-dir`). @default `<app home>/batches` */
  stateDir?: string
  /** The app home holding the delivery ledger and platform layouts. @default appHome() */
  home?: string
  onEvent?: (event: UploadEvent) => void
  /** `--bwlimit`: one byte budget for every file in flight (rate-limiter.ts). @default no limit */
  limiter?: ByteBudget
  /** Connections already opening (openDestinationPool), so the login overlapped the check; the upload closes them. */
  pool?: ChannelPool
  /** The team ledger's PostgreSQL address (`--ledger`), or null for the embedded one. @default null */
  ledger?: LedgerLocation
}

export interface UploadResult {
  summary: BatchSummary
  /** Why the batch stopped before its CSV went up, or null when it finished. */
  stoppedBy: AppErrorPayload | null
  /** Every eligible row was delivered before this run: nothing was sent. */
  nothingNew: boolean
  /** Earlier deliveries of this batch's rows (newest first). */
  deliveredBefore: DeliveredBatch[]
  /** Recordings confirmed on the server, and how many the batch needs (for "N of M"). */
  filesOnServer: number
  filesTotal: number
  /** The report could not be written (this computer's disk); the upload itself is unaffected. */
  reportError?: AppErrorPayload | null
  /** LAYOUT_CHANGED's sentence when the source's columns differ from the destination's layout. */
  layoutChanged?: string | null
  /** CSVs on the server named like the app's that were not trusted, with why (a warning; never read). */
  ignoredOnServer?: Array<{ name: string; reason: string }>
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
  // The state folder is this computer's: its failures (disk full, read-only) say so.
  const local = <T>(p: Promise<T>): Promise<T> => p.catch((err: unknown) => Promise.reject(toLocalWriteError(err, 'the upload\'s state folder')))
  const root = await local(batchesDir(opts.stateDir))
  const batchId = await batchIdentity(opts.spec, opts.destination)
  const folder = batchDir(root, batchId)
  const unlock = await local(lockBatch(folder))
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
      filesTotal: opts.checked.manifest.recordings.length,
      bytesTotal: opts.checked.manifest.recordings.reduce((sum, r) => sum + r.size, 0),
    }
    await local(writeMeta(folder, { ...meta, spec: opts.spec }))
    journal = await local(Journal.open(folder))
  } catch (err) {
    await unlock().catch(() => undefined)
    throw err
  }
  const gate = new PauseGate()
  const abort = new AbortController()
  const run = new BatchRun(opts, batchId, folder, journal, gate, abort.signal)
  const done = run.run().finally(async () => {
    journal.close()
    await unlock()
  })
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
