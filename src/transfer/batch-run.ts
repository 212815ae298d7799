/**
 * One run of a batch (DESIGN.md, "Exactly once", "Exactly once in company"): recover earlier
 * deliveries from the server, leave out rows already delivered, send the recordings, then the
 * CSV at the destination's commit point, and report. startUpload (upload.ts) makes the run's
 * journal, lock and controls; this file is what the run does.
 */
import type { BatchSummary, DeliveredBatch, PlatformLayout, UploadEvent } from '../api'
import { appHome } from '../app-home'
import { uploadCsvName, writeUploadCsv, type CheckedBatch } from '../batch'
import { layoutFromSource } from '../batch/platform-layout'
import { AppError, toAppError, toLocalWriteError } from '../errors'
import { readKnownAgents } from '../agents/known-agents-store'
import { checkForDestination } from '../ledger/destination-checks'
import { openDestinationLedger, type DestinationLedger } from '../ledger/destination-ledger'
import { readLayout, saveLayout } from '../ledger/layout-store'
import type { DeliveryLedger } from '../ledger/ledger'
import { pinnedTarget } from '../ssh/connection'
import type { ChannelPool } from '../ssh/channel-pool'
import { recoverDeliveries } from './delivery-recovery'
import type { Journal } from './journal'
import type { PauseGate } from './pause-gate'
import { checkRemoteDir } from './remote-dir'
import { listRemoteSizes } from './remote-state'
import { reportPaths, writeReport, type RowStatus } from './report'
import { timeRoundTrip } from './sftp-ops'
import type { StartUploadOptions, UploadDestination, UploadResult } from './upload'
import { createPool, runEngine, type CsvConversation, type DeliveredCsv, type EngineOutcome, type UploadPlan } from './upload-engine'

/**
 * The destination's connections, their login already started: the CLI opens them before
 * checking the folder, so the handshake's round trips (about six) overlap the check. A failure
 * here is not reported: the upload connects again and reports its own. Close it when the
 * upload is not started.
 */
export function openDestinationPool(dest: UploadDestination, concurrency?: number, channelsPerConnection?: number): ChannelPool {
  const pool = createPool(pinnedTarget({ ...dest, policy: dest.trustNewHost ? 'trust-new' : 'strict' }).target, concurrency, channelsPerConnection)
  pool.acquire(0).catch(() => undefined)
  return pool
}

/** One run of a batch: recover earlier deliveries, leave out delivered rows, send the rest. */
export class BatchRun {
  private readonly home: string
  private readonly emit: (event: UploadEvent) => void
  /** The destination's checks as made again at the commit point: what the CSV carried. */
  private committed: CheckedBatch | null = null
  /** CSVs named like the app's on the server that recovery did not read, with why. */
  private readonly ignoredOnServer = new Map<string, string>()
  /** This run's report (one per run: a rerun keeps the earlier ones its deliveries point at). */
  private readonly reportFiles: { csv: string; json: string }

  constructor(
    private readonly opts: StartUploadOptions,
    private readonly batchId: string,
    private readonly folder: string,
    private readonly journal: Journal,
    private readonly gate: PauseGate,
    private readonly signal: AbortSignal,
  ) {
    this.home = opts.home ?? appHome()
    this.emit = opts.onEvent ?? (() => undefined)
    this.reportFiles = reportPaths(folder, new Date())
  }

  async run(): Promise<UploadResult> {
    const result = await this.runOnce()
    return this.ignoredOnServer.size === 0 ? result : { ...result, ignoredOnServer: [...this.ignoredOnServer].map(([name, reason]) => ({ name, reason })) }
  }

  private async runOnce(): Promise<UploadResult> {
    const started = Date.now()
    const dest = this.opts.destination
    checkRemoteDir(dest.remoteDir) // every host checks it when typed; this keeps the engine safe alone
    const ledger = await openDestinationLedger(this.home, dest, this.opts.ledger ?? null)
    const pool = this.opts.pool ?? openDestinationPool(dest, this.opts.concurrency, this.opts.channelsPerConnection)
    try {
      const recorded = await readLayout(this.home, dest)
      await pool.connectFirst()
      const sftp = await pool.acquire(0)
      // Timed alongside the listing (sent first on the same channel): no extra wait.
      const [roundTripMs, remoteSizes] = await Promise.all([timeRoundTrip(sftp), listRemoteSizes(sftp, dest.remoteDir)])
      const remotePath = (name: string) => (dest.remoteDir ? `${dest.remoteDir.replace(/\/+$/, '')}/${name}` : name)
      const { mapping } = this.opts.spec
      const expectedHeader = (recorded ?? layoutFromSource(this.opts.checked.manifest.headers, mapping)).columns.map((c) => c.name)
      /** Records CSVs of this app found on the server without a ledger record (delivery-recovery.ts). */
      const recover = async (listing: Map<string, number>, sweepParts: boolean) => {
        const outcome = await recoverDeliveries({
          sftp: await pool.acquire(0), remotePath, listing, journal: this.journal, workDir: this.folder, batchId: this.batchId, sourceCsv: this.opts.spec.csvPath,
          ledger: { delivery: (name) => ledger.records.delivery(name), knowsBatch: (id) => ledger.records.knowsBatch(id), recordDelivery: (d, c) => ledger.recordDelivery(d, c) },
          layout: recorded, mapping, expectedHeader, sweepParts,
        })
        for (const ignored of outcome.ignored) this.ignoredOnServer.set(ignored.name, ignored.reason)
      }
      await recover(remoteSizes, true)

      const agents = await readKnownAgents(this.home, dest)
      /** The destination's checks, as of what the ledger knows now (again at the commit point). */
      const checkNow = () => checkForDestination(this.opts.checked, { ledger: ledger.records, layout: recorded, resendDelivered: this.opts.spec.resendDelivered ?? false, agents })
      const checked = checkNow()
      const deliveredBefore = checked.report.deliveredBefore ?? []
      if (checked.report.eligible === 0 && (checked.report.alreadyDelivered ?? 0) > 0) return this.nothingNew(checked, deliveredBefore, started)
      if (!checked.report.ready) throw new AppError('BATCH_NOT_READY')
      // The first batch to a destination sets its layout; adopting a new one replaces it.
      const adopt = !recorded || this.opts.spec.layoutChoice === 'adopt'
      const layout: PlatformLayout = adopt ? layoutFromSource(checked.manifest.headers, mapping) : recorded
      const csvName = this.freshCsvName(remoteSizes, ledger.records)
      // At the commit point: what other runs delivered meanwhile, from the ledger and, for
      // runs that share no ledger with this one, from the server's listing.
      const catchUp = async () => {
        await ledger.refresh()
        await recover(await listRemoteSizes(await pool.acquire(0), dest.remoteDir), false)
      }
      const plan = this.plan(checked, checkNow, catchUp, csvName, layout, ledger, () => (adopt ? saveLayout(this.home, dest, layout) : Promise.resolve()))
      const outcome = await runEngine({
        plan,
        pool,
        remoteDir: dest.remoteDir,
        remoteSizes,
        roundTripMs,
        journal: this.journal,
        workDir: this.folder,
        signal: this.signal,
        gate: this.gate,
        ...(this.opts.limiter ? { limiter: this.opts.limiter } : {}),
        ...(this.opts.concurrency !== undefined ? { concurrency: this.opts.concurrency } : {}),
        ...(this.opts.retryDelaysMs !== undefined ? { retryDelaysMs: this.opts.retryDelaysMs } : {}),
        onEvent: this.emit,
      })
      const layoutChanged = checked.issues.find((i) => i.code === 'LAYOUT_CHANGED')?.message ?? null
      return { ...(await this.finish(this.committed ?? checked, outcome, deliveredBefore, started)), layoutChanged }
    } catch (caught) {
      const error = toAppError(caught)
      this.emit({ kind: 'batch-failed', batchId: this.batchId, error: error.toPayload() })
      const summary = this.summaryOf(this.opts.checked, null, (Date.now() - started) / 1000)
      return { summary, stoppedBy: error.toPayload(), nothingNew: false, deliveredBefore: [], filesOnServer: 0, filesTotal: this.opts.checked.manifest.recordings.length }
    } finally {
      pool.closeAll()
      await ledger.close()
    }
  }

  /**
   * This run's CSV name: the batch's name with the time, never one already used (on the server,
   * in the ledger or the journal): two runs within a second must not overwrite each other's CSV.
   */
  private freshCsvName(listing: Map<string, number>, ledger: DeliveryLedger): string {
    const state = this.journal.state
    for (let at = Date.now(); ; at += 1000) {
      const name = uploadCsvName(this.opts.spec.csvPath, this.batchId, new Date(at))
      if (!listing.has(name) && !listing.has(`${name}.part`) && !ledger.delivery(name) && !state.csvStarted.has(name) && !state.csvDone.has(name)) return name
    }
  }

  private plan(checked: CheckedBatch, checkNow: () => CheckedBatch, catchUp: () => Promise<void>, csvName: string, layout: PlatformLayout, ledger: DestinationLedger, onFirstDelivery: () => Promise<void>): UploadPlan {
    const report = this.reportFiles
    // CSVs delivered before this run: a recording the ledger now places in any other CSV was
    // delivered by another run meanwhile (one sharing this ledger: same app home, or the team's).
    const csvsBefore = new Set(ledger.records.history().map((d) => d.csvName))
    return {
      batchId: this.batchId,
      csvName,
      files: checked.manifest.recordings.map((r) => ({ localPath: r.localPath, remoteName: r.remoteName, size: r.size, mtimeMs: r.mtimeMs })),
      enterCommitPoint: async (signal) => {
        let waited = false
        const held = await ledger.commitPoint({
          signal,
          onWait: (holder) => {
            waited = true
            this.emit({ kind: 'batch-waiting', batchId: this.batchId, waiting: true, holder })
          },
        })
        if (waited) this.emit({ kind: 'batch-waiting', batchId: this.batchId, waiting: false, holder: null })
        try {
          await catchUp()
        } catch (err) {
          held.release()
          throw err
        }
        return () => held.release()
      },
      writeCsv: async (localPath, omit) => {
        // At the commit point: rows another run delivered since this one started are left out
        // (ALREADY_DELIVERED, counted as such), never sent in a second CSV.
        this.committed = checkNow()
        const conversations: CsvConversation[] = []
        const { rows } = await writeUploadCsv(this.committed.manifest, localPath, {
          omitRemoteNames: omit,
          layout,
          onRow: (reference, recording) => {
            conversations.push({ reference, recording })
          },
        })
        return { rows, conversations }
      },
      recordDelivery: async (csv: DeliveredCsv) => {
        const delivery: DeliveredBatch = {
          batchId: this.batchId,
          csvName: csv.name,
          rows: csv.rows,
          bytes: this.bytesOfBatch(csv),
          deliveredAt: new Date().toISOString(),
          sourceCsv: this.opts.spec.csvPath,
          reportCsv: report.csv,
          reportJson: report.json,
        }
        await ledger.recordDelivery(
          delivery,
          csv.conversations.map((c) => {
            const file = csv.files.get(c.recording)
            return { reference: c.reference, recording: c.recording, size: file?.size ?? null, sha256: file?.sha256 ?? null }
          }),
        )
        await onFirstDelivery()
      },
      knownRecording: (name) => ledger.records.recording(name),
      deliveredMeanwhile: (name) => {
        const delivered = ledger.records.recording(name)
        return delivered !== null && !csvsBefore.has(delivered.csvName)
      },
    }
  }

  private async finish(checked: CheckedBatch, outcome: EngineOutcome, deliveredBefore: DeliveredBatch[], started: number): Promise<UploadResult> {
    const seconds = (Date.now() - started) / 1000
    const { summary, recordingStatus } = this.summarise(checked, outcome, seconds)
    // The report is for the user: failing to write it (this computer's disk) is said, never fatal.
    const reportError = await writeReport({ manifest: checked.manifest, validated: this.opts.checked.manifest, issues: checked.issues, recordingStatus, summary }, summary.reportCsv, summary.reportJson).then(
      () => null,
      (err: unknown) => toLocalWriteError(err, 'the batch report').toPayload(),
    )
    const filesOnServer = outcome.files.filter((f) => f.status === 'uploaded' || f.status === 'skipped').length
    const result = { summary, nothingNew: false, deliveredBefore, filesOnServer, filesTotal: outcome.files.length, reportError }
    if (outcome.stoppedBy) {
      const error = outcome.stoppedBy.code === 'CANCELLED' ? cancelled(filesOnServer, outcome.files.length) : outcome.stoppedBy
      this.emit({ kind: 'batch-failed', batchId: this.batchId, error: error.toPayload() })
      return { ...result, stoppedBy: error.toPayload() }
    }
    // Finished only when every eligible row reached the platform: failed files are retried by
    // the next run. No CSV and nothing failed: every row was delivered meanwhile by another run.
    if (summary.failed === 0 && (outcome.csv || this.committed)) this.journal.finished(summary)
    this.emit({ kind: 'batch-done', batchId: this.batchId, summary })
    return { ...result, stoppedBy: null }
  }

  private async nothingNew(checked: CheckedBatch, deliveredBefore: DeliveredBatch[], started: number): Promise<UploadResult> {
    const summary = this.summaryOf(checked, null, (Date.now() - started) / 1000)
    // This run's report too: every row delivered earlier or excluded, each with its code.
    const reportError = await writeReport({ manifest: checked.manifest, validated: this.opts.checked.manifest, issues: checked.issues, recordingStatus: new Map(), summary }, summary.reportCsv, summary.reportJson).then(
      () => null,
      (err: unknown) => toLocalWriteError(err, 'the batch report').toPayload(),
    )
    // Nothing is left to do for this batch: it is no longer offered as an unfinished upload.
    if (!this.journal.state.finished) this.journal.finished(summary)
    this.emit({ kind: 'batch-done', batchId: this.batchId, summary })
    return { summary, stoppedBy: null, nothingNew: true, deliveredBefore, filesOnServer: 0, filesTotal: 0, reportError }
  }

  /**
   * What the delivery's recordings weigh that this batch sent, over every attempt: a resumed
   * batch is one delivery, so the bytes of its interrupted runs count too (the journal knows
   * which files it opened), not those of recordings that were on the server before it.
   */
  private bytesOfBatch(csv: DeliveredCsv): number {
    let bytes = 0
    const counted = new Set<string>()
    for (const { recording } of csv.conversations) {
      const file = csv.files.get(recording)
      if (!file || counted.has(recording) || !this.journal.state.started.has(recording)) continue
      counted.add(recording)
      bytes += file.size
    }
    return bytes
  }

  /**
   * Row counts by outcome: a row follows its recording; rows with validation errors are
   * excluded. A recording an earlier attempt of this batch sent counts as sent by this batch
   * (sentEarlier), apart from one that was on the server before the batch (skipped).
   */
  private summarise(checked: CheckedBatch, outcome: EngineOutcome, seconds: number) {
    const recordingStatus = new Map<string, { status: RowStatus; code?: string; rewritten?: boolean }>()
    const counts = { uploaded: 0, skipped: 0, sentEarlier: 0, failed: 0 }
    const byName = new Map(checked.manifest.recordings.map((r) => [r.remoteName, r]))
    for (const file of outcome.files) {
      const rows = byName.get(file.file.remoteName)?.rows.length ?? 0
      const status: RowStatus = file.status === 'skipped' && file.sentEarlier ? 'sent-earlier' : file.status
      recordingStatus.set(file.file.remoteName, { status, ...(file.error && status === 'failed' ? { code: file.error.code } : {}), ...(file.rewritten ? { rewritten: true } : {}) })
      if (status === 'uploaded') counts.uploaded += rows
      else if (status === 'sent-earlier') counts.sentEarlier += rows
      else if (status === 'skipped') counts.skipped += rows
      else counts.failed += rows
    }
    return { summary: { ...this.summaryOf(checked, outcome, seconds), ...counts }, recordingStatus }
  }

  private summaryOf(checked: CheckedBatch, outcome: EngineOutcome | null, seconds: number): BatchSummary {
    const paths = this.reportFiles
    return {
      batchId: this.batchId,
      uploaded: 0,
      skipped: 0,
      excluded: checked.manifest.conversations - this.opts.checked.manifest.eligibleRows,
      failed: 0,
      csv: outcome?.csv?.name ?? null,
      alreadyDelivered: checked.report.alreadyDelivered ?? 0,
      bytes: outcome?.bytesSent ?? 0,
      seconds: Math.round(seconds * 10) / 10,
      reportCsv: paths.csv,
      reportJson: paths.json,
    }
  }
}

/** The cancel's outcome, in words: never success. */
function cancelled(onServer: number, total: number): AppError {
  const message = `Cancelled: ${onServer} of ${total} recordings are on the server; the CSV was not sent. Run the same upload again to finish.`
  return new AppError('CANCELLED', `${onServer} of ${total} recordings on the server`, { message })
}
