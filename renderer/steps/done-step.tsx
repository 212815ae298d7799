/** Step 6: what happened, the report to keep or share, and the way to the next batch. */
import { useState } from 'react'
import Alert from '@mui/material/Alert'
import Button from '@mui/material/Button'
import Stack from '@mui/material/Stack'
import Typography from '@mui/material/Typography'
import type { AppErrorPayload } from '../../src/api'
import { useApi } from '../api-context'
import { ErrorAlert, asPayload } from '../components/error-alert'
import { Stat } from '../components/stat'
import { StepLayout } from '../components/step-layout'
import { formatBytes, formatDuration } from '../format'
import type { StepProps } from '../wizard'

export function DoneStep({ data, restart }: StepProps) {
  const api = useApi()
  const s = data.summary
  const [error, setError] = useState<AppErrorPayload | null>(null)
  if (!s) return null

  const open = async (path: string) => {
    setError(null)
    try {
      const r = await api.openPath(path)
      if (!r.ok) setError(r.error)
    } catch (e) { setError(asPayload(e)) }
  }

  const clean = s.failed === 0 && s.csv !== null
  return (
    <StepLayout
      title="Done"
      intro={clean ? 'The batch is on the server. The platform imports it on its next run.' : 'The upload finished with problems: see the report for each file and row.'}
      next={{ label: 'Start another batch', onClick: restart }}
      extra={<>
        <Button variant="outlined" onClick={() => void open(s.reportCsv)}>Open report (CSV)</Button>
        <Button variant="outlined" onClick={() => void open(s.reportJson)}>Open report (JSON)</Button>
      </>}
    >
      <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 2 }}>
        <Stat label="Uploaded" value={s.uploaded.toLocaleString('en-GB')} hint={`recordings · ${formatBytes(s.bytes)}`} tone="success" />
        <Stat label="Skipped" value={s.skipped.toLocaleString('en-GB')} hint="already on the server" />
        <Stat label="Excluded" value={s.excluded.toLocaleString('en-GB')} hint="rows left out after review" tone={s.excluded ? 'warning' : undefined} />
        <Stat label="Failed" value={s.failed.toLocaleString('en-GB')} hint="not sent; left out of the CSV" tone={s.failed ? 'error' : undefined} />
      </Stack>
      {s.csv
        ? <Alert severity="success">The CSV was sent as <strong>{s.csv}</strong>, after its recordings, in {formatDuration(s.seconds)}.</Alert>
        : <Alert severity="warning">No CSV was sent, so the platform will not import this batch. Fix the problems in the report, then upload again: files already sent are not sent twice.</Alert>}
      <ErrorAlert error={error} onClose={() => setError(null)} />
      <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>Report saved on this computer: {s.reportCsv}</Typography>
    </StepLayout>
  )
}
