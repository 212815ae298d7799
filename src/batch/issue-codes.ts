/**
 * The one table of validation findings: for each code its severity, whether it blocks the
 * whole batch, and the sentence the user reads (what is wrong and what to do about it).
 * Every issue the batch core creates goes through `makeIssue`, so wording lives here only.
 */
import type { IssueCode, IssueSeverity, ValidationIssue } from '../api'

/** Facts a message may mention; each builder picks what it needs. */
export interface IssueFacts {
  row?: number | null
  file?: string | null
  column?: string
  value?: string
  detail?: string
  others?: string[]
  /** What proves it (DATE_FORMAT_MISMATCH: what the fitting format reads, and why). */
  evidence?: string
}

interface IssueRule {
  severity: IssueSeverity
  /** A blocking issue stops the whole batch, not just one row. */
  blocks: boolean
  /** Short title for summaries, e.g. in `check`'s counts per code. */
  title: string
  /** The severity when the user asked for this check to be strict (a setting or a flag). */
  strictSeverity?: IssueSeverity
  message(f: IssueFacts): string
}

const rowText = (f: IssueFacts): string => (f.row ? `Row ${f.row}` : 'A row')
const quote = (s: string | undefined): string => `"${(s ?? '').length > 80 ? `${s!.slice(0, 77)}...` : (s ?? '')}"`
const list = (xs: string[] | undefined): string => (xs ?? []).slice(0, 3).join(', ') + ((xs?.length ?? 0) > 3 ? ', ...' : '')

/** Code → severity, blocking, and sentence. The single source of this wording. */
export const ISSUE_RULES: Record<IssueCode, IssueRule> = {
  CSV_PARSE_ERROR: {
    severity: 'error',
    blocks: true,
    title: 'CSV cannot be read',
    message: (f) =>
      `The CSV cannot be read${f.row ? ` at row ${f.row}` : ''}: ${f.detail ?? 'its structure is broken'}. Open it in a spreadsheet, save it again as CSV, and check again.`,
  },
  ROW_TOO_LONG: {
    severity: 'error',
    blocks: true,
    title: 'Row too long',
    message: (f) =>
      `${f.row ? `Row ${f.row} of the CSV` : 'The first line of the CSV'} is over 1 MB long: ${f.detail ?? 'it is not a real row'}. Reading stopped there. Open the file in a spreadsheet or text editor, fix that row (or export it again), and check again.`,
  },
  CSV_EMPTY: {
    severity: 'error',
    blocks: true,
    title: 'CSV is empty',
    message: (f) => `${f.detail ?? 'The CSV has no data rows'}. Choose the CSV that holds the conversations, or export it again with a header row and data.`,
  },
  MAPPING_COLUMN_NOT_FOUND: {
    severity: 'error',
    blocks: true,
    title: 'Mapped column not in the CSV',
    message: (f) =>
      `The column ${quote(f.column)} mapped to ${f.value ?? 'a field'} is not in the CSV header${f.detail ? ` (${f.detail})` : ''}. Map the fields again for this file, or fix the header.`,
  },
  CONTROL_CHARACTER: {
    severity: 'error',
    blocks: false,
    title: 'Control character in a value',
    message: (f) =>
      `${rowText(f)} has an invisible control character (${f.detail ?? 'such as NUL'}) in column ${quote(f.column)}, which the platform cannot take. Remove it in the source (often a broken export), or the row will not be uploaded.`,
  },
  MISSING_FIELD: {
    severity: 'error',
    blocks: false,
    title: 'Required value empty',
    message: (f) => `${rowText(f)} has no ${f.value ?? 'value'} (column ${quote(f.column)}). Fill it in, or the row will not be uploaded.`,
  },
  INVALID_DATE: {
    severity: 'error',
    blocks: false,
    title: 'Invalid date',
    message: (f) =>
      `${rowText(f)} has the date ${quote(f.value)}, which ${f.detail ?? 'is not an ISO 8601 date-time such as 2019-05-03T09:27:23+00:00'}. Correct it, or choose the source date format and time zone.`,
  },
  NO_UTC_OFFSET: {
    severity: 'warning',
    blocks: false,
    title: 'Date without time zone',
    message: (f) =>
      `${rowText(f)} has the date ${quote(f.value)} without a UTC offset${f.detail ? `: ${f.detail}` : ''}. Add an offset such as +00:00, or choose the time zone the calls were recorded in.`,
  },
  DUPLICATE_REFERENCE: {
    severity: 'error',
    blocks: false,
    title: 'Duplicate contact reference',
    message: (f) =>
      `${rowText(f)} repeats the contact reference ${quote(f.value)} first seen on row ${f.detail ?? '?'}. Give each conversation its own reference, or remove the duplicate row.`,
  },
  MISSING_RECORDING: {
    severity: 'error',
    blocks: false,
    title: 'Recording not found',
    message: (f) =>
      `${rowText(f)} needs the recording ${quote(f.value)}, which ${f.detail ?? 'is not in the folder'}. Add the file to the folder or correct the name in the CSV.`,
  },
  UNSAFE_FILENAME: {
    severity: 'error',
    blocks: false,
    title: 'Unsafe file name',
    message: (f) =>
      `${rowText(f)} names the recording ${quote(f.value)}, which points outside the batch folder (${f.detail ?? 'unsafe path'}). Put the recording inside the folder and write its name or relative path.`,
  },
  EMPTY_RECORDING: {
    severity: 'error',
    blocks: false,
    title: 'Empty recording',
    message: (f) => `${rowText(f)} uses the recording ${quote(f.file ?? f.value)}, which is empty (0 bytes). Export the recording again.`,
  },
  UNRECOGNISED_AUDIO: {
    severity: 'warning',
    blocks: false,
    title: 'Not the audio its extension claims',
    message: (f) =>
      `The recording ${quote(f.file ?? undefined)} ${f.detail ?? 'does not look like audio of the kind its extension says'}. Check it plays; export it again if the platform cannot read it.`,
  },
  RECORDING_TRUNCATED: {
    severity: 'error',
    blocks: false,
    title: 'Recording cut short',
    message: (f) =>
      `${rowText(f)} uses the recording ${quote(f.file ?? undefined)}: ${f.detail ?? 'its data ends before its header says'}, so the end of the call is missing. Export the recording again from the phone system.`,
  },
  RECORDING_UNREADABLE: {
    severity: 'error',
    blocks: false,
    title: 'Recording cannot be read',
    message: (f) =>
      `${rowText(f)} uses the recording ${quote(f.file ?? undefined)}, which is not readable audio (${f.detail ?? 'its container does not parse'}). Check it plays, then export it again.`,
  },
  RECORDING_NO_AUDIO: {
    severity: 'error',
    blocks: false,
    title: 'Recording without audio',
    message: (f) =>
      `${rowText(f)} uses the recording ${quote(f.file ?? undefined)}: ${f.detail ?? 'its header declares no samples'}, so there is nothing to play. Export the recording again.`,
  },
  RECORDING_TOO_SHORT: {
    severity: 'warning',
    blocks: false,
    title: 'Very short recording',
    message: (f) =>
      `${rowText(f)} uses the recording ${quote(f.file ?? undefined)}, which lasts only ${f.detail ?? 'under a second'}. Play it to check it is the whole call; it is sent as it is.`,
  },
  NAME_COLLISION: {
    severity: 'error',
    blocks: false,
    title: 'Two recordings, one name',
    message: (f) =>
      `${rowText(f)} uses ${quote(f.file ?? f.value)}, which has the same name as ${list(f.others)}: both would land in the server's root folder and overwrite each other. Rename one of them and update the CSV.`,
  },
  CASE_MISMATCH: {
    severity: 'warning',
    blocks: false,
    title: 'Name matched ignoring letter case',
    message: (f) =>
      `${rowText(f)} names ${quote(f.value)} but the file is ${quote(f.file ?? undefined)}; the uploaded CSV will use the real name. Correct the CSV if this is the wrong file.`,
  },
  ORPHAN_RECORDING: {
    severity: 'warning',
    blocks: false,
    title: 'Recording no row uses',
    message: (f) => `The recording ${quote(f.file ?? undefined)} is not named by any row, so it will not be uploaded. Add a row for it, or ignore this if it is not needed.`,
  },
  ALREADY_DELIVERED: {
    severity: 'warning',
    blocks: false,
    title: 'Already delivered',
    message: (f) =>
      `${rowText(f)} has the contact reference ${quote(f.value)}, already delivered to this destination${f.detail ? ` (${f.detail})` : ''}. It is left out so the platform does not get it twice; choose to send delivered rows again only on purpose.`,
  },
  DATE_FORMAT_MISMATCH: {
    severity: 'error',
    blocks: true,
    title: 'Date format does not fit',
    message: (f) =>
      `The date format ${quote(f.value)} does not read ${f.detail ?? 'some rows'}, but ${quote(list(f.others))} reads ${f.evidence ?? 'every row'}. Choose that format (check day and month order), then check again.`,
  },
  UNKNOWN_AGENT: {
    severity: 'warning',
    strictSeverity: 'error',
    blocks: false,
    title: 'Agent not known to the platform',
    message: (f) =>
      `${rowText(f)} names the agent ${quote(f.value)}, who is not on this destination's list of agents the platform knows${f.detail ? ` (${f.detail})` : ''}. Create a user mapping for this agent in the platform before sending, or the platform cannot import the row; then add the agent to the list.`,
  },
  NEW_AGENT: {
    severity: 'notice',
    blocks: false,
    title: 'Agent not known yet',
    message: (f) =>
      `${rowText(f)} names the agent ${quote(f.value)}, who is not confirmed for this destination. Make sure the platform has a user mapping for this agent, then confirm it (Review's “These agents are right”, or bulk-upload agents confirm), or import the platform's user list (bulk-upload agents import) to check every agent.`,
  },
  DURATION_MISMATCH: {
    severity: 'warning',
    blocks: false,
    title: 'Duration differs from the recording',
    message: (f) =>
      `${rowText(f)} says the call lasted ${f.value ?? '?'} (column ${quote(f.column)}), but its recording ${quote(f.file ?? undefined)} lasts ${f.detail ?? 'a different time'}. Check the row names the right recording; it is sent as it is.`,
  },
  LAYOUT_CHANGED: {
    severity: 'warning',
    blocks: false,
    title: 'Columns differ from the platform layout',
    message: (f) =>
      `The CSV's columns differ from the layout this destination's platform mapping was set up with: ${f.detail ?? 'columns added or removed'}. Keep the platform's layout (missing columns are sent empty, new ones left out), or adopt the new one and update the mapping in the platform.`,
  },
}

/**
 * A flat copy of a string. Values cut from the CSV are slices of a megabyte-long chunk of
 * text; a kept message made from one would keep that whole chunk alive.
 */
const own = (s: string): string => Buffer.from(s, 'utf8').toString('utf8')

/** The severity of a code, or its strict one when the user asked for strict checking. */
export function severityOf(code: IssueCode, strict = false): IssueSeverity {
  const rule = ISSUE_RULES[code]
  return strict ? (rule.strictSeverity ?? rule.severity) : rule.severity
}

/** Builds an issue from the table: the only way issues are created. */
export function makeIssue(code: IssueCode, facts: IssueFacts = {}, strict = false): ValidationIssue {
  const rule = ISSUE_RULES[code]
  return { code, severity: severityOf(code, strict), row: facts.row ?? null, file: facts.file === undefined || facts.file === null ? null : own(facts.file), message: own(rule.message(facts)) }
}

/** True when an issue of this code stops the whole batch. */
export function isBlocking(code: IssueCode): boolean {
  return ISSUE_RULES[code].blocks
}
