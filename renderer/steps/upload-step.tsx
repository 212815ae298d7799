/**
 * Step 5: the upload as it happens — overall bar, bytes, files, speed and time left, then
 * every file. Recordings go first and the CSV last, only once every recording it names is on
 * the server; the list says so on the CSV's row. A cancelled upload never reads as success:
 * it says how many recordings are on the server, that the CSV was not sent, and offers to
 * upload again to finish.
 */
import { useEffect, useState } from 'react'
import Alert from '@mui/material/Alert'
import AlertTitle from '@mui/material/AlertTitle'
import Box from '@mui/material/Box'
import Button from '@mui/material/Button'
import Dialog from '@mui/material/Dialog'
import DialogActions from '@mui/material/DialogActions'
import DialogContent from '@mui/material/DialogContent'
import DialogContentText from '@mui/material/DialogContentText'
import DialogTitle from '@mui/material/DialogTitle'
import LinearProgress from '@mui/material/LinearProgress'
import Paper from '@mui/material/Paper'
import Stack from '@mui/material/Stack'
import Typography from '@mui/material/Typography'
import type { AppErrorPayload } from '../../src/api'
import { useApi } from '../api-context'
import { ErrorAlert, asPayload, withCode } from '../components/error-alert'
import { StepLayout } from '../components/step-layout'
import { formatBytes, formatCount, formatDuration } from '../format'
import { overallFigures, type UploadState } from '../state/upload-reducer'
import { useUploadState } from '../state/upload-store'
import { useUploadStore } from '../state/upload-store-context'
import { useTabTitle } from '../use-tab-title'
import { RetryNotice } from './retry-notice'
import type { StepProps } from '../wizard'
import { FileList } from './file-list'

/** How long "Starting…" may last before the screen says something is off. */
export const STALL_MS = 10_000
/** How long a running upload may stay silent (no progress at all) before the screen says so. */
export const SILENT_MS = 30_000

const selectStatus = (s: UploadState) => s.status
const selectProgress = (s: UploadState) => s.progress
const selectCounts = (s: UploadState) => s.counts
const selectSummary = (s: UploadState) => s.summary
const selectError = (s: UploadState) => s.error
const selectRetry = (s: UploadState) => s.lastRetry
const selectWaiting = (s: UploadState) => s.waitingForCommit
// Primitives: a selector returning a new object each time would make React render forever.
const selectSentPct = (s: UploadState) => overallFigures(s).sentPct
const selectWrittenPct = (s: UploadState) => overallFigures(s).writtenPct
const selectNotSent = (s: UploadState) => overallFigures(s).notSent
const selectHeardFromServer = (s: UploadState) => s.counts.done + s.counts.skipped > 0 || s.shownBytes > 0

/**
 * Errors whose core sentence blames the address ("Check the host name and port"), which is
 * wrong once the server took part of the batch. CONNECTION_LOST and TIMEOUT already say it right.
 */
const UNREACHABLE = new Set(['CONNECTION_REFUSED'])

/**
 * The sentence for an upload that could not reach its server. The core's sentence fits a first
 * connection ("Check the host name and port"); a server that took part of this batch and then
 * went quiet has the right address: it is down or restarting, so say that, and what happens next.
 */
export function unreachableSentence(error: AppErrorPayload, heardFromServer: boolean, stopped: boolean): string | null {
  if (!heardFromServer || !UNREACHABLE.has(error.code)) return null
  return stopped
    ? 'The server stopped answering during the upload: it took part of this batch, so its address is right, but it is down or restarting. Recordings already on the server stay there and are not sent again; the CSV was not sent. Try again once the server is back.'
    : 'The server stopped answering during the upload. It took part of this batch, so its address is right: it may be down or restarting.'
}

/**
 * The sentence for a cancelled batch. The engine's details say how far it got ("Cancelled: N of
 * M recordings are on the server; …"); the wizard tells the user what that means here.
 */
export function cancelledSentence(error: AppErrorPayload): string {
  const figures = /([\d,]+) of ([\d,]+) recordings?(?: (?:is|are))? on the server/
  const m = figures.exec(error.message) ?? figures.exec(error.details ?? '')
  if (!m) return 'Cancelled. The CSV was not sent; upload again to finish.'
  return `Cancelled: ${m[1]} of ${m[2]} recordings are on the server. The CSV was not sent; upload again to finish.`
}

export function UploadStep({ data, update, restart }: StepProps) {
  const api = useApi()
  const store = useUploadStore()
  const status = useUploadState(store, selectStatus)
  const p = useUploadState(store, selectProgress)
  const pct = useUploadState(store, selectSentPct)
  const writtenPct = useUploadState(store, selectWrittenPct)
  const notSent = useUploadState(store, selectNotSent)
  const heardFromServer = useUploadState(store, selectHeardFromServer)
  const counts = useUploadState(store, selectCounts)
  const waitingForCommit = useUploadState(store, selectWaiting)
  const summary = useUploadState(store, selectSummary)
  const failure = useUploadState(store, selectError)
  const lastRetry = useUploadState(store, selectRetry)
  const [confirmCancel, setConfirmCancel] = useState(false)
  const [error, setError] = useState<AppErrorPayload | null>(null)
  const [stalled, setStalled] = useState(false)
  const [cancelling, setCancelling] = useState(false)
  const batchId = data.batchId
  const cancelled = status === 'failed' && failure?.code === 'CANCELLED'

  // This screen shows this batch: a state left from another is dropped, an early end is kept.
  useEffect(() => { if (batchId) store.watch(batchId, data.resumedBytes) }, [batchId, store, data.resumedBytes])

  useEffect(() => {
    if (status === 'done' && summary) update({ summary, step: 'done' })
  }, [status, summary, update])

  // A running engine reports about ten times a second; a long silence means the app's
  // background side stopped or lost the connection, which the contract cannot announce.
  const [silent, setSilent] = useState(false)
  useEffect(() => {
    if (status !== 'running') { setSilent(false); return }
    const t = setInterval(() => setSilent(Date.now() - store.lastEventAt() > SILENT_MS), 2_000)
    return () => clearInterval(t)
  }, [status, store])

  // The engine answers a start with events; if none come, say so rather than wait forever.
  useEffect(() => {
    if (status !== 'idle') { setStalled(false); return }
    const t = setTimeout(() => setStalled(true), STALL_MS)
    return () => clearTimeout(t)
  }, [status])

  const call = async (work: () => Promise<{ ok: true } | { ok: false; error: AppErrorPayload }>) => {
    setError(null)
    try {
      const r = await work()
      if (!r.ok) setError(r.error)
      return r.ok
    } catch (e) { setError(asPayload(e)); return false }
  }

  // After a cancel: start again as it was started (same spec, destination and passphrase); the
  // engine skips what is already on the server. A batch resumed from the start screen has no
  // spec here, and continues from its journal instead.
  const again = async () => {
    setError(null)
    setCancelling(false)
    const last = data.lastStart
    try {
      store.reset()
      const r = last ? await api.startUpload(last.spec, last.destinationId, last.passphrase) : batchId ? await api.resumeInterrupted(batchId, null) : null
      if (r && r.ok) update({ batchId: r.value.batchId })
      else if (r) setError(r.error)
    } catch (e) { setError(asPayload(e)) }
  }

  // Both figures only grow (overallFigures): a server that drops makes files in flight start
  // over, which the speed shows, but the user's sense of how far the batch got must not go back.
  const paused = status === 'paused'
  const running = status === 'running' || paused
  const heading = cancelled ? 'Cancelled' : cancelling && running ? 'Cancelling…' : status === 'idle' ? 'Starting…' : paused ? 'Paused' : status === 'failed' ? 'Upload stopped' : status === 'done' ? 'Finished' : `${Math.floor(pct)}% sent`
  useTabTitle(heading)
  return (
    <StepLayout
      title="Upload"
      intro={uploadIntro(status, data.destinationName)}
      extra={running && batchId ? (
        <>
          <Button variant="outlined" color="error" disabled={cancelling} onClick={() => setConfirmCancel(true)}>Cancel upload</Button>
          <Button variant="contained" onClick={() => void call(() => api.pauseUpload(batchId, !paused))}>{paused ? 'Resume' : 'Pause'}</Button>
        </>
      ) : undefined}
    >
      <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 } }}>
        <Stack direction="row" sx={{ alignItems: 'baseline', justifyContent: 'space-between', flexWrap: 'wrap', gap: 1 }}>
          <Typography variant="h2" component="p" aria-live="polite">{heading}</Typography>
          <Typography color="text.secondary">{formatBytes(p.bytesSent)} of {formatBytes(p.bytesTotal)}</Typography>
        </Stack>
        {/* Solid: on the server (the headline's figure, which screen readers hear); lighter: still being written. */}
        <LinearProgress variant="buffer" value={pct} valueBuffer={Math.max(pct, writtenPct)} aria-label="Overall progress" sx={{ height: 12, borderRadius: 6, my: 2 }}
          aria-valuenow={Math.floor(pct)} aria-valuetext={`${Math.floor(pct)}% sent`}
          color={cancelled || paused ? 'warning' : status === 'failed' ? 'error' : 'primary'} />
        <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fit, minmax(9rem, 1fr))' }}>
          <Figure label="Files" value={`${p.filesDone.toLocaleString('en-GB')} of ${p.filesTotal.toLocaleString('en-GB')}`} />
          <Figure label="Speed" value={running && !paused ? `${formatBytes(p.bytesPerSecond)}/s` : '—'} />
          <Figure label="Time left" value={timeLeft(status, counts.retrying, p.bytesPerSecond, p.etaSeconds)} />
          <Figure label="Retrying" value={status === 'failed' ? '—' : counts.retrying.toLocaleString('en-GB')} />
          <Figure label="Not sent" value={notSent.toLocaleString('en-GB')} tone={notSent ? 'error.main' : undefined} />
        </Box>
      </Paper>
      {running && <RetryNotice retry={lastRetry} waiting={counts.retrying} paused={paused} cause={lastRetry ? unreachableSentence(lastRetry.error, heardFromServer, false) : null} />}
      {running && waitingForCommit && (
        <Alert severity="info" role="status">
          Another upload to this destination is sending its CSV. This batch's CSV goes as soon as it has finished, without the rows that upload delivers, so no conversation is sent twice.
        </Alert>
      )}
      {cancelled && failure && (
        <Alert severity="warning" role="status">
          <AlertTitle>Upload cancelled</AlertTitle>
          {cancelledSentence(failure)}
          <Stack direction="row" sx={{ mt: 1.5, flexWrap: 'wrap', gap: 1 }}>
            <Button color="inherit" variant="outlined" onClick={() => void again()}>Upload again to finish</Button>
            <Button color="inherit" onClick={restart}>Start over</Button>
          </Stack>
        </Alert>
      )}
      {status === 'failed' && failure && !cancelled && (
        <Alert severity="error" action={<Stack direction="row" spacing={1}>
          {batchId && <Button color="inherit" onClick={() => void call(() => api.resumeInterrupted(batchId, null))}>Try again</Button>}
          <Button color="inherit" onClick={restart}>Start over</Button>
        </Stack>}>
          <AlertTitle>The upload stopped</AlertTitle>
          {unreachableSentence(failure, heardFromServer, true) ?? withCode(failure.message)}
        </Alert>
      )}
      {silent && (
        <Alert severity="warning">
          Nothing has been heard from the upload for a while. The connection may have dropped, or the app was closed on the other side. Uploads resume where they stopped: restart the app to be offered this batch again.
        </Alert>
      )}
      {stalled && (
        <Alert severity="info" action={<Button color="inherit" onClick={restart}>Start over</Button>}>
          The upload has not started yet. If this batch was already sent in full there is nothing left to send; otherwise check the connection and start again.
        </Alert>
      )}
      <ErrorAlert error={error} onClose={() => setError(null)} />
      <FileList store={store} />
      <Dialog open={confirmCancel} onClose={() => setConfirmCancel(false)} aria-labelledby="cancel-title">
        <DialogTitle id="cancel-title">Cancel this upload?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            {p.filesDone > 0 ? `${formatCount(p.filesDone, 'recording')} already on the server stay there and are not sent again.` : 'Nothing of this batch is on the server yet.'}
            {' '}The CSV is not sent, so the platform imports nothing from this batch until you upload it again to finish.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirmCancel(false)}>Keep uploading</Button>
          <Button color="error" variant="contained" onClick={() => { setConfirmCancel(false); if (batchId) { setCancelling(true); void call(() => api.cancelUpload(batchId)).then((ok) => { if (!ok) setCancelling(false) }) } }}>Cancel upload</Button>
        </DialogActions>
      </Dialog>
    </StepLayout>
  )
}

/** What the intro says: where the batch is going, or that it is paused or stopped. */
export function uploadIntro(status: UploadState['status'], destinationName: string | null): string {
  const to = destinationName ? ` to ${destinationName}` : ''
  switch (status) {
    case 'paused':
      return `Paused: nothing more is sent${to} until you resume. Recordings already sent stay on the server.`
    case 'failed':
      return `Stopped sending${to}. Recordings already sent stay on the server and are not sent twice; the CSV goes only once every recording it names is there.`
    default:
      return `${destinationName ? `Sending to ${destinationName}. ` : ''}Recordings go first; the CSV is sent last, once every recording it names is safely on the server. You can close the app: the upload resumes where it stopped next time.`
  }
}

/** Time left, only while it means something: not while paused, stopped, or waiting for the server. */
export function timeLeft(status: UploadState['status'], retrying: number, bytesPerSecond: number, etaSeconds: number | null): string {
  if (status === 'paused') return 'paused'
  if (status !== 'running') return '—'
  // With files waiting to be sent again, the speed is the outage's, not the link's.
  if (retrying > 0 || bytesPerSecond <= 0) return 'waiting for the server'
  return formatDuration(etaSeconds)
}

function Figure({ label, value, tone }: { label: string; value: string; tone?: string }) {
  return (
    <div>
      <Typography variant="body2" color="text.secondary">{label}</Typography>
      <Typography sx={{ fontWeight: 650, fontSize: '1.1rem', color: tone }}>{value}</Typography>
    </div>
  )
}
