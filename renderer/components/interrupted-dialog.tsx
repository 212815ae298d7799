/**
 * On start: batches that stopped half-way (a closed laptop, a dropped network, a crash) are
 * offered for resume — what, when and how far — or discarded. Nothing resumes without asking.
 */
import { useState } from 'react'
import Box from '@mui/material/Box'
import Button from '@mui/material/Button'
import Dialog from '@mui/material/Dialog'
import DialogActions from '@mui/material/DialogActions'
import DialogContent from '@mui/material/DialogContent'
import DialogTitle from '@mui/material/DialogTitle'
import LinearProgress from '@mui/material/LinearProgress'
import Paper from '@mui/material/Paper'
import Stack from '@mui/material/Stack'
import TextField from '@mui/material/TextField'
import Typography from '@mui/material/Typography'
import type { AppErrorPayload, InterruptedBatch } from '../../src/api'
import { useApi } from '../api-context'
import { baseName, formatBytes, formatDateTime } from '../format'
import { ErrorAlert, asPayload } from './error-alert'

export function InterruptedDialog({ batches, onResumed, onDiscarded, onClose }: {
  batches: InterruptedBatch[]
  /** `batchId` is the id it runs under now (the same unless its destination was edited). */
  onResumed: (batchId: string, batch: InterruptedBatch) => void
  onDiscarded: (batchId: string) => void
  onClose: () => void
}) {
  const api = useApi()
  const [error, setError] = useState<AppErrorPayload | null>(null)
  const [askPass, setAskPass] = useState<string | null>(null)
  const [passphrase, setPassphrase] = useState('')
  const [busy, setBusy] = useState<string | null>(null)

  const resume = async (b: InterruptedBatch) => {
    setBusy(b.batchId)
    setError(null)
    try {
      const r = await api.resumeInterrupted(b.batchId, askPass === b.batchId ? passphrase : null)
      if (r.ok) { onResumed(r.value.batchId, b); return }
      if (r.error.code === 'KEY_PASSPHRASE_NEEDED') setAskPass(b.batchId)
      setError(r.error)
    } catch (e) { setError(asPayload(e)) } finally { setBusy(null) }
  }
  // Discarding forgets where the batch got to, for good: it is asked first.
  const [discarding, setDiscarding] = useState<InterruptedBatch | null>(null)
  const discard = async (b: InterruptedBatch) => {
    setDiscarding(null)
    setBusy(b.batchId)
    try {
      const r = await api.discardInterrupted(b.batchId)
      if (r.ok) onDiscarded(b.batchId)
      else setError(r.error)
    } catch (e) { setError(asPayload(e)) } finally { setBusy(null) }
  }

  return (
    <Dialog open={batches.length > 0} onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="int-title">
      <DialogTitle id="int-title">{batches.length === 1 ? 'An upload did not finish' : `${batches.length} uploads did not finish`}</DialogTitle>
      <DialogContent>
        <Typography color="text.secondary" sx={{ mb: 2 }}>
          Resume to send what is left: files already on the server are checked and not sent again. Discard to forget the batch; files already sent stay on the server.
        </Typography>
        <Stack spacing={1.5}>
          {batches.map((b) => {
            const pct = b.bytesTotal > 0 ? (b.bytesDone / b.bytesTotal) * 100 : 0
            return (
              <Paper key={b.batchId} variant="outlined" sx={{ p: 2 }} role="group" aria-label={`Interrupted batch ${baseName(b.csvPath)}`}>
                <Typography sx={{ fontWeight: 650, overflowWrap: 'anywhere' }}>{baseName(b.csvPath)} → {b.destinationName}</Typography>
                <Typography variant="body2" color="text.secondary">
                  Started {formatDateTime(b.startedAt)} · last activity {formatDateTime(b.updatedAt)}
                </Typography>
                <LinearProgress variant="determinate" value={pct} sx={{ my: 1.25, height: 8, borderRadius: 4 }} aria-label="Progress before it stopped" />
                <Typography variant="body2">
                  {b.filesDone.toLocaleString('en-GB')} of {b.filesTotal.toLocaleString('en-GB')} files · {formatBytes(b.bytesDone)} of {formatBytes(b.bytesTotal)}
                </Typography>
                {askPass === b.batchId && (
                  <TextField type="password" label="Key passphrase" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} size="small" sx={{ mt: 1.5 }} fullWidth autoFocus />
                )}
                <Box sx={{ display: 'flex', gap: 1, mt: 1.5, justifyContent: 'flex-end' }}>
                  <Button color="error" disabled={busy !== null} onClick={() => setDiscarding(b)}>Discard…</Button>
                  <Button variant="contained" disabled={busy !== null} onClick={() => void resume(b)}>{busy === b.batchId ? 'Resuming…' : 'Resume'}</Button>
                </Box>
              </Paper>
            )
          })}
        </Stack>
        <ErrorAlert error={error} sx={{ mt: 2 }} />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Decide later</Button>
      </DialogActions>
      <Dialog open={discarding !== null} onClose={() => setDiscarding(null)} maxWidth="xs" fullWidth aria-labelledby="discard-title" aria-describedby="discard-text">
        <DialogTitle id="discard-title">Discard this upload?</DialogTitle>
        <DialogContent>
          <Typography id="discard-text">
            The app forgets how far “{discarding ? baseName(discarding.csvPath) : ''}” got, and its report. Recordings already sent stay on the server, but the CSV was not sent,
            so the platform imports nothing from this batch until you upload it again from the first step.
          </Typography>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setDiscarding(null)} autoFocus>Keep it</Button>
          <Button color="error" variant="contained" onClick={() => discarding && void discard(discarding)}>Discard upload</Button>
        </DialogActions>
      </Dialog>
    </Dialog>
  )
}
