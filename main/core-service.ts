/**
 * The core service: the contract (`BulkUploadApi`) implemented on top of src/. Both hosts (the
 * Electron main process and the web host) own one instance and put a transport in front of
 * it; neither adds logic of its own. Every call returns a `Result`: failures are coded
 * `AppError` payloads (the stack goes to the log), so a renderer never sees a stack trace.
 *
 * Like Mockoon's server engine, the service only forwards the core's typed events; hosts
 * subscribe with `onUploadEvent` and push them to their renderers.
 */
import path from 'node:path'
import { checkedForDestination, deliveryHistory, purgeLedgers, writeSampleCsvFor } from './delivery-records'
import type {
  BatchReport, BatchSpec, BulkUploadApi, ConnectionCheck, CsvPreview, DateFormatProposal, DeliveredBatch, Destination, DestinationInput, DirectoryListing,
  HostCapabilities, InterruptedBatch, IssueQuery, KeyInfo, MappingProfile, RecordingRow, Result, ScanSummary, Settings, UploadEvent,
  ValidationIssue,
} from '../src/api'
import { AppError, toAppError } from '../src/errors'
import { appHome } from '../src/app-home'
import { checkProfileFits, convertDate, isValidZone, proposeDateFormat, loadMappingProfile, previewCsv, saveMappingProfile, scanPaths, summarizeScan, validateBatch, type FolderScan } from '../src/batch'
import { ensureDefaultKey, generateKey, importKey, listKeys, loadPrivateKeyForSsh } from '../src/keys'
import { browse } from './browse'
import { checkConnection, forgetServer, hostKeyStatus, trustServer } from '../src/transfer/connection-check'
import { SANDBOX_KEY_NAME, SANDBOX_USERNAME, SandboxHost } from './sandbox-host'
import { UploadManager } from './upload-manager'
import { CheckStore, csvStamp, exportIssuesCsv, queryIssues } from './batch-checks'
import { batchMediaFile, handleCheckId, recordingRows, type MediaFile } from './batch-media'
import { DestinationsStore, SANDBOX_ID, sandboxDestination } from './destinations-store'
import { SettingsStore } from './settings-store'
import { log, setLogHome } from './log'

/** The calls of the contract: what a transport dispatches to. */
export type CallHandlers = Omit<BulkUploadApi, 'onUploadEvent' | 'mediaUrl'>

/** What differs between hosts: Electron has native dialogs and a desktop shell; the web host has neither. */
export interface HostAdapter {
  capabilities: HostCapabilities
  /** A folder the user picked, or null when cancelled. */
  pickFolder(): Promise<string | null>
  /** Shows a file or folder to the user (file manager, default app). */
  openPath(path: string): Promise<void>
}

/** The web host's adapter: the browser walks folders with `browse`, and nothing opens on the server's desktop. */
export const WEB_HOST_ADAPTER: HostAdapter = {
  capabilities: { kind: 'web', nativeDialogs: false },
  pickFolder: () => Promise.resolve(null),
  openPath: (p) => Promise.reject(new AppError('BAD_ARGUMENT', p, { message: `The browser cannot open files of the computer running the app. The file is there, at ${p}` })),
}

export interface CoreServiceOptions {
  /** The app home; defaults to `appHome()` (BULK_UPLOAD_HOME or the OS data folder). */
  home?: string
  host: HostAdapter
}

/** Runs one call and turns any failure into a coded error. */
async function run<T>(call: string, fn: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await fn() }
  } catch (err) {
    const error = toAppError(err)
    // Expected, coded failures are routine; only unexpected ones need their stack kept.
    if (error.code === 'INTERNAL') log('error', `${call} failed`, err)
    else log('info', `${call}: ${error.code}${error.details ? ` (${error.details})` : ''}`)
    return { ok: false, error: error.toPayload() }
  }
}

export class CoreService implements CallHandlers {
  readonly home: string
  private readonly host: HostAdapter
  private readonly settings: SettingsStore
  private readonly destinations: DestinationsStore
  private readonly listeners = new Set<(event: UploadEvent) => void>()
  private readonly checks = new CheckStore()
  private readonly sandboxHost: SandboxHost
  private readonly uploads: UploadManager
  private lastScan: { key: string; scan: FolderScan } | null = null

  constructor(options: CoreServiceOptions) {
    this.home = options.home ?? appHome()
    setLogHome(this.home)
    this.host = options.host
    this.settings = new SettingsStore(this.home)
    this.destinations = new DestinationsStore(this.home)
    this.sandboxHost = new SandboxHost(this.home)
    this.uploads = new UploadManager(path.join(this.home, 'batches'), (event) => this.emit(event))
    // Local data older than the retention period goes at start (DESIGN.md, Local data).
    void this.settings
      .get()
      .then(async (s) => {
        await this.uploads.purge(s.retentionDays)
        await purgeLedgers(this.home, s.ledgerRetentionDays)
      })
      .catch((err: unknown) => log('warn', 'could not purge old batches', err))
  }

  /** How many uploads are running: a host asks before quitting in the middle of one. */
  get runningUploads(): number {
    return this.uploads.running
  }

  /** Where the sandbox destination's files land (tests and "open the server folder"). */
  get sandboxRoot(): string {
    return this.sandboxHost.root
  }

  /** Subscribes to upload events; returns the unsubscribe function. */
  onUploadEvent(listener: (event: UploadEvent) => void): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** Sends an event to every subscriber; one failing subscriber does not stop the others. */
  protected emit(event: UploadEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event)
      } catch (err) {
        log('error', 'an upload event listener threw', err)
      }
    }
  }

  /** Stops what the service started: uploads in flight (their journals stay for resume), the sandbox server. */
  async close(): Promise<void> {
    await this.uploads.close()
    await this.sandboxHost.close()
    this.listeners.clear()
  }

  // ---- host -----------------------------------------------------------------------------

  capabilities(): Promise<Result<HostCapabilities>> {
    return run('capabilities', async () => ({ ...this.host.capabilities }))
  }

  browse(path: string | null): Promise<Result<DirectoryListing>> {
    return run('browse', () => browse(path))
  }

  pickFolder(): Promise<Result<string | null>> {
    return run('pickFolder', () => this.host.pickFolder())
  }

  openPath(path: string): Promise<Result<void>> {
    return run('openPath', () => this.host.openPath(path))
  }

  // ---- batch ----------------------------------------------------------------------------

  scan(paths: string[]): Promise<Result<ScanSummary>> {
    return run('scan', async () => {
      const scan = await scanPaths(paths)
      // The Review step usually follows at once: its first validation reuses this scan.
      this.lastScan = { key: JSON.stringify(paths), scan }
      return summarizeScan(scan)
    })
  }

  previewCsv(path: string): Promise<Result<CsvPreview>> {
    return run('previewCsv', () => previewCsv(path))
  }

  checkProfile(path: string, profile: MappingProfile): Promise<Result<{ fits: boolean; problems: string[] }>> {
    return run('checkProfile', async () => checkProfileFits((await previewCsv(path)).headers, profile))
  }

  convertDateExample(value: string, dateFormat: string, timezone: string): Promise<Result<string>> {
    return run('convertDateExample', async () => {
      // The UI shows the message under the format field: make it the specific sentence.
      if (!isValidZone(timezone)) {
        const message = `"${timezone}" is not a time zone. Pick one from the list, such as Europe/London.`
        throw new AppError('BAD_ARGUMENT', `Expected \`timezone\` to be an IANA time zone, got \`${timezone}\``, { message })
      }
      const converted = convertDate(value, dateFormat, timezone)
      if (converted === null) {
        const message = `"${value}" does not match the format ${dateFormat || 'ISO 8601'}. Check the format against the first rows of the CSV.`
        throw new AppError('BAD_ARGUMENT', message, { message })
      }
      return converted
    })
  }

  proposeDateFormat(path: string, column: string): Promise<Result<DateFormatProposal>> {
    return run('proposeDateFormat', () => proposeDateFormat(path, column))
  }

  loadMapping(path: string): Promise<Result<MappingProfile>> {
    return run('loadMapping', () => loadMappingProfile(path))
  }

  saveMapping(path: string, profile: MappingProfile): Promise<Result<void>> {
    return run('saveMapping', () => saveMappingProfile(path, profile))
  }

  validate(spec: BatchSpec): Promise<Result<BatchReport>> {
    return run('validate', async () => {
      const key = JSON.stringify(spec.paths)
      const scan = this.lastScan?.key === key ? this.lastScan.scan : undefined
      this.lastScan = null
      const csv = await csvStamp(spec.csvPath)
      const checked = await validateBatch(spec, scan ? { scan } : {})
      const view = spec.destinationId ? await checkedForDestination(this.home, checked, spec, await this.destination(spec.destinationId)) : checked
      this.checks.put(spec, checked, csv, Date.now(), view)
      return view.report
    })
  }

  listIssues(checkId: string, query: IssueQuery): Promise<Result<{ total: number; issues: ValidationIssue[] }>> {
    return run('listIssues', async () => queryIssues(this.checks.get(checkId).issues, query))
  }

  exportIssues(checkId: string, path: string): Promise<Result<string>> {
    return run('exportIssues', () => exportIssuesCsv(this.checks.get(checkId), path))
  }

  listRecordings(checkId: string, offset: number, limit: number): Promise<Result<{ total: number; rows: RecordingRow[] }>> {
    return run('listRecordings', async () => recordingRows(this.checks.get(checkId), offset, limit))
  }

  /**
   * The file a media handle names, for the hosts' media routes: only a recording of a check
   * still kept, inside its batch's folders; null otherwise (the route answers 403).
   */
  async mediaFile(handle: string): Promise<MediaFile | null> {
    let checked
    try {
      checked = this.checks.get(handleCheckId(handle))
    } catch {
      return null
    }
    return batchMediaFile(checked, handle)
  }

  // ---- keys -----------------------------------------------------------------------------

  listKeys(): Promise<Result<KeyInfo[]>> {
    return run('listKeys', () => listKeys(this.home))
  }

  generateKey(name: string, type: 'ed25519' | 'rsa', passphrase: string | null): Promise<Result<KeyInfo>> {
    return run('generateKey', () => generateKey({ name, type, passphrase }, this.home))
  }

  importKey(name: string, text: string, passphrase: string | null): Promise<Result<KeyInfo>> {
    return run('importKey', () => importKey(name, text, passphrase, this.home))
  }

  // ---- destinations and host trust ------------------------------------------------------

  listDestinations(): Promise<Result<Destination[]>> {
    return run('listDestinations', async () => {
      const last = await this.destinations.lastUsedId()
      const all = [await this.sandboxDestination(false), ...(await this.destinations.list())]
      return all.map((d) => (d.id === last ? { ...d, lastUsed: true } : d))
    })
  }

  saveDestination(input: DestinationInput): Promise<Result<Destination>> {
    return run('saveDestination', () => this.destinations.save(input))
  }

  removeDestination(id: string): Promise<Result<void>> {
    return run('removeDestination', () => this.destinations.remove(id))
  }

  testConnection(destinationId: string, passphrase: string | null): Promise<Result<ConnectionCheck>> {
    return run('testConnection', async () => {
      const destination = await this.destination(destinationId)
      const target = this.target(destination)
      let privateKey: string
      try {
        privateKey = await this.privateKey(destination.keyName, passphrase)
      } catch (err) {
        // Without the passphrase of an encrypted key the test still shows an unknown server's
        // key to confirm, and otherwise asks for the passphrase.
        if (!(err instanceof AppError && err.code === 'KEY_PASSPHRASE_NEEDED')) throw err
        const check = await hostKeyStatus(target)
        if (check.trusted) throw err
        return check
      }
      return checkConnection({ ...target, privateKey, passphrase })
    })
  }

  trustHost(destinationId: string, fingerprint: string): Promise<Result<void>> {
    return run('trustHost', async () => trustServer(this.target(await this.destination(destinationId)), fingerprint))
  }

  forgetHostKey(destinationId: string): Promise<Result<void>> {
    return run('forgetHostKey', async () => forgetServer(this.target(await this.destination(destinationId))))
  }

  listHistory(destinationId: string): Promise<Result<DeliveredBatch[]>> {
    return run('listHistory', async () => deliveryHistory(this.home, await this.destination(destinationId)))
  }

  writeSampleCsv(destinationId: string, spec: BatchSpec | null, file: string): Promise<Result<string>> {
    return run('writeSampleCsv', async () => writeSampleCsvFor(this.home, await this.destination(destinationId), spec, file))
  }

  /** The sandbox as a destination; `start` starts its server so the port is the real one. */
  private async sandboxDestination(start: boolean): Promise<Destination> {
    const port = start ? (await this.sandboxHost.ensure()).port : await this.sandboxHost.lastPort()
    return sandboxDestination({ port, username: SANDBOX_USERNAME, keyName: SANDBOX_KEY_NAME })
  }

  /** A destination by id, ready to connect to (the sandbox is started on demand). */
  private async destination(id: string): Promise<Destination> {
    return id === SANDBOX_ID ? this.sandboxDestination(true) : this.destinations.get(id)
  }

  private target(d: Destination): { host: string; port: number; username: string; knownHostsPath: string } {
    return { host: d.host, port: d.port, username: d.username, knownHostsPath: path.join(this.home, 'known_hosts') }
  }

  private async privateKey(keyName: string, passphrase: string | null): Promise<string> {
    if (keyName === SANDBOX_KEY_NAME) await ensureDefaultKey(this.home)
    return loadPrivateKeyForSsh(keyName, passphrase, this.home)
  }

  // ---- upload ---------------------------------------------------------------------------

  startUpload(spec: BatchSpec, destinationId: string, passphrase: string | null): Promise<Result<{ batchId: string }>> {
    return run('startUpload', async () => {
      const started = await this.upload(spec, destinationId, passphrase)
      await this.destinations.markUsed(destinationId)
      return started
    })
  }

  pauseUpload(batchId: string, paused: boolean): Promise<Result<void>> {
    return run('pauseUpload', async () => this.uploads.pause(batchId, paused))
  }

  cancelUpload(batchId: string): Promise<Result<void>> {
    return run('cancelUpload', async () => this.uploads.cancel(batchId))
  }

  listInterrupted(): Promise<Result<InterruptedBatch[]>> {
    return run('listInterrupted', () => this.uploads.interrupted())
  }

  resumeInterrupted(batchId: string, passphrase: string | null): Promise<Result<{ batchId: string }>> {
    return run('resumeInterrupted', async () => {
      // Still running (the window was reloaded): show it again rather than start it twice.
      if (this.uploads.isRunning(batchId)) {
        this.uploads.replay(batchId)
        return { batchId }
      }
      const { spec, destination } = await this.uploads.describe(batchId)
      const id = destination.id ?? SANDBOX_ID
      const resumed = await this.upload(spec, id, passphrase)
      // Same spec and destination give the same batch; anything else means the destination was edited.
      if (resumed.batchId !== batchId) log('warn', `batch ${batchId} resumed as ${resumed.batchId}: its destination changed`)
      return resumed
    })
  }

  discardInterrupted(batchId: string): Promise<Result<void>> {
    return run('discardInterrupted', () => this.uploads.discard(batchId))
  }

  private async upload(spec: BatchSpec, destinationId: string, passphrase: string | null): Promise<{ batchId: string }> {
    const destination = await this.destination(destinationId)
    const privateKey = await this.privateKey(destination.keyName, passphrase)
    // Upload what the user reviewed when it is recent; otherwise check the batch again.
    const csv = await csvStamp(spec.csvPath)
    let checked = this.checks.fresh(spec, csv)
    if (!checked) {
      checked = await validateBatch(spec)
      this.checks.put(spec, checked, csv)
    }
    if (!checked.report.ready) throw new AppError('BATCH_NOT_READY')
    const settings = await this.settings.get()
    return this.uploads.start({
      spec,
      checked,
      home: this.home,
      concurrency: settings.concurrency,
      destination: {
        id: destination.id,
        name: destination.name,
        host: destination.host,
        port: destination.port,
        username: destination.username,
        remoteDir: destination.remoteDir,
        privateKey,
        ...(passphrase ? { passphrase } : {}),
        knownHostsPath: path.join(this.home, 'known_hosts'),
      },
    })
  }

  // ---- settings -------------------------------------------------------------------------

  getSettings(): Promise<Result<Settings>> {
    return run('getSettings', () => this.settings.get())
  }

  saveSettings(settings: Settings): Promise<Result<Settings>> {
    return run('saveSettings', async () => {
      const saved = await this.settings.save(settings)
      // A shorter retention applies at once.
      await this.uploads.purge(saved.retentionDays)
      await purgeLedgers(this.home, saved.ledgerRetentionDays)
      return saved
    })
  }
}
