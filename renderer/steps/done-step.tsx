/**
 * Step 6: what happened, the report to keep or share, and the way to the next batch. When
 * every row had already reached the destination, no upload was offered: this step shows the
 * earlier delivery instead (when, which CSV, how many rows) and opens its report. "Do this
 * automatically" saves the batch as a job for cron, systemd or Task Scheduler (automate-dialog.tsx).
 */
import { useEffect, useState } from 'react'
import Alert from '@mui/material/Alert'
import AlertTitle from '@mui/material/AlertTitle'
import Button from '@mui/material/Button'
import Stack from '@mui/material/Stack'
import Typography from '@mui/material/Typography'
import type { BatchSummary } from '../../src/api'
import { useApi } from '../api-context'
import { AutomateDialog } from '../components/automate-dialog'
import { ErrorAlert } from '../components/error-alert'
import { Stat } from '../components/stat'
import { StepLayout } from '../components/step-layout'
import { formatBytes, formatCount, formatDateTime, formatDuration } from '../format'
import { batchSpec, nothingNew, type StepProps } from '../wizard'
import { useOpenPath } from '../use-open-path'

/**
 * An upload that found every row already delivered (the engine checks too, whichever way the
 * upload was started) ends with no CSV, nothing sent and nothing failed.
 */
export function summaryNothingNew(s: BatchSummary | null): boolean {
  return !!s && s.csv === null && s.uploaded === 0 && s.failed === 0 && (s.alreadyDelivered ?? 0) > 0
}

export function DoneStep(props: StepProps) {
  const { data, restart, showHistory } = props
  const s = data.summary
  const { open, error, clear } = useOpenPath()
  const [automate, setAutomate] = useState(false)
  if (summaryNothingNew(s) || (!s && nothingNew(data.report))) return <NothingNew {...props} />
  if (!s) return null

  const clean = s.failed === 0 && s.csv !== null
  const sandbox = data.destinationSandbox
  return (
    <StepLayout
      title="Done"
      intro={doneIntro(clean, sandbox, data.destinationName)}
      next={{ label: 'Start another batch', onClick: restart }}
      extra={<>
        {sandbox && <Button variant="outlined" onClick={() => props.update({ step: 'destination', destinationId: null, wantRealDestination: true, summary: null, batchId: null })}>Send it to a real destination…</Button>}
        <Button onClick={() => showHistory(data.destinationId)}>Delivery history</Button>
        {clean && <Button variant="outlined" onClick={() => setAutomate(true)}>Do this automatically…</Button>}
        <Button variant="outlined" onClick={() => void open(s.reportCsv)}>Open report (CSV)</Button>
        <Button variant="outlined" onClick={() => void open(s.reportJson)}>Open report (JSON)</Button>
      </>}
    >
      <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 2 }}>
        <Stat label="Uploaded" value={s.uploaded.toLocaleString('en-GB')} hint={`recordings · ${formatBytes(s.bytes)}`} tone="success" />
        {(s.sentEarlier ?? 0) > 0 && <Stat label="Sent earlier" value={s.sentEarlier!.toLocaleString('en-GB')} hint="by this batch, before it was interrupted" tone="success" />}
        <Stat label="Skipped" value={s.skipped.toLocaleString('en-GB')} hint="already on the server before this batch" />
        <Stat label="Excluded" value={s.excluded.toLocaleString('en-GB')} hint="rows left out after review" tone={s.excluded ? 'warning' : undefined} />
        <Stat label="Failed" value={s.failed.toLocaleString('en-GB')} hint="not sent — will be retried next run" tone={s.failed ? 'error' : undefined} />
      </Stack>
      {s.csv
        ? <Alert severity={s.failed ? 'warning' : 'success'}>
          The CSV was sent as <strong>{s.csv}</strong>, after its recordings, in {formatDuration(s.seconds)}.
          {s.failed > 0 && <> Its rows whose recording failed ({s.failed.toLocaleString('en-GB')}) were left out of it: upload the same batch again to send them; rows already delivered are not sent twice.</>}
        </Alert>
        : !s.failed && (s.alreadyDelivered ?? 0) > 0
          ? <Alert severity="info">No CSV was needed: another upload to this destination delivered these rows while this one was sending ({(s.alreadyDelivered ?? 0).toLocaleString('en-GB')} rows). Nothing was sent twice.</Alert>
          : <Alert severity="warning">No CSV was sent, so the platform will not import this batch. Fix the problems in the report, then upload again: files already sent are not sent twice.</Alert>}
      {(s.alreadyDelivered ?? 0) > 0 && (
        <Alert severity="info">{formatCount(s.alreadyDelivered ?? 0, 'row', 'rows')} already delivered to {data.destinationName ?? 'this destination'} before {s.alreadyDelivered === 1 ? 'was' : 'were'} left out, so the platform does not get them twice.</Alert>
      )}
      <ErrorAlert error={error} onClose={clear} />
      <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>Report saved on this computer: {s.reportCsv}</Typography>
      <AutomateDialog open={automate} spec={batchSpec(data, null)} destinationId={data.destinationId} destinationName={data.destinationName} sandbox={sandbox} onClose={() => setAutomate(false)} />
    </StepLayout>
  )
}

/** What the Done screen says first: where the batch went, and for the sandbox that nothing left. */
export function doneIntro(clean: boolean, sandbox: boolean, destinationName: string | null): string {
  if (sandbox) {
    return clean
      ? 'The batch went to the sandbox on this computer. Nothing left this computer and the platform has not received it: send it to a real destination when the trial looks right.'
      : 'The trial upload to the sandbox on this computer finished with problems: see the report for each file and row. Nothing left this computer.'
  }
  const where = destinationName ?? 'the server'
  return clean
    ? `The batch is on ${where}. The platform imports it on its next run.`
    : `The upload to ${where} finished with problems: see the report for each file and row.`
}

function NothingNew({ data, update, restart, showHistory }: StepProps) {
  const api = useApi()
  const { open, error, clear } = useOpenPath()
  const where = data.destinationName ?? 'this destination'
  // Reached from an upload started without the destination check: ask for the earlier
  // deliveries now, so the user sees when and in which CSV.
  const known = data.report?.alreadyDelivered !== undefined && data.checkedFor === data.destinationId
  useEffect(() => {
    if (known || !data.destinationId) return
    const spec = batchSpec(data, data.destinationId)
    if (!spec) return
    let live = true
    api.validate(spec).then((r) => { if (live && r.ok) update({ report: r.value, checkedFor: data.destinationId }) }, () => undefined)
    return () => { live = false }
  }, [api, data, known, update])
  const batches = known ? data.report?.deliveredBefore ?? [] : []
  const latest = batches[0]
  const count = (known ? data.report?.alreadyDelivered : undefined) ?? data.summary?.alreadyDelivered ?? 0
  return (
    <StepLayout
      title="Done"
      intro={`Nothing was sent: every row of this batch had already reached ${where}. The platform has these conversations; sending them again would make duplicates.`}
      back={{ label: 'Back to review', onClick: () => update({ step: 'review' }) }}
      next={{ label: 'Start another batch', onClick: restart }}
      extra={<>
        <Button onClick={() => showHistory(data.destinationId)}>Delivery history</Button>
        {(latest?.reportCsv || data.summary?.reportCsv) && <Button variant="outlined" onClick={() => void open((latest?.reportCsv || data.summary?.reportCsv)!)}>Open its report</Button>}
      </>}
    >
      <Alert severity="info">
        <AlertTitle>Already delivered</AlertTitle>
        {formatCount(count, 'row was', 'rows were')} delivered to {where} before
        {latest ? `, most recently on ${formatDateTime(latest.deliveredAt)} in the CSV ${latest.csvName} (${formatCount(latest.rows, 'row')}).` : '.'}
      </Alert>
      {batches.length > 0 && (
        <Stack spacing={1} component="ul" aria-label="Earlier deliveries" sx={{ listStyle: 'none', p: 0, m: 0 }}>
          {batches.map((b) => (
            <Stack key={b.batchId} component="li" direction="row" sx={{ alignItems: 'center', flexWrap: 'wrap', gap: 2, p: 1.5, border: 1, borderColor: 'divider', borderRadius: 2 }}>
              <Typography sx={{ fontWeight: 600, minWidth: '11rem' }}>{formatDateTime(b.deliveredAt)}</Typography>
              <Typography sx={{ flex: 1, overflowWrap: 'anywhere' }}>{b.csvName}</Typography>
              <Typography color="text.secondary">{formatCount(b.rows, 'row')} · {formatBytes(b.bytes)}</Typography>
              {b.reportCsv && <Button size="small" onClick={() => void open(b.reportCsv!)} aria-label={`Open report of ${b.csvName}`}>Open report</Button>}
            </Stack>
          ))}
        </Stack>
      )}
      <Typography variant="body2" color="text.secondary">To send them again on purpose (for example after the platform lost them), go back to the review and choose “Send them again”.</Typography>
      <ErrorAlert error={error} onClose={clear} />
    </StepLayout>
  )
}
