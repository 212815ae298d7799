/**
 * Every file of the batch with its own bar and state. The list is virtualised and reads the
 * store through one selector, so with 100,000 files a redraw touches only the ~20 rows in
 * view, at most ten times a second (see NOTIFY_INTERVAL_MS).
 */
import { useCallback } from 'react'
import Chip from '@mui/material/Chip'
import LinearProgress from '@mui/material/LinearProgress'
import Tooltip from '@mui/material/Tooltip'
import type { FileState } from '../../src/api'
import { VirtualTable, type Column } from '../components/virtual-table'
import { formatBytes } from '../format'
import { rowAt, type UploadState } from '../state/upload-reducer'
import { useUploadState, type UploadStore } from '../state/upload-store'

const STATE_LABEL: Record<FileState, string> = {
  waiting: 'Waiting', uploading: 'Uploading', done: 'Done', skipped: 'Already there', retrying: 'Retrying', failed: 'Failed',
}
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

export function FileList({ store }: { store: UploadStore }) {
  useUploadState(store, selectChunks)
  const state = store.getState()
  const renderRow = useCallback((i: number) => {
    const r = rowAt(state, i)
    if (!r) return null
    const pct = r.size > 0 ? Math.min(100, (r.sent / r.size) * 100) : r.state === 'done' || r.state === 'skipped' ? 100 : 0
    const chip = <Chip size="small" label={r.state === 'retrying' ? `Retrying (${r.attempt})` : STATE_LABEL[r.state]} color={STATE_COLOR[r.state]} variant={r.state === 'waiting' ? 'outlined' : 'filled'} />
    return [
      <span key="n" title={r.file} style={{ fontWeight: r.isCsv ? 650 : undefined }}>{r.isCsv ? `${r.file} — the CSV, sent last` : r.file}</span>,
      r.size ? formatBytes(r.size) : '—',
      <LinearProgress key="b" variant="determinate" value={pct} aria-label={`${r.file} ${Math.round(pct)}%`}
        color={r.state === 'failed' ? 'error' : r.state === 'retrying' ? 'warning' : r.state === 'done' ? 'success' : 'primary'} sx={{ height: 6, borderRadius: 3 }} />,
      r.error ? <Tooltip key="s" title={r.error.message}><span tabIndex={0}>{chip}</span></Tooltip> : chip,
    ]
  }, [state])
  return <VirtualTable ariaLabel="Files in this batch" columns={columns} rowCount={state.count} renderRow={renderRow} height={380} rowHeight={40} />
}
