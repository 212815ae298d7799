/**
 * Settings that matter to QA managers: how many files go at once, how long local data is kept,
 * and how long the delivery ledger remembers what reached each destination (so overlapping
 * exports never send a conversation twice).
 */
import { useEffect, useState } from 'react'
import Button from '@mui/material/Button'
import Dialog from '@mui/material/Dialog'
import DialogActions from '@mui/material/DialogActions'
import DialogContent from '@mui/material/DialogContent'
import DialogTitle from '@mui/material/DialogTitle'
import Stack from '@mui/material/Stack'
import TextField from '@mui/material/TextField'
import Typography from '@mui/material/Typography'
import { DEFAULT_LEDGER_RETENTION_DAYS, type AppErrorPayload } from '../../src/api'
import { useApi } from '../api-context'
import { ErrorAlert, asPayload } from './error-alert'

export function SettingsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const api = useApi()
  const [concurrency, setConcurrency] = useState('')
  const [retention, setRetention] = useState('')
  const [ledgerRetention, setLedgerRetention] = useState(String(DEFAULT_LEDGER_RETENTION_DAYS))
  const [error, setError] = useState<AppErrorPayload | null>(null)

  useEffect(() => {
    if (!open) return
    setError(null)
    api.getSettings().then((r) => {
      if (r.ok) { setConcurrency(String(r.value.concurrency)); setRetention(String(r.value.retentionDays)); setLedgerRetention(String(r.value.ledgerRetentionDays ?? DEFAULT_LEDGER_RETENTION_DAYS)) } else setError(r.error)
    }, (e: unknown) => setError(asPayload(e)))
  }, [api, open])

  const c = Number(concurrency)
  const d = Number(retention)
  // The same bounds as the core's payload check (main/validate-payload.ts): beyond 10 files
  // the engine opens more connections, as AWS allows 10 channels on each.
  const cOk = Number.isInteger(c) && c >= 1 && c <= 32
  const dOk = Number.isInteger(d) && d >= 1 && d <= 3650
  const l = Number(ledgerRetention)
  const lOk = ledgerRetention.trim() !== '' && Number.isInteger(l) && l >= 1 && l <= 3650

  const save = async () => {
    try {
      const r = await api.saveSettings({ concurrency: c, retentionDays: d, ledgerRetentionDays: l })
      if (r.ok) onClose()
      else setError(r.error)
    } catch (e) { setError(asPayload(e)) }
  }

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="xs" aria-labelledby="settings-title">
      <form onSubmit={(e) => { e.preventDefault(); if (cOk && dOk && lOk) void save() }}>
        <DialogTitle id="settings-title">Settings</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <TextField label="Files sent at once" type="number" value={concurrency} onChange={(e) => setConcurrency(e.target.value)}
              error={!cOk} helperText={cOk ? 'More is faster on a good connection. 1 to 32.' : 'A whole number from 1 to 32.'}
              slotProps={{ htmlInput: { min: 1, max: 32 } }} />
            <TextField label="Keep local history (days)" type="number" value={retention} onChange={(e) => setRetention(e.target.value)}
              error={!dOk} helperText={dOk ? 'Journals, reports and generated CSVs older than this are deleted. Recordings are never copied.' : 'A whole number of days from 1 to 3,650.'}
              slotProps={{ htmlInput: { min: 1 } }} />
            <TextField label="Remember delivered conversations for (days)" type="number" value={ledgerRetention} onChange={(e) => setLedgerRetention(e.target.value)}
              error={!lOk} helperText={lOk ? 'Rows delivered within this many days are never sent to the same destination again. Only references are kept, no recordings.' : 'A whole number of days from 1 to 3,650.'}
              slotProps={{ htmlInput: { min: 1, max: 3650 } }} />
            <Typography variant="body2" color="text.secondary">Light or dark appearance follows your computer’s setting.</Typography>
            <ErrorAlert error={error} />
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={!cOk || !dOk || !lOk}>Save</Button>
        </DialogActions>
      </form>
    </Dialog>
  )
}
