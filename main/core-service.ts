/**
 * The core service: the contract (`BulkUploadApi`) implemented on top of src/. Both hosts (the
 * Electron main process and the web host) own one instance and put a transport in front of
 * it; neither adds logic of its own. Every call returns a `Result`: failures are coded
 * `AppError` payloads (the stack goes to the log), so a renderer never sees a stack trace.
 *
 * Like Mockoon's server engine, the service only forwards the core's typed events; hosts
 * subscribe with `onUploadEvent` and push them to their renderers.
 */
import type {
  BatchReport, BatchSpec, BulkUploadApi, ConnectionCheck, CsvPreview, Destination, DestinationInput, DirectoryListing,
  HostCapabilities, InterruptedBatch, IssueQuery, KeyInfo, MappingProfile, Result, ScanSummary, Settings, UploadEvent,
  ValidationIssue,
} from '../src/api'
import { AppError, toAppError } from '../src/errors'
import { appHome } from '../src/app-home'
import { checkProfileFits, convertDate, isValidZone, loadMappingProfile, previewCsv, saveMappingProfile, scanPaths, summarizeScan, validateBatch, type FolderScan } from '../src/batch'
import { browse } from './browse'
import { CheckStore, exportIssuesCsv, queryIssues } from './batch-checks'
import { DestinationsStore, SANDBOX_ID, sandboxDestination } from './destinations-store'
import { SettingsStore } from './settings-store'
import { log } from './log'

/** The calls of the contract: what a transport dispatches to. */
export type CallHandlers = Omit<BulkUploadApi, 'onUploadEvent'>

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
  openPath: (p) => Promise.reject(new AppError('BAD_ARGUMENT', `Files cannot be opened from the browser; the file is on the host computer at ${p}`)),
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

/** A part of the core this build does not have yet: a coded error rather than a crash. */
function notYet(part: string): never {
  throw new AppError('INTERNAL', `${part} is not available in this build yet.`)
}

export class CoreService implements CallHandlers {
  readonly home: string
  private readonly host: HostAdapter
  private readonly settings: SettingsStore
  private readonly destinations: DestinationsStore
  private readonly listeners = new Set<(event: UploadEvent) => void>()
  private readonly checks = new CheckStore()
  private lastScan: { key: string; scan: FolderScan } | null = null

  constructor(options: CoreServiceOptions) {
    this.home = options.home ?? appHome()
    this.host = options.host
    this.settings = new SettingsStore(this.home)
    this.destinations = new DestinationsStore(this.home)
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

  /** Stops what the service started (the sandbox server, uploads in flight). */
  async close(): Promise<void> {
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
      if (!isValidZone(timezone)) throw new AppError('BAD_ARGUMENT', `Expected \`timezone\` to be an IANA time zone such as Europe/London, got \`${timezone}\``)
      const converted = convertDate(value, dateFormat, timezone)
      if (converted === null) throw new AppError('BAD_ARGUMENT', `"${value}" does not match the date format ${dateFormat || 'ISO 8601'}.`)
      return converted
    })
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
      const checked = await validateBatch(spec, scan ? { scan } : {})
      this.checks.put(spec, checked)
      return checked.report
    })
  }

  listIssues(checkId: string, query: IssueQuery): Promise<Result<{ total: number; issues: ValidationIssue[] }>> {
    return run('listIssues', async () => queryIssues(this.checks.get(checkId).issues, query))
  }

  exportIssues(checkId: string, path: string): Promise<Result<string>> {
    return run('exportIssues', () => exportIssuesCsv(this.checks.get(checkId), path))
  }

  // ---- keys -----------------------------------------------------------------------------

  listKeys(): Promise<Result<KeyInfo[]>> {
    return run('listKeys', async () => notYet('SSH keys'))
  }

  generateKey(_name: string, _type: 'ed25519' | 'rsa', _passphrase: string | null): Promise<Result<KeyInfo>> {
    return run('generateKey', async () => notYet('SSH keys'))
  }

  importKey(_name: string, _text: string, _passphrase: string | null): Promise<Result<KeyInfo>> {
    return run('importKey', async () => notYet('SSH keys'))
  }

  // ---- destinations and host trust ------------------------------------------------------

  listDestinations(): Promise<Result<Destination[]>> {
    return run('listDestinations', async () => [this.sandbox(), ...(await this.destinations.list())])
  }

  saveDestination(input: DestinationInput): Promise<Result<Destination>> {
    return run('saveDestination', () => this.destinations.save(input))
  }

  removeDestination(id: string): Promise<Result<void>> {
    return run('removeDestination', () => this.destinations.remove(id))
  }

  testConnection(_destinationId: string): Promise<Result<ConnectionCheck>> {
    return run('testConnection', async () => notYet('Connection tests'))
  }

  trustHost(_destinationId: string, _fingerprint: string): Promise<Result<void>> {
    return run('trustHost', async () => notYet('Host trust'))
  }

  private sandbox(): Destination {
    return sandboxDestination({ port: 0, username: 'sandbox', keyName: 'default' })
  }

  /** A destination by id, the sandbox included. */
  protected async destination(id: string): Promise<Destination> {
    return id === SANDBOX_ID ? this.sandbox() : this.destinations.get(id)
  }

  // ---- upload ---------------------------------------------------------------------------

  startUpload(_spec: BatchSpec, _destinationId: string, _passphrase: string | null): Promise<Result<{ batchId: string }>> {
    return run('startUpload', async () => notYet('Uploading'))
  }

  pauseUpload(_batchId: string, _paused: boolean): Promise<Result<void>> {
    return run('pauseUpload', async () => notYet('Uploading'))
  }

  cancelUpload(_batchId: string): Promise<Result<void>> {
    return run('cancelUpload', async () => notYet('Uploading'))
  }

  listInterrupted(): Promise<Result<InterruptedBatch[]>> {
    return run('listInterrupted', async () => notYet('Resuming uploads'))
  }

  resumeInterrupted(_batchId: string, _passphrase: string | null): Promise<Result<{ batchId: string }>> {
    return run('resumeInterrupted', async () => notYet('Resuming uploads'))
  }

  discardInterrupted(_batchId: string): Promise<Result<void>> {
    return run('discardInterrupted', async () => notYet('Resuming uploads'))
  }

  // ---- settings -------------------------------------------------------------------------

  getSettings(): Promise<Result<Settings>> {
    return run('getSettings', () => this.settings.get())
  }

  saveSettings(settings: Settings): Promise<Result<Settings>> {
    return run('saveSettings', () => this.settings.save(settings))
  }
}
