/**
 * The flagged rows, fetched from the core a page at a time as they scroll into view: a
 * million-row CSV can have a million problems, and the renderer must never hold them all.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import Alert from '@mui/material/Alert'
import AlertTitle from '@mui/material/AlertTitle'
import ButtonBase from '@mui/material/ButtonBase'
import Chip from '@mui/material/Chip'
import type { AppErrorPayload, IssueCode, IssueSeverity, ValidationIssue } from '../../src/api'
import { useApi } from '../api-context'
import { ErrorAlert, asPayload } from '../components/error-alert'
import { VirtualTable, type Column } from '../components/virtual-table'

export const PAGE_SIZE = 200

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
  // Pages live in a ref: they are a cache, and the `loaded` counter below says when to redraw.
  const pages = useRef(new Map<number, ValidationIssue[]>())
  const pending = useRef(new Set<number>())
  const [total, setTotal] = useState<number | null>(null)
  const [, setLoaded] = useState(0)
  const [error, setError] = useState<AppErrorPayload | null>(null)
  // The row whose whole sentence is shown under the table (a table row holds two lines of it).
  const [open, setOpen] = useState<ValidationIssue | null>(null)
  const generation = useRef(0)

  const fetchPage = useCallback(async (page: number) => {
    if (pages.current.has(page) || pending.current.has(page)) return
    const gen = generation.current
    pending.current.add(page)
    try {
      const r = await api.listIssues(checkId, { code, severity, offset: page * PAGE_SIZE, limit: PAGE_SIZE })
      if (gen !== generation.current) return
      if (!r.ok) { setError(r.error); return }
      pages.current.set(page, r.value.issues)
      setTotal(r.value.total)
      setLoaded((n) => n + 1)
    } catch (e) {
      setError(asPayload(e))
    } finally {
      pending.current.delete(page)
    }
  }, [api, checkId, code, severity])

  useEffect(() => {
    // A new filter is a new list: forget the old pages and ignore answers still on the way.
    generation.current += 1
    pages.current = new Map()
    pending.current = new Set()
    setTotal(null)
    setOpen(null)
    void fetchPage(0)
  }, [fetchPage])

  const onRange = useCallback((start: number, end: number) => {
    for (let p = Math.floor(start / PAGE_SIZE); p <= Math.floor(end / PAGE_SIZE); p++) void fetchPage(p)
  }, [fetchPage])

  const renderRow = (i: number) => {
    const issue = pages.current.get(Math.floor(i / PAGE_SIZE))?.[i % PAGE_SIZE]
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
        <Alert severity={open.severity === 'error' ? 'error' : open.severity === 'warning' ? 'warning' : 'info'} role="status" onClose={() => setOpen(null)}>
          <AlertTitle>{open.row === null ? ISSUE_LABELS[open.code] : `Row ${open.row.toLocaleString('en-GB')} · ${ISSUE_LABELS[open.code]}`}{open.file ? ` · ${open.file}` : ''}</AlertTitle>
          {open.message}
        </Alert>
      )}
    </>
  )
}
