/**
 * The saved jobs (from the app's "Do this automatically" or `bulk-upload job save`): where each
 * sends from and to, its last run as `job run` recorded it, how to schedule it, and removal
 * after a confirmation. Removing a job keeps its deliveries in the ledger.
 */
import { useCallback, useEffect, useState } from 'react'
import Button from '@mui/material/Button'
import Dialog from '@mui/material/Dialog'
import DialogActions from '@mui/material/DialogActions'
import DialogContent from '@mui/material/DialogContent'
import DialogContentText from '@mui/material/DialogContentText'
import DialogTitle from '@mui/material/DialogTitle'
import Stack from '@mui/material/Stack'
import Typography from '@mui/material/Typography'
import type { AppErrorPayload, JobInfo, JobLastRun } from '../../src/api'
import { useApi } from '../api-context'
import { formatCount, formatDateTime } from '../format'
import { ErrorAlert, asPayload } from './error-alert'
import { ScheduleText } from './job-schedule'

/**
 * The exit codes of `watch --once` / `job run`, in words. 2 is whatever a person must change
 * first (src/cli/exit-codes.ts): a bad option, and just as well a damaged CSV or app file met
 * mid-run, so it reads "needs attention", not "could not start".
 */
const EXIT_WORDS: Record<number, string> = { 0: 'all delivered', 1: 'finished with problems', 2: 'needs attention', 3: 'interrupted', 4: 'refused' }

export function lastRunText(run: JobLastRun | null): string {
  if (!run) return 'Not run yet.'
  const outcome = EXIT_WORDS[run.exit] ?? `exit ${run.exit}`
  return `Last run ${formatDateTime(run.at)}: ${outcome}, ${formatCount(run.batches, 'folder')}, ${formatCount(run.uploaded, 'row')} uploaded.${run.problem ? ` ${run.problem}` : ''}`
}

export function JobsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const api = useApi()
  const [jobs, setJobs] = useState<JobInfo[] | null>(null)
  const [shown, setShown] = useState<string | null>(null)
  const [removing, setRemoving] = useState<JobInfo | null>(null)
  const [error, setError] = useState<AppErrorPayload | null>(null)

  const load = useCallback(async () => {
    try {
      const r = await api.listJobs()
      if (r.ok) setJobs(r.value)
      else { setJobs([]); setError(r.error) }
    } catch (e) { setJobs([]); setError(asPayload(e)) }
  }, [api])

  useEffect(() => {
    if (!open) return
    setError(null)
    setJobs(null)
    void load()
  }, [open, load])

  const remove = async (job: JobInfo) => {
    setRemoving(null)
    setError(null)
    try {
      const r = await api.removeJob(job.name)
      if (!r.ok) setError(r.error)
    } catch (e) { setError(asPayload(e)) }
    await load()
  }

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="md" aria-labelledby="jobs-title">
      <DialogTitle id="jobs-title">Saved jobs</DialogTitle>
      <DialogContent>
        <Stack spacing={2}>
          {jobs?.length === 0 && <Typography color="text.secondary">No saved jobs. After an upload, “Do this automatically” saves one; so does bulk-upload job save.</Typography>}
          {jobs && jobs.length > 0 && (
            <Stack spacing={1.5} component="ul" aria-label="Saved jobs" sx={{ listStyle: 'none', p: 0, m: 0 }}>
              {jobs.map((j) => (
                <Stack key={j.name} component="li" aria-label={j.name} spacing={1} sx={{ p: 1.5, border: 1, borderColor: 'divider', borderRadius: 2 }}>
                  <Stack direction="row" sx={{ alignItems: 'baseline', flexWrap: 'wrap', gap: 1.5 }}>
                    <Typography component="h3" sx={{ fontWeight: 700 }}>{j.name}</Typography>
                    <Typography sx={{ flex: 1, overflowWrap: 'anywhere' }} color="text.secondary">{j.root} → {j.destination}</Typography>
                    <Button size="small" onClick={() => setShown(shown === j.name ? null : j.name)} aria-expanded={shown === j.name}>
                      {shown === j.name ? 'Hide schedule' : 'How to schedule'}
                    </Button>
                    <Button size="small" color="error" onClick={() => setRemoving(j)} aria-label={`Remove ${j.name}…`}>Remove…</Button>
                  </Stack>
                  <Typography variant="body2" color="text.secondary">{lastRunText(j.lastRun)}</Typography>
                  {shown === j.name && <ScheduleText job={j} />}
                </Stack>
              ))}
            </Stack>
          )}
          <ErrorAlert error={error} onClose={() => setError(null)} />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
      <Dialog open={removing !== null} onClose={() => setRemoving(null)} aria-labelledby="remove-job-title">
        <DialogTitle id="remove-job-title">Remove the job {removing?.name}?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            Its scheduled runs will fail until you also remove the scheduler entry. What it delivered stays in the delivery history, so saving it again never sends those rows twice.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setRemoving(null)}>Keep it</Button>
          <Button color="error" variant="contained" onClick={() => removing && void remove(removing)}>Remove job</Button>
        </DialogActions>
      </Dialog>
    </Dialog>
  )
}
