/**
 * How to run a saved job nightly on this computer: the entry for its scheduler (what
 * `bulk-upload job show NAME --systemd|--cron|--schtasks` prints), filled in and ready to
 * paste, with a copy button. The app does not install it: scheduling is the administrator's.
 */
import { useState } from 'react'
import Box from '@mui/material/Box'
import Button from '@mui/material/Button'
import Stack from '@mui/material/Stack'
import Typography from '@mui/material/Typography'
import type { JobInfo, JobSchedule } from '../../src/api'

const HOW: Record<JobSchedule['scheduler'], string> = {
  systemd: 'To run it every night at 02:00, save these two systemd units and enable the timer (the last line says how):',
  cron: 'To run it every night at 02:00, add this line to your crontab (crontab -e):',
  schtasks: 'To run it every night at 02:00, run this in a Command Prompt (Task Scheduler):',
}

export function ScheduleText({ job }: { job: JobInfo }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(job.schedule.text)
      setCopied('yes')
    } catch {
      setCopied('no')
    }
  }
  return (
    <Stack spacing={1}>
      <Typography variant="body2">{HOW[job.schedule.scheduler]}</Typography>
      <Box component="pre" aria-label={`Schedule for ${job.name}`} tabIndex={0}
        sx={{ m: 0, p: 1.5, bgcolor: 'action.hover', borderRadius: 1, fontSize: '0.8rem', overflowX: 'auto', whiteSpace: 'pre', maxHeight: '16rem' }}>
        {job.schedule.text}
      </Box>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <Button size="small" variant="outlined" onClick={() => void copy()}>Copy</Button>
        <Typography variant="body2" color="text.secondary" role="status">
          {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'The clipboard is not available here: select the text and copy it by hand.' : `Or run it now from a terminal: bulk-upload job run ${job.name}`}
        </Typography>
      </Stack>
    </Stack>
  )
}
