/**
 * The core service: the contract (`BulkUploadApi`) implemented on top of src/. Both hosts (the
 * Electron main process and the web host) own one instance and put a transport in front of
 * it; neither adds logic of its own. Every call returns a `Result`: failures are coded
 * `AppError` payloads (the stack goes to the log), so a renderer never sees a stack trace.
 *
 * The batch calls (scan to Review) live in batch-calls.ts; the service forwards them.
 *
 * Like Mockoon's server engine, the service only forwards the core's typed events; hosts
 * subscribe with `onUploadEvent` and push them to their renderers.
 */
import path from 'node:path'
import { deliveryHistory, purgeLedgers, sampleCsvFor } from './delivery-records'
import type {
  PreviewRecording, AgentListPreview, KnownAgentsView, BatchReport, BatchSpec, BulkUploadApi, ConnectionCheck, CsvPreview, DateFormatProposal, DeliveredBatch, Destination, DestinationInput, DestinationRef, DirectoryListing,
  HostCapabilities, InterruptedBatch, IssueQuery, JobInfo, JobInput, KeyInfo, MappingProfile, OpenOutcome, RecordingRow, Result, SaveOutcome, ScanSummary, Settings, UploadEvent,
  ValidationIssue,
} from '../src/api'
import { AppError } from '../src/errors'
import { appHome } from '../src/app-home'
import { validateBatch } from '../src/batch'
import { generateKey, importKey, listKeys } from '../src/keys'
import { browse } from './browse'
import { checkConnection, forgetServer, hostKeyStatus, trustServer } from '../src/ssh/connection-check'
import { SandboxHost } from './sandbox-host'
import { UploadManager } from './upload-manager'
import { CheckStore, csvStamp } from './batch-checks'
import { PathScope } from './path-scope'
import { downloadOf, saveForUser, type FileForUser, type PickSavePath } from './save-for-user'
import type { MediaFile } from './batch-media'
import { BatchCalls } from './batch-calls'
import { run } from './call-result'
import { DestinationsStore, SANDBOX_ID } from './destinations-store'
import { SettingsStore } from './settings-store'
import { DestinationAccess } from './destination-access'
import type { SecretSealer } from './settings-secrets'
import { log, setLogHome } from './log'
import { environmentProxy, type SystemProxyLookup } from './system-proxy'
import { defaultCliInvocation, jobFromBatch, JobsStore, type CliInvocation } from './job-from-batch'
import { stat } from 'node:fs/promises'
import { confirmAgents, importAgentList, knownAgentsView, saveAgentList, setStrictAgents } from './agent-lists'
import { agentListColumns } from '../src/agents/import-agents'

/** The calls of the contract: what a transport dispatches to. */
export type CallHandlers = Omit<BulkUploadApi, 'onUploadEvent' | 'mediaUrl'>

/** What differs between hosts: Electron has native dialogs and a desktop shell; the web host has neither. */
export interface HostAdapter {
  capabilities: HostCapabilities
  /** A folder the user picked, or null when cancelled. */
  pickFolder(): Promise<string | null>
  /** Asks where to save a file (native save dialog); null: the host has none, files are downloads. */
  pickSavePath: PickSavePath | null
  /** Shows a file or folder to the user (file manager, default app), or hands it to the browser. */
  openPath(path: string): Promise<OpenOutcome>
  /** The system's proxy for an SFTP server (Settings.proxy 'system'). @default ALL_PROXY / HTTPS_PROXY */
  systemProxy?: SystemProxyLookup
  /** How schedulers start `bulk-upload` here (saved jobs). @default defaultCliInvocation() */
  cli?: CliInvocation
}

/** The web host's adapter: the browser walks folders with `browse`, and nothing opens on the server's desktop. */
export const WEB_HOST_ADAPTER: HostAdapter = {
  capabilities: { kind: 'web', nativeDialogs: false },
  pickFolder: () => Promise.resolve(null),
  pickSavePath: null,
  openPath: downloadOf,
  systemProxy: environmentProxy(),
}

export interface CoreServiceOptions {
  /** The app home; defaults to `appHome()` (BULK_UPLOAD_HOME or the OS data folder). */
  home?: string
  host: HostAdapter
  /** Seals passwords in the settings file (the desktop app: Electron's safeStorage). @default none */
  sealer?: SecretSealer | null
}


export class CoreService implements CallHandlers {
  readonly home: string
  private readonly host: HostAdapter
  private readonly settings: SettingsStore
  private readonly destinations: DestinationsStore
  private readonly listeners = new Set<(event: UploadEvent) => void>()
  private readonly checks = new CheckStore()
  /** What the renderer may read and open: the batches the user picked, the app's reports. */
  private readonly scope: PathScope
  private readonly sandboxHost: SandboxHost
  private readonly uploads: UploadManager
  private readonly jobs: JobsStore
  private readonly batch: BatchCalls
  /** Destinations as the calls need them: resolved, with their proxy, ledger and key. */
  private readonly access: DestinationAccess

  constructor(options: CoreServiceOptions) {
    this.home = options.home ?? appHome()
    setLogHome(this.home)
    this.host = options.host
    this.scope = new PathScope(this.home)
    this.settings = new SettingsStore(this.home, options.sealer ?? null)
    this.destinations = new DestinationsStore(this.home)
    this.sandboxHost = new SandboxHost(this.home)
    this.access = new DestinationAccess({ home: this.home, destinations: this.destinations, sandboxHost: this.sandboxHost, settings: this.settings, host: this.host })
    this.batch = new BatchCalls({
      home: this.home,
      scope: this.scope,
      checks: this.checks,
      saveForUser: (file) => this.saveForUser(file),
      destination: (id) => this.access.destination(id),
      lastUsedDestination: async () => {
        const last = await this.destinations.lastUsedId()
        if (last === null) return null
        // Not this.access.destination(): reading a layout must not start the sandbox's server.
        return last === SANDBOX_ID ? this.access.sandboxDestination(false) : this.destinations.get(last)
      },
      ledgerFor: (destination) => this.access.ledgerFor(destination),
    })
    this.uploads = new UploadManager(path.join(this.home, 'batches'), (event) => this.emit(event))
    this.jobs = new JobsStore(this.home, options.host.cli ?? defaultCliInvocation())
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

  openPath(path: string): Promise<Result<OpenOutcome>> {
    return run('openPath', async () => {
      this.scope.assertOpenable(path)
      return this.host.openPath(path)
    })
  }

  /** Hands a file the user asked for to the save dialog, or to the browser as a download. */
  private saveForUser(file: FileForUser): Promise<SaveOutcome> {
    return saveForUser(this.host.pickSavePath, file, (saved) => this.scope.rememberSaved(saved))
  }

  // ---- batch (batch-calls.ts) ----------------------------------------------------------

  scan(paths: string[]): Promise<Result<ScanSummary>> {
    return this.batch.scan(paths)
  }

  previewCsv(path: string): Promise<Result<CsvPreview>> {
    return this.batch.previewCsv(path)
  }

  checkProfile(path: string, profile: MappingProfile): Promise<Result<{ fits: boolean; problems: string[] }>> {
    return this.batch.checkProfile(path, profile)
  }

  convertDateExample(value: string, dateFormat: string, timezone: string): Promise<Result<string>> {
    return this.batch.convertDateExample(value, dateFormat, timezone)
  }

  proposeDateFormat(path: string, column: string): Promise<Result<DateFormatProposal>> {
    return this.batch.proposeDateFormat(path, column)
  }

  parseMapping(text: string): Promise<Result<MappingProfile>> {
    return this.batch.parseMapping(text)
  }

  saveMapping(profile: MappingProfile): Promise<Result<SaveOutcome>> {
    return this.batch.saveMapping(profile)
  }

  validate(spec: BatchSpec): Promise<Result<BatchReport>> {
    return this.batch.validate(spec)
  }

  matchPreviewRecordings(spec: Pick<BatchSpec, 'paths' | 'csvPath' | 'mapping'>): Promise<Result<PreviewRecording[]>> {
    return this.batch.matchPreviewRecordings(spec)
  }

  listIssues(checkId: string, query: IssueQuery): Promise<Result<{ total: number; issues: ValidationIssue[] }>> {
    return this.batch.listIssues(checkId, query)
  }

  exportIssues(checkId: string): Promise<Result<SaveOutcome>> {
    return this.batch.exportIssues(checkId)
  }

  listRecordings(checkId: string, offset: number, limit: number): Promise<Result<{ total: number; rows: RecordingRow[] }>> {
    return this.batch.listRecordings(checkId, offset, limit)
  }

  /** The file a media handle names, for the hosts' media routes (null: the route answers 403). */
  mediaFile(handle: string): Promise<MediaFile | null> {
    return this.batch.mediaFile(handle)
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
      const all = [await this.access.sandboxDestination(false), ...(await this.destinations.list())]
      return all.map((d) => (d.id === last ? { ...d, lastUsed: true } : d))
    })
  }

  saveDestination(input: DestinationInput): Promise<Result<Destination>> {
    return run('saveDestination', () => this.destinations.save(input))
  }

  removeDestination(id: string): Promise<Result<void>> {
    return run('removeDestination', () => this.destinations.remove(id))
  }

  testConnection(ref: DestinationRef, passphrase: string | null): Promise<Result<ConnectionCheck>> {
    return run('testConnection', async () => {
      const destination = await this.access.destinationOf(ref)
      const target = await this.access.target(destination)
      let privateKey: string
      try {
        privateKey = await this.access.privateKey(destination.keyName, passphrase)
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

  trustHost(ref: DestinationRef, fingerprint: string): Promise<Result<void>> {
    return run('trustHost', async () => trustServer(await this.access.target(await this.access.destinationOf(ref)), fingerprint))
  }

  forgetHostKey(destinationId: string): Promise<Result<void>> {
    // Only known_hosts is edited: nothing connects, so no proxy is looked up.
    return run('forgetHostKey', async () => forgetServer(await this.access.target(await this.access.destination(destinationId), false)))
  }

  listHistory(destinationId: string): Promise<Result<DeliveredBatch[]>> {
    return run('listHistory', async () => {
      const destination = await this.access.destination(destinationId)
      return deliveryHistory(this.home, destination, await this.access.ledgerFor(destination))
    })
  }

  writeSampleCsv(destinationId: string, spec: BatchSpec | null): Promise<Result<SaveOutcome>> {
    return run('writeSampleCsv', async () => {
      if (spec) this.scope.assertBatch(spec)
      return this.saveForUser(await sampleCsvFor(this.home, await this.access.destination(destinationId), spec))
    })
  }

  // ---- known agents (issue 12): the list a destination's platform has users for ---------

  getKnownAgents(destinationId: string): Promise<Result<KnownAgentsView>> {
    return run('getKnownAgents', async () => knownAgentsView(this.home, await this.access.destination(destinationId)))
  }

  previewAgentList(path: string): Promise<Result<AgentListPreview>> {
    return run('previewAgentList', async () => {
      // Picked as a batch's CSV is (a scan of the folder the user chose): nothing else is read.
      this.scope.assertCsv(path)
      return { path, ...(await agentListColumns(path)) }
    })
  }

  importAgentList(destinationId: string, path: string, column: string): Promise<Result<KnownAgentsView>> {
    return run('importAgentList', async () => {
      this.scope.assertCsv(path)
      return importAgentList(this.home, await this.access.destination(destinationId), path, column)
    })
  }

  saveAgentList(destinationId: string, ids: string[]): Promise<Result<KnownAgentsView>> {
    return run('saveAgentList', async () => saveAgentList(this.home, await this.access.destination(destinationId), ids))
  }

  setStrictAgents(destinationId: string, strict: boolean): Promise<Result<KnownAgentsView>> {
    return run('setStrictAgents', async () => setStrictAgents(this.home, await this.access.destination(destinationId), strict))
  }

  confirmAgents(destinationId: string, ids: string[]): Promise<Result<KnownAgentsView>> {
    return run('confirmAgents', async () => confirmAgents(this.home, await this.access.destination(destinationId), ids))
  }

  /** The sandbox as a destination; `start` starts its server so the port is the real one. */
  // ---- upload ---------------------------------------------------------------------------

  startUpload(spec: BatchSpec, destinationId: string, passphrase: string | null): Promise<Result<{ batchId: string }>> {
    return run('startUpload', async () => {
      this.scope.assertBatch(spec)
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
      // Resuming is picking this batch again: Done may send it on to a real destination.
      this.scope.pick({ picked: spec.paths, csvFiles: [{ path: spec.csvPath }] })
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

  resyncUpload(batchId: string): Promise<Result<void>> {
    return run('resyncUpload', async () => this.uploads.resync(batchId))
  }

  private async upload(spec: BatchSpec, destinationId: string, passphrase: string | null): Promise<{ batchId: string }> {
    const destination = await this.access.destination(destinationId)
    const privateKey = await this.access.privateKey(destination.keyName, passphrase)
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
      ledger: await this.access.ledgerFor(destination),
      ...(settings.concurrency !== null ? { concurrency: settings.concurrency } : {}),
      bandwidthLimit: settings.bandwidthLimit,
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
        proxy: await this.access.proxyFor(destination),
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

  // ---- saved jobs ("Do this automatically") ----------------------------------------------

  saveJob(input: JobInput): Promise<Result<JobInfo>> {
    return run('saveJob', async () => {
      // A job is made from a batch the user added (its mapping and CSV); its root may be the folder above.
      this.scope.assertBatch(input.spec)
      if (!(await stat(input.root).catch(() => null))?.isDirectory()) throw new AppError('FILE_NOT_FOUND', `The folder ${input.root} does not exist or is not a folder.`)
      const destination = await this.access.destination(input.destinationId)
      const keyEncrypted = (await listKeys(this.home)).find((k) => k.name === destination.keyName)?.encrypted ?? false
      const job = jobFromBatch(input, { home: this.home, destination, settings: await this.settings.get(), proxy: await this.access.proxyFor(destination), ledger: await this.access.ledgerFor(destination), keyEncrypted })
      return this.jobs.save(job)
    })
  }

  listJobs(): Promise<Result<JobInfo[]>> {
    return run('listJobs', () => this.jobs.list())
  }

  removeJob(name: string): Promise<Result<void>> {
    return run('removeJob', () => this.jobs.remove(name))
  }
}
