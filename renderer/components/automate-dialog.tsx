/**
 * "Do this automatically" on a finished batch: saves it as a job (the same store as
 * `bulk-upload job save`) with a name the user edits and the folder the next exports land in,
 * then shows how to schedule it on this computer. A run of the job sends every folder under
 * that one holding one CSV, and only the rows not delivered before (the delivery ledger).
 */
import { useEffect, useRef, useState } from 'react'
import Alert from '@mui/material/Alert'
import Button from '@mui/material/Button'
import Dialog from '@mui/material/Dialog'
import DialogActions from '@mui/material/DialogActions'
import DialogContent from '@mui/material/DialogContent'
import DialogTitle from '@mui/material/DialogTitle'
import Stack from '@mui/material/Stack'
import TextField from '@mui/material/TextField'
import Typography from '@mui/material/Typography'
import type { AppErrorPayload, BatchSpec, JobInfo } from '../../src/api'
import { useApi } from '../api-context'
import { baseName, dirName } from '../format'
import { ErrorAlert, asPayload } from './error-alert'
import { ScheduleText } from './job-schedule'

/** The same rule as the job store (src/jobs/job-store.ts), so the Save button says it before the core does. */
const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** The folder the batch came from: the dropped folder holding its CSV, else the CSV's own folder. */
export function batchRoot(spec: BatchSpec): string {
  return spec.paths.find((p) => p !== spec.csvPath && spec.csvPath.startsWith(p)) ?? dirName(spec.csvPath)
}

/** A job name made from a folder's name: letters, digits, dot, dash and underscore. */
export function suggestedJobName(root: string): string {
  const name = baseName(root).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 54)
  return `${name || 'upload'}-nightly`
}

export interface AutomateDialogProps {
  open: boolean
  spec: BatchSpec | null
  destinationId: string | null
  destinationName: string | null
  sandbox: boolean
  onClose: () => void
}

export function AutomateDialog({ open, spec, destinationId, destinationName, sandbox, onClose }: AutomateDialogProps) {
  const api = useApi()
  const [name, setName] = useState('')
  const [root, setRoot] = useState('')
  const [saved, setSaved] = useState<JobInfo | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppErrorPayload | null>(null)

  // Filled in when the dialog opens, not on every render: the spec is rebuilt by each render
  // of the Done step, and what the user typed must stay.
  const wasOpen = useRef(false)
  useEffect(() => {
    const opening = open && !wasOpen.current
    wasOpen.current = open
    if (!opening || !spec) return
    const r = batchRoot(spec)
    setRoot(r)
    setName(suggestedJobName(r))
    setSaved(null)
    setError(null)
  }, [open, spec])

  const nameOk = JOB_NAME.test(name)
  const save = async () => {
    if (!spec || !destinationId) return
    setBusy(true)
    setError(null)
    try {
      const r = await api.saveJob({ name, root: root.trim(), spec, destinationId })
      if (r.ok) setSaved(r.value)
      else setError(r.error)
    } catch (e) { setError(asPayload(e)) } finally { setBusy(false) }
  }

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="md" aria-labelledby="automate-title">
      <form onSubmit={(e) => { e.preventDefault(); if (nameOk && root.trim() && !saved) void save() }}>
        <DialogTitle id="automate-title">{saved ? `Saved job ${saved.name}` : 'Do this automatically'}</DialogTitle>
        <DialogContent>
          {saved
            ? <Stack spacing={2}>
              <Alert severity="success">
                The job sends every folder under {saved.root} holding one CSV to {saved.destination}, with this batch’s mapping, speed limit and proxy. Rows already delivered are never sent again, so overlapping exports are safe.
              </Alert>
              <ScheduleText job={saved} />
            </Stack>
            : <Stack spacing={2.5} sx={{ pt: 1 }}>
              <Typography>Save this upload as a job that runs without the app: each run sends what is new in the folder to {destinationName ?? 'the same destination'}.</Typography>
              <TextField label="Job name" value={name} onChange={(e) => setName(e.target.value)} error={!nameOk} autoFocus
                helperText={nameOk ? 'Letters, digits, dot, dash or underscore; a job of the same name is replaced.' : 'Use letters, digits, dot, dash or underscore (at most 64), starting with a letter or digit.'} />
              <TextField label="Folder to send from" value={root} onChange={(e) => setRoot(e.target.value)} error={!root.trim()}
                helperText="The folder your daily exports land in: it and each folder under it holding one CSV are sent once their files are there." />
              {sandbox && <Alert severity="info">This job sends to the sandbox, which runs only while the app is open. For the platform, send the batch to a real destination first.</Alert>}
              <ErrorAlert error={error} />
            </Stack>}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>{saved ? 'Close' : 'Cancel'}</Button>
          {!saved && <Button type="submit" variant="contained" disabled={!nameOk || !root.trim() || busy || !spec || !destinationId}>Save job</Button>}
        </DialogActions>
      </form>
    </Dialog>
  )
}
