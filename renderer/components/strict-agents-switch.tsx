/**
 * The destination's strict setting for agents (issue 12): agents off its list are errors, and
 * their rows left out of the upload, instead of warnings with the rows sent. The same setting
 * as the CLI's `agents strict on|off`. It means something only against a list, so it can be
 * changed only while one is loaded (its state stays shown, and kept, when the list is cleared).
 * Saved at once, as the list's edits are: the next check of a batch for the destination uses it.
 */
import FormControlLabel from '@mui/material/FormControlLabel'
import Stack from '@mui/material/Stack'
import Switch from '@mui/material/Switch'
import Typography from '@mui/material/Typography'
import type { KnownAgentsView } from '../../src/api'

/** The line under the switch: what it does now, or why it cannot be changed. */
export function strictExplanation(view: KnownAgentsView): string {
  if (!view.list) return 'Import or add agents first: without a list, agents never confirmed are only noted.'
  return view.strict
    ? 'Rows whose agent is not on the list are left out of the upload until the platform knows the agent.'
    : 'Rows whose agent is not on the list are sent, with a warning before sending.'
}

export function StrictAgentsSwitch({ view, busy, onChange }: { view: KnownAgentsView; busy: boolean; onChange: (strict: boolean) => void }) {
  return (
    <Stack spacing={0}>
      <FormControlLabel disabled={busy || !view.list}
        control={<Switch checked={view.strict} onChange={(e) => onChange(e.target.checked)} slotProps={{ input: { 'aria-describedby': 'strict-agents-explanation' } }} />}
        label="Treat agents not on the list as errors (leave their rows out)" />
      <Typography id="strict-agents-explanation" variant="body2" color="text.secondary" sx={{ ml: 6 }}>{strictExplanation(view)}</Typography>
    </Stack>
  )
}
