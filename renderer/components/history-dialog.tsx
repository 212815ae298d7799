/**
 * What reached each destination: every delivered batch (when, the CSV's name, rows, size and
 * its report), from the delivery ledger. It answers "was this export already sent?" without
 * asking the platform. The table is virtualised: a daily job makes hundreds of batches a year.
 */
import { useCallback, useEffect, useState } from 'react'
import Button from '@mui/material/Button'
import Dialog from '@mui/material/Dialog'
import DialogActions from '@mui/material/DialogActions'
import DialogContent from '@mui/material/DialogContent'
import DialogTitle from '@mui/material/DialogTitle'
import FormControl from '@mui/material/FormControl'
import InputLabel from '@mui/material/InputLabel'
import MenuItem from '@mui/material/MenuItem'
import Select from '@mui/material/Select'
import Stack from '@mui/material/Stack'
import Typography from '@mui/material/Typography'
import type { AppErrorPayload, DeliveredBatch, Destination } from '../../src/api'
import { useApi } from '../api-context'
import { useOpenPath } from '../use-open-path'
import { baseName, formatBytes, formatCount, formatDateTime } from '../format'
import { ErrorAlert, asPayload } from './error-alert'
import { VirtualTable, type Column } from './virtual-table'

const columns: Column[] = [
  { key: 'when', header: 'Delivered', width: '11rem' },
  { key: 'csv', header: 'CSV on the server' },
  { key: 'source', header: 'From', width: '22%' },
  { key: 'rows', header: 'Rows', width: '5rem', align: 'right' },
  { key: 'size', header: 'Recordings', width: '8.5rem', align: 'right' },
  { key: 'report', header: 'Report', width: '6.5rem' },
]

export const destinationLabel = (d: Destination): string => (d.sandbox ? 'Sandbox (this computer)' : d.name)

export function HistoryDialog({ open, destinationId, onClose }: { open: boolean; destinationId: string | null; onClose: () => void }) {
  const api = useApi()
  const [dests, setDests] = useState<Destination[]>([])
  const [chosen, setChosen] = useState<string>('')
  const [batches, setBatches] = useState<DeliveredBatch[] | null>(null)
  const [error, setError] = useState<AppErrorPayload | null>(null)

  useEffect(() => {
    if (!open) return
    let live = true
    setError(null)
    api.listDestinations().then((r) => {
      if (!live) return
      if (!r.ok) { setError(r.error); return }
      setDests(r.value)
      setChosen((c) => (destinationId && r.value.some((d) => d.id === destinationId) ? destinationId : c && r.value.some((d) => d.id === c) ? c : r.value[0]?.id ?? ''))
    }, (e: unknown) => { if (live) setError(asPayload(e)) })
    return () => { live = false }
  }, [api, open, destinationId])

  useEffect(() => {
    if (!open || !chosen) return
    let live = true
    setBatches(null)
    api.listHistory(chosen).then((r) => {
      if (!live) return
      if (r.ok) setBatches(r.value)
      else { setBatches([]); setError(r.error) }
    }, (e: unknown) => { if (live) { setBatches([]); setError(asPayload(e)) } })
    return () => { live = false }
  }, [api, open, chosen])

  const opener = useOpenPath()
  const openReport = opener.open

  const renderRow = useCallback((i: number) => {
    const b = batches?.[i]
    if (!b) return null
    return [
      formatDateTime(b.deliveredAt),
      <span key="c" title={b.csvName}>{b.csvName}</span>,
      <span key="s" title={b.sourceCsv}>{baseName(b.sourceCsv)}</span>,
      b.rows.toLocaleString('en-GB'),
      formatBytes(b.bytes),
      b.reportCsv
        ? <Button key="r" size="small" onClick={() => void openReport(b.reportCsv!)} aria-label={`Open the report of ${b.csvName}`}>Open</Button>
        : <Typography key="r" variant="body2" color="text.secondary" title="Reports are deleted after the local retention period (Settings).">Deleted</Typography>,
    ]
  }, [batches, openReport])

  const rows = batches?.reduce((n, b) => n + b.rows, 0) ?? 0
  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="lg" aria-labelledby="history-title">
      <DialogTitle id="history-title">Delivery history</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <Typography color="text.secondary">
            Batches whose CSV reached the server, newest first. Conversations listed here are left out of later batches to the same destination, so none is imported twice.
          </Typography>
          <Stack direction="row" sx={{ alignItems: 'center', flexWrap: 'wrap', gap: 2 }}>
            <FormControl size="small" sx={{ minWidth: '18rem' }}>
              <InputLabel id="history-dest-label">Destination</InputLabel>
              <Select labelId="history-dest-label" label="Destination" value={dests.some((d) => d.id === chosen) ? chosen : ''} onChange={(e) => setChosen(e.target.value)}>
                {dests.map((d) => <MenuItem key={d.id} value={d.id}>{destinationLabel(d)}</MenuItem>)}
              </Select>
            </FormControl>
            {batches && batches.length > 0 && (
              <Typography aria-live="polite">{formatCount(batches.length, 'batch', 'batches')} · {formatCount(rows, 'row')}</Typography>
            )}
          </Stack>
          <ErrorAlert error={error ?? opener.error} onClose={() => { setError(null); opener.clear() }} />
          {batches === null && chosen
            ? <Typography color="text.secondary">Loading…</Typography>
            // At 800 pixels the fixed columns left "CSV on the server" a letter wide: scroll sideways instead.
            : <VirtualTable ariaLabel="Delivered batches" columns={columns} rowCount={batches?.length ?? 0} renderRow={renderRow} minWidth="58rem"
              height={batches?.length ? Math.min(420, 44 + batches.length * 40) : 'auto'} empty="Nothing has been delivered to this destination yet." />}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  )
}
