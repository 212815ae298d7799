/**
 * Every file of the batch with its own bar and state, those in flight first, with a search by name. A recording that failed is "Not sent"
 * (it is retried by the next run, and its row is left out of this run's CSV), and once a
 * batch stopped or was cancelled nothing unfinished reads as waiting or done. The list is virtualised and reads the
 * store through one selector, so with 100,000 files a redraw touches only the ~20 rows in
 * view, at most ten times a second (see NOTIFY_INTERVAL_MS).
 */
import { useCallback, useMemo, useState } from 'react'
import Box from '@mui/material/Box'
import Chip from '@mui/material/Chip'
import Stack from '@mui/material/Stack'
import ToggleButton from '@mui/material/ToggleButton'
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup'
import LinearProgress from '@mui/material/LinearProgress'
import TextField from '@mui/material/TextField'
import Tooltip from '@mui/material/Tooltip'
import type { FileState } from '../../src/api'
import { VirtualTable, type Column } from '../components/virtual-table'
import { formatBytes } from '../format'
import { CHUNK_SIZE, rowAt, type UploadState } from '../state/upload-reducer'
import { useUploadState, type UploadStore } from '../state/upload-store'

const STATE_LABEL: Record<FileState, string> = {
  waiting: 'Waiting', uploading: 'Uploading', done: 'Done', skipped: 'Already there', retrying: 'Retrying', failed: 'Not sent',
}
/** What a failed recording means for the user: said in the row's tooltip. */
export const NOT_SENT_HINT = 'Not sent — will be retried next run; its row is left out of this run’s CSV.'
const STATE_COLOR: Record<FileState, 'default' | 'primary' | 'success' | 'warning' | 'error' | 'info'> = {
  waiting: 'default', uploading: 'primary', done: 'success', skipped: 'info', retrying: 'warning', failed: 'error',
}

const columns: Column[] = [
  { key: 'name', header: 'File' },
  { key: 'size', header: 'Size', width: '7rem', align: 'right' },
  { key: 'bar', header: 'Progress', width: '22%' },
  { key: 'state', header: 'State', width: '9.5rem' },
]

/** The chunks array changes identity whenever any row changes; that is what the list needs. */
const selectChunks = (s: UploadState) => s.chunks
const selectCounts = (s: UploadState) => s.counts
const selectStopped = (s: UploadState) => s.status === 'failed'
const selectPaused = (s: UploadState) => s.status === 'paused'

type Filter = 'all' | 'active' | 'problems'
const MATCHES: Record<Exclude<Filter, 'all'>, ReadonlySet<FileState>> = {
  active: new Set(['uploading', 'retrying']),
  problems: new Set(['failed', 'retrying']),
}

/** The order of "All files": what moves first, then what needs a look, then what waits, then what is done. */
const ORDER: Record<FileState, number> = { uploading: 0, retrying: 0, failed: 1, waiting: 2, done: 3, skipped: 3 }

/**
 * Row numbers of the files to list, in the order shown: in flight, failed, waiting, done (the
 * CSV last, as it is sent last), narrowed to a filter and to names containing `query`. One pass
 * over every row, at most ten times a second: a few milliseconds for 100,000 files.
 */
export function listedRows(chunks: UploadState['chunks'], filter: Filter, query: string): number[] {
  const wanted = filter === 'all' ? null : MATCHES[filter]
  const needle = query.trim().toLowerCase()
  const buckets: number[][] = [[], [], [], []]
  let csv: number | null = null
  chunks.forEach((chunk, c) => chunk.forEach((r, j) => {
    if (wanted && !wanted.has(r.state)) return
    if (needle && !r.file.toLowerCase().includes(needle)) return
    const i = c * CHUNK_SIZE + j
    if (r.isCsv) csv = i
    else buckets[ORDER[r.state]]!.push(i)
  }))
  const out = buckets.flat()
  if (csv !== null) out.push(csv)
  return out
}

export function FileList({ store }: { store: UploadStore }) {
  const chunks = useUploadState(store, selectChunks)
  const counts = useUploadState(store, selectCounts)
  const stopped = useUploadState(store, selectStopped)
  const paused = useUploadState(store, selectPaused)
  const [filter, setFilter] = useState<Filter>('all')
  const [query, setQuery] = useState('')
  const state = store.getState()
  const rows = useMemo(() => listedRows(chunks, filter, query), [chunks, filter, query])
  const renderRow = useCallback((i: number) => {
    const r = rowAt(state, rows[i]!)
    if (!r) return null
    const pct = r.size > 0 ? Math.min(100, (r.sent / r.size) * 100) : r.state === 'done' || r.state === 'skipped' ? 100 : 0
    // A stopped batch finishes nothing more: what did not finish was not sent.
    const unsent = r.state === 'failed' || (stopped && r.state !== 'done' && r.state !== 'skipped')
    const chip = unsent
      ? <Chip size="small" label="Not sent" color={r.state === 'failed' ? 'error' : 'default'} variant={r.state === 'failed' ? 'filled' : 'outlined'} />
      : <Chip size="small" label={r.state === 'retrying' ? `Retrying (${r.attempt})` : paused && r.state === 'uploading' ? 'Paused' : STATE_LABEL[r.state]} color={STATE_COLOR[r.state]} variant={r.state === 'waiting' ? 'outlined' : 'filled'} />
    const hint = r.state === 'failed' ? `${NOT_SENT_HINT} ${r.error?.message ?? ''}`.trim() : r.error?.message ?? (unsent ? (r.isCsv ? 'The CSV was not sent.' : 'Not sent — will be sent by the next run.') : null)
    return [
      <span key="n" title={r.file} style={{ fontWeight: r.isCsv ? 650 : undefined }}>
        {r.isCsv ? `${r.file} — the CSV, sent last` : r.file}
        {r.state === 'failed' && <Box component="span" sx={{ color: 'error.main' }}> — not sent, will be retried next run</Box>}
      </span>,
      r.size ? formatBytes(r.size) : '—',
      <LinearProgress key="b" variant="determinate" value={pct} aria-label={`${r.file} ${Math.round(pct)}%`}
        color={r.state === 'failed' ? 'error' : r.state === 'retrying' ? 'warning' : r.state === 'done' ? 'success' : 'primary'} sx={{ height: 6, borderRadius: 3 }} />,
      hint ? <Tooltip key="s" title={hint}><span tabIndex={0}>{chip}</span></Tooltip> : chip,
    ]
  }, [state, rows, stopped, paused])
  return (
    <Stack spacing={1.5}>
      <Stack direction="row" sx={{ alignItems: 'center', flexWrap: 'wrap', gap: 1.5 }}>
        <ToggleButtonGroup size="small" color="primary" exclusive value={filter} onChange={(_e, v: Filter | null) => v && setFilter(v)} aria-label="Which files to show">
          <ToggleButton value="all">All files ({state.count.toLocaleString('en-GB')})</ToggleButton>
          <ToggleButton value="active">In progress ({(counts.uploading + counts.retrying).toLocaleString('en-GB')})</ToggleButton>
          <ToggleButton value="problems">Problems ({(counts.failed + counts.retrying).toLocaleString('en-GB')})</ToggleButton>
        </ToggleButtonGroup>
        <TextField size="small" type="search" label="Find a file" value={query} onChange={(e) => setQuery(e.target.value)} sx={{ minWidth: '14rem' }} />
      </Stack>
      <VirtualTable ariaLabel="Files in this batch" columns={columns} rowCount={rows.length} renderRow={renderRow} height={380} rowHeight={40}
        empty={query.trim() ? `No file of this list has “${query.trim()}” in its name.` : filter === 'problems' ? 'No failed or retrying files.' : 'No file is being sent right now.'} />
    </Stack>
  )
}
