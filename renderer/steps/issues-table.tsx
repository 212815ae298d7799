/**
 * The flagged rows, fetched from the core a page at a time as they scroll into view
 * (use-paged-rows.ts): a million-row CSV can have a million problems.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import Alert from '@mui/material/Alert'
import AlertTitle from '@mui/material/AlertTitle'
import ButtonBase from '@mui/material/ButtonBase'
import Chip from '@mui/material/Chip'
import type { AppErrorPayload, IssueCode, IssueSeverity, ValidationIssue } from '../../src/api'
import { useApi } from '../api-context'
import { ErrorAlert } from '../components/error-alert'
import { usePagedRows } from '../components/use-paged-rows'
import { VirtualTable, type Column } from '../components/virtual-table'

export const ISSUE_LABELS: Record<IssueCode, string> = {
  CSV_PARSE_ERROR: 'Unreadable row',
  CSV_EMPTY: 'Empty CSV',
  MAPPING_COLUMN_NOT_FOUND: 'Mapped column missing',
  MISSING_FIELD: 'Missing value',
  INVALID_DATE: 'Bad date',
  NO_UTC_OFFSET: 'Date without time zone',
  ALREADY_DELIVERED: 'Already delivered',
  DATE_FORMAT_MISMATCH: 'Date format does not fit',
  LAYOUT_CHANGED: 'Columns changed',
  DUPLICATE_REFERENCE: 'Duplicate reference',
  MISSING_RECORDING: 'No recording',
  UNSAFE_FILENAME: 'Unsafe file name',
  EMPTY_RECORDING: 'Empty recording',
  UNRECOGNISED_AUDIO: 'Not an audio file',
  RECORDING_TRUNCATED: 'Recording cut short',
  RECORDING_UNREADABLE: 'Unreadable recording',
  RECORDING_NO_AUDIO: 'Recording without audio',
  RECORDING_TOO_SHORT: 'Very short recording',
  NAME_COLLISION: 'Name collision',
  CASE_MISMATCH: 'Name case differs',
  ORPHAN_RECORDING: 'Recording not in CSV',
  CONTROL_CHARACTER: 'Control character',
  ROW_TOO_LONG: 'Row too long',
  UNKNOWN_AGENT: 'Agent not known',
  NEW_AGENT: 'New agent',
  DURATION_MISMATCH: 'Duration differs',
}

/** The chip of a severity: what happens to the row. */
const SEVERITY_CHIPS: Record<IssueSeverity, { color: 'error' | 'warning' | 'info'; label: string }> = {
  error: { color: 'error', label: 'Excluded' },
  warning: { color: 'warning', label: 'Warning' },
  notice: { color: 'info', label: 'Notice' },
}

const columns: Column[] = [
  // Fixed columns kept narrow: in an 800-pixel window "What to do" still has room to be read.
  { key: 'row', header: 'Row', width: '4rem', align: 'right' },
  { key: 'sev', header: 'Severity', width: '6.5rem' },
  { key: 'code', header: 'Problem', width: '10rem' },
  { key: 'file', header: 'File', width: '9rem' },
  { key: 'msg', header: 'What to do', wrap: true },
]

export function IssuesTable({ checkId, code, severity }: { checkId: string; code?: IssueCode; severity?: IssueSeverity }) {
  const api = useApi()
  const [error, setError] = useState<AppErrorPayload | null>(null)
  // The row whose whole sentence is shown under the table (a table row holds two lines of it).
  const [open, setOpen] = useState<ValidationIssue | null>(null)
  const load = useCallback(async (offset: number, limit: number) => {
    const r = await api.listIssues(checkId, { code, severity, offset, limit })
    return r.ok ? { ok: true as const, value: { total: r.value.total, rows: r.value.issues } } : r
  }, [api, checkId, code, severity])
  const { total, rowAt, onRange } = usePagedRows(load, setError)
  // A new filter is a new list: the sentence shown belonged to the old one.
  useEffect(() => { setOpen(null) }, [load])
  // The sentence appears under a 400-pixel table, often below the window: bring it into view
  // and give it focus, so the click visibly did something and a screen reader reads it.
  const shown = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (!open) return
    shown.current?.scrollIntoView?.({ block: 'nearest' })
    shown.current?.focus({ preventScroll: true })
  }, [open])

  const renderRow = (i: number) => {
    const issue = rowAt(i)
    if (!issue) return null
    return [
      issue.row === null ? '—' : issue.row.toLocaleString('en-GB'),
      <Chip key="s" size="small" variant="outlined" color={SEVERITY_CHIPS[issue.severity].color} label={SEVERITY_CHIPS[issue.severity].label} />,
      ISSUE_LABELS[issue.code],
      <span key="f" title={issue.file ?? undefined}>{issue.file ?? '—'}</span>,
      <ButtonBase key="m" onClick={() => setOpen(issue)} title={issue.message}
        sx={{ font: 'inherit', textAlign: 'left', display: 'block', width: '100%', color: 'inherit', '&:hover': { textDecoration: 'underline' } }}>
        {issue.message}
      </ButtonBase>,
    ]
  }

  return (
    <>
      <ErrorAlert error={error} onClose={() => setError(null)} />
      <VirtualTable ariaLabel="Flagged rows" columns={columns} rowCount={total ?? 0} renderRow={renderRow}
        onRangeChange={onRange} height={400} rowHeight={56} empty={total === null ? 'Loading…' : 'Nothing flagged with this filter.'} />
      {open && (
        <Alert ref={shown} tabIndex={-1} severity={open.severity === 'error' ? 'error' : open.severity === 'warning' ? 'warning' : 'info'} role="status" onClose={() => setOpen(null)}>
          <AlertTitle>{open.row === null ? ISSUE_LABELS[open.code] : `Row ${open.row.toLocaleString('en-GB')} · ${ISSUE_LABELS[open.code]}`}{open.file ? ` · ${open.file}` : ''}</AlertTitle>
          {open.message}
        </Alert>
      )}
    </>
  )
}
