/**
 * The batch half of the contract (src/api.ts re-exports all of it): what a scan finds, a CSV's
 * preview and mapping, validation findings and the report, the platform layout and dates.
 * Only types and plain constants, like api.ts: the renderer imports it.
 */

/** Recording extensions the platform imports (lower case, without the dot). */
export const RECORDING_EXTENSIONS = ['wav', 'mp3', 'ogg', 'opus', 'm4a', 'aac', 'flac', 'wma', 'amr', 'gsm'] as const
export type RecordingExtension = (typeof RECORDING_EXTENSIONS)[number]

/** The platform's mapped fields; `audioFilename` is the only optional one. */
export const MAPPED_FIELDS = ['contactReference', 'agentId', 'contactDate', 'audioFilename'] as const
export type MappedField = (typeof MAPPED_FIELDS)[number]
export const REQUIRED_FIELDS = ['contactReference', 'agentId', 'contactDate'] as const satisfies readonly MappedField[]

export const FIELD_LABELS: Record<MappedField, string> = {
  contactReference: 'Contact Reference',
  agentId: 'Agent ID',
  contactDate: 'Contact Date',
  audioFilename: 'Audio filename',
}

/** A mapping profile, saved as JSON exactly in this shape. Values are CSV column names. */
export interface MappingProfile {
  contactReference: string
  agentId: string
  contactDate: string
  audioFilename?: string
  /** Luxon format of the source dates, e.g. `dd/MM/yyyy HH:mm`; absent = ISO 8601 already. */
  dateFormat?: string
  /** IANA zone the source dates are in, e.g. `Europe/London`; used with dateFormat. */
  timezone?: string
  /**
   * Optional column holding each call's duration (seconds, or h:mm:ss): checked against the
   * recording's own duration (DURATION_MISMATCH). Not a platform field: sent as an extra column.
   */
  duration?: string
}

export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252'
export type CsvDelimiter = ',' | ';' | '\t' | '|'

/** A file found by a scan; `relPath` is relative to its dropped root, always `/`-separated. */
export interface ScannedFile {
  path: string
  relPath: string
  size: number
  mtimeMs: number
}

/** What the UI is told about a scan: the CSV candidates in full, recordings as totals. */
export interface ScanSummary {
  roots: string[]
  csvFiles: ScannedFile[]
  recordingCount: number
  recordingBytes: number
  /** Counts by lower-case extension, e.g. `{ wav: 120, mp3: 3 }`. */
  byExtension: Record<string, number>
  /** Hidden/system files and symlinks leaving the folder that were left out. */
  skipped: number
}

export interface CsvPreview {
  path: string
  encoding: CsvEncoding
  delimiter: CsvDelimiter
  headers: string[]
  /** The first data rows (at most 100), each as long as `headers`. */
  rows: string[][]
  /** Auto-suggested mapping; a field is absent when no header or several fit it. */
  suggestion: Partial<Record<MappedField, string>>
  /** The mapping last used for a CSV with exactly this header, when the app remembers one. */
  remembered?: RememberedMapping | null
}

/**
 * A mapping applied to a CSV without the user making it: the one used before for a CSV with
 * the same header (`csv`), or the one the last destination's platform layout gives a CSV that
 * names its columns as that layout does (`layout`).
 */
export interface RememberedMapping {
  profile: MappingProfile
  kind: 'csv' | 'layout'
  /** `csv`: the CSV's file name it was used with; `layout`: the destination's name. */
  from: string
  /** ISO 8601 time it was last used (`layout`: when the layout was recorded). */
  usedAt: string
}

/** `notice`: worth knowing before sending, never a reason to change anything. */
export type IssueSeverity = 'error' | 'warning' | 'notice'

export const ISSUE_CODES = [
  'CSV_PARSE_ERROR',
  'CSV_EMPTY',
  'MAPPING_COLUMN_NOT_FOUND',
  'MISSING_FIELD',
  'INVALID_DATE',
  'NO_UTC_OFFSET',
  'DUPLICATE_REFERENCE',
  'MISSING_RECORDING',
  'UNSAFE_FILENAME',
  'EMPTY_RECORDING',
  'UNRECOGNISED_AUDIO',
  'RECORDING_TRUNCATED',
  'RECORDING_UNREADABLE',
  'RECORDING_NO_AUDIO',
  'RECORDING_TOO_SHORT',
  'NAME_COLLISION',
  'CASE_MISMATCH',
  'ORPHAN_RECORDING',
  'ALREADY_DELIVERED',
  'DATE_FORMAT_MISMATCH',
  'LAYOUT_CHANGED',
  'CONTROL_CHARACTER',
  'ROW_TOO_LONG',
  'UNKNOWN_AGENT',
  'NEW_AGENT',
  'DURATION_MISMATCH',
] as const
export type IssueCode = (typeof ISSUE_CODES)[number]

/** One problem found by validation. `row` is the 1-based data row (header not counted). */
export interface ValidationIssue {
  code: IssueCode
  severity: IssueSeverity
  row: number | null
  file: string | null
  message: string
}

/** Everything that defines a batch before it has a destination. */
export interface BatchSpec {
  /** The dropped folders and/or files. */
  paths: string[]
  /** The CSV holding the conversations (one of the scan's csvFiles, or any readable CSV). */
  csvPath: string
  mapping: MappingProfile
  /**
   * Where the batch will go, when known: rows already delivered there are flagged
   * ALREADY_DELIVERED and the platform layout is compared. The app passes a destination id.
   */
  destinationId?: string
  /** Send rows already delivered to this destination again, on purpose. @default false */
  resendDelivered?: boolean
  /**
   * When the source's columns differ from the destination's platform layout: keep writing the
   * platform's layout (default) or adopt the source's as the new layout.
   * @default 'keep'
   */
  layoutChoice?: 'keep' | 'adopt'
}

/** A batch whose CSV reached a destination: one row of the delivery ledger's history. */
export interface DeliveredBatch {
  batchId: string
  /** The CSV's name on the server. */
  csvName: string
  rows: number
  /** Bytes of recordings sent by the run(s) that delivered it. */
  bytes: number
  /** ISO 8601 time the CSV was confirmed on the server. */
  deliveredAt: string
  /** The source CSV it was written from. */
  sourceCsv: string
  /** The report written then, if it is still on this computer. */
  reportCsv: string | null
  reportJson: string | null
}

/** One column of a destination's platform layout: a mapped field, or an extra column. */
export interface LayoutColumn {
  name: string
  field: MappedField | null
}

/** The CSV layout the platform's mapping was set up with, per destination. */
export interface PlatformLayout {
  columns: LayoutColumn[]
  /** ISO 8601 time it was recorded. */
  recordedAt: string
}

/** What the data says about a non-ISO date column's format. */
export interface DateFormatProposal {
  /** Every sampled value is already ISO 8601: no format needed. */
  iso: boolean
  /** Luxon formats that read every sampled value, best first (empty when none does). */
  candidates: string[]
  /** True when the data cannot tell day from month (every day <= 12): the user must choose. */
  ambiguous: boolean
  /** One sentence saying why this format, or why the user must choose. */
  reason: string
  /** Sample values and, for the first candidate, what they become (one proves the order). */
  examples: Array<{ value: string; converted: string | null }>
}

export interface BatchReport {
  /** Identifies this validation run for paging its issues. */
  checkId: string
  /** True when nothing blocks and at least one row is eligible. */
  ready: boolean
  conversations: number
  eligible: number
  excluded: number
  recordings: number
  orphans: number
  /** Bytes of the recordings the eligible rows reference. */
  eligibleBytes: number
  counts: Partial<Record<IssueCode, number>>
  issueTotal: number
  /** Rows already delivered to the destination (left out unless resendDelivered). */
  alreadyDelivered?: number
  /** Earlier deliveries of this batch's rows, newest first (at most 20). */
  deliveredBefore?: DeliveredBatch[]
  /** The destination's platform layout, when one is recorded. */
  layout?: PlatformLayout | null
  /** Durations of the recordings to send, read from their containers. */
  audio?: AudioSummary
  /** The batch's agents against what the destination's platform knows (with a destination). */
  agents?: AgentReport
}

/** One agent ID of a batch and how many of its rows name it. */
export interface AgentCount {
  agent: string
  rows: number
}

/**
 * The agents a batch names that the platform may have no user mapping for: not on the
 * destination's known-agent list (UNKNOWN_AGENT) or, with no list, never delivered (NEW_AGENT).
 */
export interface AgentReport {
  /** Agent IDs on the destination's imported list (0: no list is loaded). */
  listSize: number
  /** Agent IDs delivered to the destination before. */
  deliveredSize: number
  /** Distinct agents of the batch. */
  distinct: number
  /** UNKNOWN_AGENT is an error (its rows are left out), not a warning. */
  strict: boolean
  /** The agents concerned, most rows first (at most 1,000). */
  concerned: AgentCount[]
  /** Distinct agents concerned (may exceed `concerned.length`). */
  concernedTotal: number
  /** Which code they carry: UNKNOWN_AGENT with a list, NEW_AGENT without. */
  code: 'UNKNOWN_AGENT' | 'NEW_AGENT' | null
  /** Where in the platform the user mappings are created: one sentence. */
  whereToMap: string
}

/** Durations of a batch's recordings to send, each recording counted once. */
export interface AudioSummary {
  /** Recordings whose duration is known. */
  recordings: number
  totalSeconds: number
  minSeconds: number | null
  medianSeconds: number | null
  maxSeconds: number | null
}

/** One row of a checked batch that will be sent, with its recording: Review's recordings table. */
export interface RecordingRow {
  /** 1-based data row. */
  row: number
  reference: string
  agent: string
  /** The recording's path inside the batch (as the scan found it). */
  file: string
  size: number
  /** Its duration from its container; null when unknown. */
  seconds: number | null
  /** Opaque handle of the recording for `mediaUrl` (valid while the check is kept). */
  media: string
}

export interface IssueQuery {
  code?: IssueCode
  severity?: IssueSeverity
  offset: number
  limit: number
}

