/**
 * Step 3: what will happen before anything is sent — how many rows go, which are left out
 * and why (with the sentence saying what to do), and recordings no row names. Once the batch
 * was checked against a destination, also the rows already delivered there and a platform
 * layout that differs, with the choices (delivery-notes.tsx).
 */
import { useState } from 'react'
import Alert from '@mui/material/Alert'
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
import { batchSpec, type StepProps } from '../wizard'
import { DeliveryNotes, hasDeliveryNotes, type DeliveryChoices } from './delivery-notes'
import { ISSUE_LABELS, IssuesTable } from './issues-table'
import { LeftOutDialog, needsLeftOutConfirm } from './left-out-dialog'
import { AgentsPanel } from './agents-panel'
import { RecordingsTable } from './recordings-table'

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
  const choices: DeliveryChoices = { resendDelivered: data.resendDelivered, layoutChoice: data.layoutChoice }
  const delivered = report.alreadyDelivered ?? 0

  return (
    <StepLayout
      title="Review"
      intro="Rows with a problem are left out of the upload; the others go as they are. Fix the CSV or the folder and check again, or carry on without them."
      back={{ label: 'Back to mapping', onClick: () => update({ step: 'map' }) }}
      next={{ label: report.ready ? `Continue with ${formatCount(report.eligible, 'row')}` : 'Continue', onClick: () => (needsLeftOutConfirm(report) ? setLeftOut(true) : update({ step: 'destination' })), disabled: !report.ready }}
      extra={<Button variant="outlined" onClick={() => void recheck()} disabled={busy}>{busy ? 'Checking…' : 'Check again'}</Button>}
    >
      <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 2 }}>
        <Stat label="Will be uploaded" value={report.eligible.toLocaleString('en-GB')} hint={`rows · ${formatBytes(report.eligibleBytes)} of recordings`} tone="success" />
        <Stat label="Left out" value={report.excluded.toLocaleString('en-GB')} hint={`of ${formatCount(report.conversations, 'conversation')}`} tone={report.excluded ? 'error' : undefined} />
        {delivered > 0 && <Stat label="Already delivered" value={delivered.toLocaleString('en-GB')} hint={data.resendDelivered ? 'rows · sent again' : 'rows · left out'} tone="warning" />}
        {report.audio && report.audio.recordings > 0 && (
          <Stat label="Audio to send" value={formatHours(report.audio.totalSeconds)}
            hint={`in ${formatCount(report.audio.recordings, 'recording')} · median ${formatClock(report.audio.medianSeconds)}, longest ${formatClock(report.audio.maxSeconds)}`} />
        )}
        <Stat label="Recordings found" value={report.recordings.toLocaleString('en-GB')} />
        <Stat label="Not in the CSV" value={report.orphans.toLocaleString('en-GB')} hint="recordings, not sent" tone={report.orphans ? 'warning' : undefined} />
      </Stack>
      {!report.ready && (
        <Alert severity="error">
          {report.eligible === 0 ? 'No row can be uploaded yet.' : 'Something blocks this batch.'} Look at the problems below, fix the CSV or the folder, then choose “Check again”.
        </Alert>
      )}
      {data.checkedFor && hasDeliveryNotes(report, choices) && (
        <DeliveryNotes report={report} destinationId={data.checkedFor} destinationName={data.destinationName ?? 'this destination'} choices={choices}
          spec={batchSpec(data)} busy={busy} onChange={(c) => void recheck(c)} />
      )}
      {report.agents && <AgentsPanel agents={report.agents} />}
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
