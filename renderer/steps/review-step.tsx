/**
 * Step 3: what will happen before anything is sent — how many rows go, which are left out
 * and why (with the sentence saying what to do), and recordings no row names. The batch is
 * checked for its destination (review-destination.ts): the rows already delivered there are
 * counted apart, before Start upload, and a platform layout that differs is shown, with the
 * choices (delivery-notes.tsx); agents the platform may not know can be confirmed (agents-panel.tsx).
 * Entered again after an upload, or with another destination chosen, it checks again first,
 * so its numbers are those of what would now be sent.
 */
import { useEffect, useRef, useState } from 'react'
import LinearProgress from '@mui/material/LinearProgress'
import Alert from '@mui/material/Alert'
import AlertTitle from '@mui/material/AlertTitle'
import Button from '@mui/material/Button'
import Chip from '@mui/material/Chip'
import Stack from '@mui/material/Stack'
import Typography from '@mui/material/Typography'
import type { AppErrorPayload, IssueCode, IssueSeverity } from '../../src/api'
import { useApi } from '../api-context'
import { ErrorAlert, asPayload } from '../components/error-alert'
import { Stat } from '../components/stat'
import { StepLayout } from '../components/step-layout'
import { formatBytes, formatClock, formatCount, formatHours } from '../format'
import { finishSave } from '../save-outcome'
import { batchSpec, nothingNew, type StepProps } from '../wizard'
import { DeliveryNotes, hasDeliveryNotes, type DeliveryChoices } from './delivery-notes'
import { ISSUE_LABELS, IssuesTable } from './issues-table'
import { LeftOutDialog, needsLeftOutConfirm } from './left-out-dialog'
import { AgentsPanel } from './agents-panel'
import { RecordingsTable } from './recordings-table'
import { checkForReview, reviewIsStale } from './review-destination'

const SEVERITY_FILTERS: ReadonlyArray<[IssueSeverity, string]> = [['error', 'Rows left out'], ['warning', 'Warnings']]

export function ReviewStep({ data, update }: StepProps) {
  const api = useApi()
  const report = data.report!
  const [code, setCode] = useState<IssueCode | undefined>(undefined)
  const [severity, setSeverity] = useState<IssueSeverity | undefined>(undefined)
  const [saved, setSaved] = useState<string | null>(null)
  const [error, setError] = useState<AppErrorPayload | null>(null)
  const [busy, setBusy] = useState(false)
  const [leftOut, setLeftOut] = useState(false)
  const counts = Object.entries(report.counts).filter(([, n]) => (n ?? 0) > 0) as Array<[IssueCode, number]>

  const exportProblems = async () => {
    try {
      const r = await api.exportIssues(report.checkId)
      if (r.ok) setSaved(finishSave(r.value, 'The problem list'))
      else setError(r.error)
    } catch (e) { setError(asPayload(e)) }
  }

  // With the destination it was last checked against, and the choices made for it.
  const recheck = async (change: Partial<DeliveryChoices> = {}) => {
    const spec = batchSpec({ ...data, ...change })
    if (!spec) return
    update(change)
    setBusy(true)
    setError(null)
    setSaved(null)
    try {
      const r = await api.validate(spec)
      if (r.ok) update({ report: r.value })
      else setError(r.error)
    } catch (e) { setError(asPayload(e)) } finally { setBusy(false) }
  }
  // Entered with a report that may no longer hold (an upload ended since, or another
  // destination was chosen): checked again before its numbers are shown.
  const [entering, setEntering] = useState(() => reviewIsStale(data))
  const entry = useRef({ data, entering })
  useEffect(() => {
    if (!entry.current.entering) return
    let live = true
    checkForReview(api, entry.current.data).then(
      (r) => { if (!live) return; if (r.ok) update({ ...r.value, summary: null, batchId: null }); else setError(r.error); setEntering(false) },
      (e: unknown) => { if (live) { setError(asPayload(e)); setEntering(false) } },
    )
    return () => { live = false }
  }, [api, update])

  const choices: DeliveryChoices = { resendDelivered: data.resendDelivered, layoutChoice: data.layoutChoice }
  const delivered = report.alreadyDelivered ?? 0
  // Every row that could go already reached this destination: nothing is wrong with the batch.
  const allDelivered = nothingNew(report)
  const where = data.destinationName ?? 'this destination'
  // Checked again at once, so the agents remembered leave the panel; then the notice.
  const confirmed = (n: number) => {
    void recheck().then(() => setSaved(`Remembered ${formatCount(n, 'agent')} for ${where}: later batches naming ${n === 1 ? 'this agent are' : 'them are'} not flagged.`))
  }

  if (entering) {
    return (
      <StepLayout title="Review" intro="The batch is checked again, so these numbers are those of what would be sent now."
        back={{ label: 'Back to mapping', onClick: () => update({ step: 'map' }) }}>
        <Typography role="status">Checking the batch for {where} again…</Typography>
        <LinearProgress aria-label="Checking the batch" />
      </StepLayout>
    )
  }

  return (
    <StepLayout
      title="Review"
      intro="Rows with a problem are left out of the upload; the others go as they are. Fix the CSV or the folder and check again, or carry on without them."
      back={{ label: 'Back to mapping', onClick: () => update({ step: 'map' }) }}
      next={{
        label: report.ready ? `Continue with ${formatCount(report.eligible, 'row')}` : 'Continue',
        // Nothing new for this destination is no fault: another destination may still be chosen.
        onClick: () => (report.ready && needsLeftOutConfirm(report) ? setLeftOut(true) : update({ step: 'destination' })), disabled: !report.ready && !allDelivered,
      }}
      extra={<Button variant="outlined" onClick={() => void recheck()} disabled={busy}>{busy ? 'Checking…' : 'Check again'}</Button>}
    >
      <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 2 }}>
        <Stat label="Will be uploaded" value={report.eligible.toLocaleString('en-GB')} hint={`rows · ${formatBytes(report.eligibleBytes)} of recordings`} tone={report.eligible > 0 ? 'success' : undefined} />
        <Stat label="Left out" value={report.excluded.toLocaleString('en-GB')} hint={`of ${formatCount(report.conversations, 'conversation')}`} tone={report.excluded ? 'error' : undefined} />
        {delivered > 0 && <Stat label="Already delivered" value={delivered.toLocaleString('en-GB')} hint={data.resendDelivered ? 'rows · sent again' : 'rows · left out'} tone="warning" />}
        {report.audio && report.audio.recordings > 0 && (
          <Stat label="Audio to send" value={formatHours(report.audio.totalSeconds)}
            hint={`in ${formatCount(report.audio.recordings, 'recording')} · median ${formatClock(report.audio.medianSeconds)}, longest ${formatClock(report.audio.maxSeconds)}`} />
        )}
        <Stat label="Recordings found" value={report.recordings.toLocaleString('en-GB')} />
        <Stat label="Not in the CSV" value={report.orphans.toLocaleString('en-GB')} hint="recordings, not sent" tone={report.orphans ? 'warning' : undefined} />
      </Stack>
      {allDelivered && (
        <Alert severity="info" role="status">
          <AlertTitle>Nothing new for {where}</AlertTitle>
          Every row that could be sent already reached {where}, so nothing would be sent there again.
          {report.excluded > 0 && ` The ${formatCount(report.excluded, 'row')} left out for the problems below would not be sent either.`}
          {' '}Choose another destination in the next step, or send the delivered rows again below only on purpose.
        </Alert>
      )}
      {!report.ready && !allDelivered && (
        <Alert severity="error">
          {report.eligible === 0 ? 'No row can be uploaded yet.' : 'Something blocks this batch.'} Look at the problems below, fix the CSV or the folder, then choose “Check again”.
        </Alert>
      )}
      {data.checkedFor && hasDeliveryNotes(report, choices) && (
        <DeliveryNotes report={report} destinationId={data.checkedFor} destinationName={data.destinationName ?? 'this destination'} choices={choices}
          spec={batchSpec(data)} busy={busy} onChange={(c) => void recheck(c)} />
      )}
      {report.agents && <AgentsPanel agents={report.agents} destination={data.checkedFor ? { id: data.checkedFor, name: where } : undefined} onConfirmed={confirmed} />}
      <ErrorAlert error={error} onClose={() => setError(null)} />
      {saved && <Alert severity="success" onClose={() => setSaved(null)}>{saved}</Alert>}
      {report.issueTotal > 0 ? (
        <>
          <Stack direction="row" sx={{ alignItems: 'center', flexWrap: 'wrap', gap: 1 }} role="group" aria-label="Problems by kind">
            <Typography variant="h3" component="h2" sx={{ mr: 1 }}>{formatCount(report.issueTotal, 'problem')}</Typography>
            {/* One filter: everything, a severity, or one kind of problem (choosing one clears the other). */}
            <Chip label="All" color={code || severity ? 'default' : 'primary'} onClick={() => { setCode(undefined); setSeverity(undefined) }} aria-pressed={!code && !severity} />
            {SEVERITY_FILTERS.map(([sev, label]) => (
              <Chip key={sev} label={label} color={severity === sev ? 'primary' : 'default'} variant={severity === sev ? 'filled' : 'outlined'}
                onClick={() => { setCode(undefined); setSeverity(severity === sev ? undefined : sev) }} aria-pressed={severity === sev} />
            ))}
            {counts.map(([c, n]) => (
              <Chip key={c} label={`${ISSUE_LABELS[c]} · ${n.toLocaleString('en-GB')}`} color={code === c ? 'primary' : 'default'}
                variant={code === c ? 'filled' : 'outlined'} onClick={() => { setSeverity(undefined); setCode(code === c ? undefined : c) }} aria-pressed={code === c} />
            ))}
          </Stack>
          <Stack direction="row" sx={{ alignItems: 'center', flexWrap: 'wrap', gap: 2 }}>
            <Button variant="outlined" onClick={() => void exportProblems()}>Export problems as CSV…</Button>
          </Stack>
          <IssuesTable checkId={report.checkId} code={code} severity={severity} />
        </>
      ) : (
        <Alert severity="success">No problems found: every row has its recording and valid values.</Alert>
      )}
      {report.eligible > 0 && (
        <>
          <Typography variant="h3" component="h2">Rows to send</Typography>
          <RecordingsTable checkId={report.checkId} />
        </>
      )}
      <LeftOutDialog report={report} open={leftOut} onCancel={() => setLeftOut(false)} onConfirm={() => { setLeftOut(false); update({ step: 'destination' }) }} />
    </StepLayout>
  )
}
