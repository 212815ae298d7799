/**
 * Before sending: what checking the batch against the chosen destination changed (rows
 * already delivered there, a platform layout that differs), with the choices, and the exact
 * number of rows that will go. Opened by the wizard's send (renderer/use-send.ts) only when
 * there is something to decide; the upload starts from here, never behind the user's back.
 */
import { useState } from 'react'
import Alert from '@mui/material/Alert'
import Button from '@mui/material/Button'
import Dialog from '@mui/material/Dialog'
import DialogActions from '@mui/material/DialogActions'
import DialogContent from '@mui/material/DialogContent'
import DialogTitle from '@mui/material/DialogTitle'
import Typography from '@mui/material/Typography'
import type { AppErrorPayload } from '../../src/api'
import { ErrorAlert } from '../components/error-alert'
import { formatBytes, formatCount } from '../format'
import type { Sender } from '../use-send'
import { batchSpec, nothingNew, type WizardData } from '../wizard'
import { DeliveryNotes, type DeliveryChoices } from './delivery-notes'
import { AgentsPanel } from './agents-panel'
import { agentsToConfirm } from '../use-send'

export function SendCheckDialog({ data, update, sender }: {
  data: WizardData
  update: (change: Partial<WizardData>) => void
  sender: Sender
}) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppErrorPayload | null>(null)
  const req = data.confirm
  const report = data.report
  if (!req || !report) return null

  const run = async (work: () => Promise<AppErrorPayload | null>) => {
    setBusy(true)
    setError(null)
    try { setError(await work()) } finally { setBusy(false) }
  }
  const change = (c: Partial<DeliveryChoices>) => void run(() => sender.recheck(c))
  const close = () => { setError(null); update({ confirm: null }) }
  const none = nothingNew(report)

  return (
    <Dialog open onClose={close} fullWidth maxWidth="md" aria-labelledby="send-check-title">
      <DialogTitle id="send-check-title">Before sending to {req.destinationName}</DialogTitle>
      <DialogContent>
        <Typography sx={{ mb: 2 }} aria-live="polite">
          {none
            ? 'Nothing new is left to send: every row of this batch already reached this destination.'
            : <>Checked against {req.destinationName}: <strong>{formatCount(report.eligible, 'row')}</strong> will be sent ({formatBytes(report.eligibleBytes)} of recordings).</>}
        </Typography>
        <DeliveryNotes report={report} destinationId={req.destinationId} destinationName={req.destinationName}
          choices={{ resendDelivered: data.resendDelivered, layoutChoice: data.layoutChoice }} spec={batchSpec(data, req.destinationId)} busy={busy} onChange={change} />
        {report.agents && agentsToConfirm(report) && <AgentsPanel agents={report.agents} />}
        {!report.ready && !none && <Alert severity="error" sx={{ mt: 2 }}>Something blocks this batch. Go back to the review to see what.</Alert>}
        <ErrorAlert error={error} onClose={() => setError(null)} sx={{ mt: 2 }} />
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Back</Button>
        {none
          ? <Button variant="contained" onClick={() => update({ confirm: null, step: 'done', summary: null, batchId: null })}>See the earlier delivery</Button>
          : <Button variant="contained" disabled={busy || !report.ready} onClick={() => void run(() => sender.start(req))}>
            {busy ? 'Checking…' : `Send ${formatCount(report.eligible, 'row')}`}
          </Button>}
      </DialogActions>
    </Dialog>
  )
}
