/**
 * The one typed contract between any UI and the core (DESIGN.md, "One contract").
 *
 * Electron IPC (preload + ipcMain.handle) and the web host (WebSocket) are two transports of
 * this interface; the renderer cannot tell them apart. Only types, plain constants and pure
 * functions of them live here, in api-batch.ts (its batch half) and api-notice.ts (the words a
 * finished batch is announced with), both re-exported: no other runtime imports, so the
 * renderer may import it.
 */
import type { AppErrorPayload, ErrorCode } from './errors'

export type { AppErrorPayload, ErrorCode }

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorPayload }

// ---------------------------------------------------------------------------------------
// Batch: scan, preview, map, validate (in api-batch.ts; one contract still)
export * from './api-batch'
export * from './api-notice'
export * from './api-agents'
export * from './api-media'
import type { AgentListApi } from './api-agents'
import type { PreviewMediaApi } from './api-media'
import type { BatchReport, BatchSpec, CsvPreview, DateFormatProposal, DeliveredBatch, IssueQuery, MappingProfile, RecordingRow, ScanSummary, ValidationIssue } from './api-batch'

// ---------------------------------------------------------------------------------------
// Keys, destinations, host trust

export type KeyType = 'ed25519' | 'rsa' | 'ecdsa'

export interface KeyInfo {
  name: string
  type: KeyType
  bits: number
  /** `SHA256:...`, as OpenSSH prints it. */
  fingerprint: string
  /** OpenSSH one-line form: what the user pastes into the platform. */
  publicKey: string
  encrypted: boolean
  createdAt: string
}

export interface Destination {
  id: string
  name: string
  host: string
  port: number
  username: string
  keyName: string
  /** Remote folder; empty = the login directory, which is the platform's "root". */
  remoteDir: string
  /** The built-in sandbox server on this computer. */
  sandbox: boolean
  /** The destination the last upload started to: new batches preselect it. */
  lastUsed?: boolean
}

export type DestinationInput = Omit<Destination, 'id' | 'sandbox' | 'lastUsed'> & { id?: string }

/**
 * Which server a connection test is for: a saved destination's id, or the fields of one the
 * user is still adding or editing (Add destination's Test, before anything is saved).
 */
export type DestinationRef = string | DestinationInput

export interface HostKeyInfo {
  host: string
  port: number
  keyType: string
  fingerprint: string
}

export interface ConnectionCheck {
  hostKey: HostKeyInfo
  /** False when the host is unknown: the user must confirm the fingerprint (trustHost). */
  trusted: boolean
  /** The server accepts rename (CSV written under a temporary name, then renamed). */
  canRename?: boolean
}

// ---------------------------------------------------------------------------------------
// Upload

export type FileState = 'waiting' | 'uploading' | 'done' | 'skipped' | 'retrying' | 'failed'

export interface BatchSummary {
  batchId: string
  /** Rows whose recording this run sent. */
  uploaded: number
  /** Rows whose recording was on the server before this batch (found there, not sent). */
  skipped: number
  /** Rows whose recording this batch sent in an earlier, interrupted attempt. */
  sentEarlier?: number
  excluded: number
  failed: number
  /** Remote name of the uploaded CSV, or null when none was uploaded. */
  csv: string | null
  /** Rows left out because they were delivered to this destination before. */
  alreadyDelivered?: number
  bytes: number
  seconds: number
  reportCsv: string
  reportJson: string
}

export interface UploadProgress {
  bytesSent: number
  bytesTotal: number
  filesDone: number
  filesTotal: number
  filesFailed: number
  bytesPerSecond: number
  etaSeconds: number | null
}

/** Events of an upload. Progress events are throttled to about 10 a second. */
export type UploadEvent =
  | { kind: 'batch-started'; batchId: string; files: Array<{ file: string; size: number }>; csvName: string }
  | { kind: 'file-started'; batchId: string; file: string; size: number }
  | { kind: 'file-progress'; batchId: string; file: string; sent: number; size: number }
  | { kind: 'file-done'; batchId: string; file: string; skipped: boolean }
  | { kind: 'file-retrying'; batchId: string; file: string; attempt: number; delayMs: number; error: AppErrorPayload }
  | { kind: 'file-failed'; batchId: string; file: string; error: AppErrorPayload }
  | { kind: 'batch-progress'; batchId: string; progress: UploadProgress }
  | { kind: 'batch-paused'; batchId: string; paused: boolean }
  /**
   * The batch's CSV waits for another run to the same destination to finish its own (the
   * destination's commit point: one CSV step at a time); `waiting: false` once it goes on.
   * `holder` is the other process, when known.
   */
  | { kind: 'batch-waiting'; batchId: string; waiting: boolean; holder: { pid: number; since: string } | null }
  | { kind: 'batch-done'; batchId: string; summary: BatchSummary }
  | { kind: 'batch-failed'; batchId: string; error: AppErrorPayload }

export interface InterruptedBatch {
  batchId: string
  csvPath: string
  destinationName: string
  /** The destination's id ('sandbox' for the sandbox); absent from hosts that predate it. */
  destinationId?: string
  /** The batch goes to the sandbox on this computer: Done says nothing left it. */
  sandbox?: boolean
  /** What the batch is (folders, CSV, mapping), so a resumed batch can be sent elsewhere after. */
  spec?: BatchSpec
  startedAt: string
  updatedAt: string
  filesDone: number
  filesTotal: number
  bytesDone: number
  bytesTotal: number
}

/** Days the delivery ledger remembers a delivered conversation, unless the user sets another. */
export const DEFAULT_LEDGER_RETENTION_DAYS = 400

export interface Settings {
  /**
   * Files in flight at once; null = automatic: 16, up to 64 when the server's answers take long
   * (autoConcurrency in src/transfer/upload-engine.ts). @default null
   */
  concurrency: number | null
  /** Days local journals, reports and generated CSVs are kept. @default 30 */
  retentionDays: number
  /** Days the delivery ledger remembers a delivered conversation. @default 400 */
  ledgerRetentionDays: number
  /**
   * Upload speed limit, in `--bwlimit`'s syntax: `2M`, `500K`, or a local-time timetable such
   * as `08:00,1M 18:00,off`; empty for no limit. @default ''
   */
  bandwidthLimit: string
  /**
   * How SFTP connections reach the server: directly, through the system's proxy for the
   * server (Electron's; the web host uses ALL_PROXY / HTTPS_PROXY like the CLI), or through
   * `proxyUrl`. @default 'system'
   */
  proxy: ProxyMode
  /** `socks5://`, `socks5h://` or `http://` URL, optional `user:password@`; used when `proxy` is 'url'. @default '' */
  proxyUrl: string
  /**
   * Where delivery records live: '' for this computer's own ledger, or the PostgreSQL address
   * (`postgresql://user@host:5432/database`) of a team ledger every computer sending to the same
   * platform account shares, as `--ledger` does. It may hold a password: show it only in its
   * own field (redactLedger elsewhere). @default ''
   */
  teamLedger: string
}

export const PROXY_MODES = ['none', 'system', 'url'] as const
export type ProxyMode = (typeof PROXY_MODES)[number]

// ---------------------------------------------------------------------------------------
// Saved jobs ("Do this automatically"): the same store as `bulk-upload job save`

/** A saved job's last run, as `bulk-upload job run` records it. */
export interface JobLastRun {
  at: string
  /** The run's exit code (0 all delivered, 1 problems, 3 interrupted, 4 refused). */
  exit: number
  batches: number
  uploaded: number
  /** The first error sentence of the run, if any. */
  problem: string | null
}

/** How to run a job nightly on this computer: what `job show NAME --systemd|--cron|--schtasks` prints for this OS. */
export interface JobSchedule {
  scheduler: 'systemd' | 'cron' | 'schtasks'
  text: string
}

export interface JobInfo {
  name: string
  /** The folder it watches: it and every folder under it holding one CSV is a batch. */
  root: string
  /** `user@host:port`. */
  destination: string
  savedAt: string
  lastRun: JobLastRun | null
  schedule: JobSchedule
}

/** What "Do this automatically" saves: a finished batch's folder, mapping and destination. */
export interface JobInput {
  name: string
  /** The folder to watch (the batch's own folder, or the one its daily exports land in). */
  root: string
  spec: BatchSpec
  destinationId: string
}

/** What a folder holds, with the folders just below it: what the picker shows of it. */
export interface FolderCounts {
  csvFiles: number
  recordings: number
  /** False when counting stopped early (a huge or deep folder): the counts are a lower bound. */
  complete: boolean
}

/**
 * One folder as the folder picker shows it: names and counts only, never file contents or
 * other files' names (DESIGN.md: the API reads only what the user picked).
 */
export interface DirectoryListing {
  path: string
  parent: string | null
  here: FolderCounts
  /** Sub-folders; `counts` is null past the first few hundred (not counted, to stay quick). */
  folders: Array<{ name: string; path: string; counts: FolderCounts | null }>
}

/**
 * A file the page hands to the browser as a download: the web host cannot write where a
 * browser user chooses, so the browser's own download (which never replaces a file) does it.
 */
export interface DownloadFile {
  kind: 'download'
  /** Suggested file name, without folders. */
  name: string
  mimeType: string
  text: string
}

/**
 * Where a file the user asked for went: a path chosen in the native save dialog (Electron,
 * which asks before replacing a file), a download (web host), or nowhere (dialog cancelled).
 */
export type SaveOutcome = { kind: 'saved'; path: string } | DownloadFile | { kind: 'cancelled' }

/** Opening a file: shown by the desktop (Electron), or handed to the browser as a download (web host). */
export type OpenOutcome = { kind: 'opened' } | DownloadFile

export interface HostCapabilities {
  /** Electron: native pickers and real paths for dropped files. Web host: neither. */
  kind: 'electron' | 'web'
  nativeDialogs: boolean
}

/** Every call and event the UI uses. */
export interface BulkUploadApi extends AgentListApi, PreviewMediaApi {
  capabilities(): Promise<Result<HostCapabilities>>
  scan(paths: string[]): Promise<Result<ScanSummary>>
  browse(path: string | null): Promise<Result<DirectoryListing>>
  pickFolder(): Promise<Result<string | null>>
  previewCsv(path: string): Promise<Result<CsvPreview>>
  checkProfile(path: string, profile: MappingProfile): Promise<Result<{ fits: boolean; problems: string[] }>>
  convertDateExample(value: string, dateFormat: string, timezone: string): Promise<Result<string>>
  /** Reads the date column's values and proposes their format (DateFormatProposal). */
  proposeDateFormat(path: string, column: string): Promise<Result<DateFormatProposal>>
  /** Reads a mapping profile from the text of a file the user picked in the page. */
  parseMapping(text: string): Promise<Result<MappingProfile>>
  /** Saves a mapping profile where the user chooses (save dialog, or a download). */
  saveMapping(profile: MappingProfile): Promise<Result<SaveOutcome>>
  validate(spec: BatchSpec): Promise<Result<BatchReport>>
  listIssues(checkId: string, query: IssueQuery): Promise<Result<{ total: number; issues: ValidationIssue[] }>>
  /** The problem list as a CSV for a spreadsheet, where the user chooses (save dialog, or a download). */
  exportIssues(checkId: string): Promise<Result<SaveOutcome>>
  /** The rows a checked batch will send, with their recordings and durations, a page at a time. */
  listRecordings(checkId: string, offset: number, limit: number): Promise<Result<{ total: number; rows: RecordingRow[] }>>
  /**
   * A URL the page's audio element plays a recording from (`RecordingRow.media`). Each host
   * makes its own and serves only the checked batch's files: Electron a custom protocol, the
   * web host a route that needs the session's secret (so the page fetches it into a blob URL).
   * Not a transported call; absent where the host cannot play recordings (then no play button).
   */
  mediaUrl?(media: string): Promise<Result<string>>

  listKeys(): Promise<Result<KeyInfo[]>>
  generateKey(name: string, type: 'ed25519' | 'rsa', passphrase: string | null): Promise<Result<KeyInfo>>
  importKey(name: string, text: string, passphrase: string | null): Promise<Result<KeyInfo>>

  listDestinations(): Promise<Result<Destination[]>>
  saveDestination(input: DestinationInput): Promise<Result<Destination>>
  removeDestination(id: string): Promise<Result<void>>
  /** Logs in with the destination's key (its passphrase when protected) and reports the host key. */
  testConnection(destination: DestinationRef, passphrase: string | null): Promise<Result<ConnectionCheck>>
  /** Pins an unknown server's host key. Never replaces a changed key: see forgetHostKey. */
  trustHost(destination: DestinationRef, fingerprint: string): Promise<Result<void>>
  /** Removes every pinned host key of the destination's server (an explicit, warned action). */
  forgetHostKey(destinationId: string): Promise<Result<void>>
  /** Batches delivered to the destination, newest first. */
  listHistory(destinationId: string): Promise<Result<DeliveredBatch[]>>
  /** The sample CSV to give the platform's Setup step, where the user chooses (save dialog, or a download). */
  writeSampleCsv(destinationId: string, spec: BatchSpec | null): Promise<Result<SaveOutcome>>

  startUpload(spec: BatchSpec, destinationId: string, passphrase: string | null): Promise<Result<{ batchId: string }>>
  pauseUpload(batchId: string, paused: boolean): Promise<Result<void>>
  cancelUpload(batchId: string): Promise<Result<void>>
  listInterrupted(): Promise<Result<InterruptedBatch[]>>
  resumeInterrupted(batchId: string, passphrase: string | null): Promise<Result<{ batchId: string }>>
  discardInterrupted(batchId: string): Promise<Result<void>>
  /**
   * Sends an upload's state again, for a page that lost its host for a while: the events so
   * far while it runs, its final event (done or failed) once it ended. NOT_FOUND if unknown.
   */
  resyncUpload(batchId: string): Promise<Result<void>>
  /** Opens a report or a folder of the app's or one the user picked; the web host offers the file as a download. */
  openPath(path: string): Promise<Result<OpenOutcome>>

  getSettings(): Promise<Result<Settings>>
  saveSettings(settings: Settings): Promise<Result<Settings>>

  /** Saves a job from a batch (same store as `bulk-upload job save`); a job of that name is replaced. */
  saveJob(input: JobInput): Promise<Result<JobInfo>>
  listJobs(): Promise<Result<JobInfo[]>>
  removeJob(name: string): Promise<Result<void>>

  onUploadEvent(listener: (event: UploadEvent) => void): () => void
}

/** The names of the request/response calls, used by both transports. */
export type ApiCall = Exclude<keyof BulkUploadApi, 'onUploadEvent' | 'mediaUrl'>
