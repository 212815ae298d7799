/**
 * What the destination check found, with the user's choices: rows already delivered there
 * (left out, or sent again on purpose with a clear warning about duplicates), and a CSV whose
 * columns differ from the layout the platform's mapping was set up with (keep it, or adopt
 * the new one and update the platform's mapping, with the sample CSV to give it).
 * Shown in the Review step and in the pre-send dialog.
 */
import { useEffect, useState } from 'react'
import Alert from '@mui/material/Alert'
import AlertTitle from '@mui/material/AlertTitle'
import Button from '@mui/material/Button'
import FormControlLabel from '@mui/material/FormControlLabel'
import Radio from '@mui/material/Radio'
import RadioGroup from '@mui/material/RadioGroup'
import Stack from '@mui/material/Stack'
import Switch from '@mui/material/Switch'
import Typography from '@mui/material/Typography'
import type { AppErrorPayload, BatchReport, BatchSpec, DeliveredBatch } from '../../src/api'
import { useApi } from '../api-context'
import { ErrorAlert, asPayload } from '../components/error-alert'
import { formatCount, formatDateTime } from '../format'
import { finishSave } from '../save-outcome'

export interface DeliveryChoices {
  resendDelivered: boolean
  layoutChoice: 'keep' | 'adopt'
}

/** True when the report has something for these notes to show. */
export function hasDeliveryNotes(report: BatchReport, choices: DeliveryChoices): boolean {
  return (report.alreadyDelivered ?? 0) > 0 || (report.counts.LAYOUT_CHANGED ?? 0) > 0 || choices.layoutChoice === 'adopt'
}

/** "on 3 May 2024, 09:27 (CSV calls-….csv)", or a count of batches when there were several. */
export function deliveredWhen(batches: DeliveredBatch[] | undefined): string {
  const latest = batches?.[0]
  if (!latest) return ''
  const one = `on ${formatDateTime(latest.deliveredAt)} (CSV ${latest.csvName})`
  return batches.length === 1 ? one : `in ${batches.length} earlier batches, the latest ${one}`
}

export function DeliveryNotes({ report, destinationId, destinationName, choices, spec, busy, onChange }: {
  report: BatchReport
  destinationId: string
  destinationName: string
  choices: DeliveryChoices
  /** The batch as it would be sent, for the sample CSV. */
  spec: BatchSpec | null
  busy: boolean
  onChange: (change: Partial<DeliveryChoices>) => void
}) {
  const delivered = report.alreadyDelivered ?? 0
  const layoutChanged = (report.counts.LAYOUT_CHANGED ?? 0) > 0 || choices.layoutChoice === 'adopt'
  return (
    <Stack spacing={2}>
      {delivered > 0 && (
        <Alert severity="warning" role="status">
          <AlertTitle>Already delivered to {destinationName}</AlertTitle>
          <Typography variant="body2">
            {formatCount(delivered, 'row was', 'rows were')} already delivered to {destinationName} {deliveredWhen(report.deliveredBefore)}
            {choices.resendDelivered ? ' and will be sent again.' : ' and will be left out, so each conversation reaches the platform once.'}
          </Typography>
          <FormControlLabel sx={{ mt: 1 }} disabled={busy}
            control={<Switch checked={choices.resendDelivered} onChange={(e) => onChange({ resendDelivered: e.target.checked })} />}
            label="Send them again" />
        </Alert>
      )}
      {delivered > 0 && choices.resendDelivered && (
        <Alert severity="error" variant="outlined">
          The platform will get these {formatCount(delivered, 'conversation')} a second time: duplicates that someone has to find and delete there. Do this only on purpose, for example when the platform lost them.
        </Alert>
      )}
      {layoutChanged && <LayoutNotes report={report} destinationId={destinationId} choices={choices} spec={spec} busy={busy} onChange={onChange} />}
    </Stack>
  )
}

function LayoutNotes({ report, destinationId, choices, spec, busy, onChange }: {
  report: BatchReport
  destinationId: string
  choices: DeliveryChoices
  spec: BatchSpec | null
  busy: boolean
  onChange: (change: Partial<DeliveryChoices>) => void
}) {
  const api = useApi()
  const [difference, setDifference] = useState<string | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  const [error, setError] = useState<AppErrorPayload | null>(null)

  // The one LAYOUT_CHANGED issue of the batch names the columns added and missing.
  useEffect(() => {
    let live = true
    api.listIssues(report.checkId, { code: 'LAYOUT_CHANGED', offset: 0, limit: 1 }).then(
      (r) => { if (live && r.ok) setDifference(r.value.issues[0]?.message ?? null) },
      () => undefined,
    )
    return () => { live = false }
  }, [api, report.checkId])

  const save = async () => {
    setError(null)
    try {
      const r = await api.writeSampleCsv(destinationId, spec)
      if (r.ok) setSaved(finishSave(r.value, 'The sample CSV'))
      else setError(r.error)
    } catch (e) { setError(asPayload(e)) }
  }

  return (
    <Alert severity="warning" role="status" icon={false} sx={{ '& .MuiAlert-message': { width: '100%' } }}>
      <AlertTitle>The columns differ from the platform’s layout</AlertTitle>
      {difference && <Typography variant="body2" sx={{ mb: 1 }}>{difference}</Typography>}
      <RadioGroup aria-label="Which layout to send" value={choices.layoutChoice} onChange={(e) => onChange({ layoutChoice: e.target.value as 'keep' | 'adopt' })}>
        <FormControlLabel value="keep" disabled={busy} control={<Radio size="small" />} slotProps={{ typography: { variant: 'body2' } }}
          label="Keep the platform’s layout (recommended): columns renamed and ordered as the platform expects; missing ones sent empty, new ones left out" />
        <FormControlLabel value="adopt" disabled={busy} control={<Radio size="small" />} slotProps={{ typography: { variant: 'body2' } }}
          label="Adopt this CSV’s columns as the new layout for this destination" />
      </RadioGroup>
      {choices.layoutChoice === 'adopt' && (
        <Typography variant="body2" sx={{ mt: 1, fontWeight: 600 }}>
          Update the mapping in the platform before its next import (its Setup step, with the sample CSV below): a CSV that does not match its mapping is not imported as it should be.
        </Typography>
      )}
      <Stack direction="row" sx={{ mt: 1.5, alignItems: 'center', flexWrap: 'wrap', gap: 1 }}>
        <Button variant="outlined" color="inherit" size="small" onClick={() => void save()}>Save sample CSV for the platform…</Button>
        {saved && <Typography variant="body2" role="status" sx={{ overflowWrap: 'anywhere' }}>{saved}</Typography>}
      </Stack>
      <ErrorAlert error={error} onClose={() => setError(null)} sx={{ mt: 1 }} />
    </Alert>
  )
}
