/**
 * The rows the batch will send, each with its recording's duration and a play button, so a
 * QA manager can spot-check that row 119's recording really is call CR1900118 before it goes.
 * Fetched a page at a time (a batch can send a million rows); one recording plays at a time,
 * in a single player above the table (components/recording-player.tsx, shared with the
 * mapping preview). The host serves only this batch's files (mediaUrl).
 */
import { useCallback, useEffect, useState } from 'react'
import Box from '@mui/material/Box'
import type { AppErrorPayload } from '../../src/api'
import { useApi } from '../api-context'
import { ErrorAlert } from '../components/error-alert'
import { PlayButton, RecordingPlayer, usePlayFocus, useRecordingPlayer } from '../components/recording-player'
import { usePagedRows } from '../components/use-paged-rows'
import { VirtualTable, type Column } from '../components/virtual-table'
import { formatClock } from '../format'

export function RecordingsTable({ checkId }: { checkId: string }) {
  const api = useApi()
  const [error, setError] = useState<AppErrorPayload | null>(null)
  const { canPlay, playing, play, stop } = useRecordingPlayer(setError)
  const load = useCallback((offset: number, limit: number) => api.listRecordings(checkId, offset, limit), [api, checkId])
  const { total, rowAt, onRange } = usePagedRows(load, setError)
  // One Tab stop for the column of play buttons; arrows move between rows.
  const focus = usePlayFocus(total ? 0 : null)
  // Another check is another list: the recording playing belonged to the old one.
  useEffect(() => { stop() }, [load, stop])

  const columns: Column[] = [
    { key: 'row', header: 'Row', width: '5rem', align: 'right' },
    { key: 'ref', header: 'Contact reference', width: '12rem' },
    { key: 'agent', header: 'Agent', width: '16rem' },
    { key: 'file', header: 'Recording' },
    { key: 'len', header: 'Duration', width: '6rem', align: 'right' },
    ...(canPlay ? [{ key: 'play', header: 'Play', width: '4.5rem' }] : []),
  ]
  const renderRow = (i: number) => {
    const r = rowAt(i)
    if (!r) return null
    const cells = [
      r.row.toLocaleString('en-GB'),
      <span key="r" title={r.reference}>{r.reference}</span>,
      <span key="a" title={r.agent}>{r.agent}</span>,
      <span key="f" title={r.file}>{r.file}</span>,
      formatClock(r.seconds),
    ]
    if (canPlay) {
      cells.push(<PlayButton key="p" row={r} playing={playing?.row.row === r.row} onPlay={(row) => void play(row)} index={i} focus={focus} />)
    }
    return cells
  }

  return (
    <Box>
      <ErrorAlert error={error} onClose={() => setError(null)} />
      <RecordingPlayer playing={playing} />
      <VirtualTable columns={columns} rowCount={total ?? 0} renderRow={renderRow} onRangeChange={onRange} height={360}
        ariaLabel="Rows to send, with their recordings" empty={total === 0 ? 'No row will be sent.' : 'Loading…'} />
    </Box>
  )
}
