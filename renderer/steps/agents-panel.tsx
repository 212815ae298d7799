/**
 * The agents of the batch the platform may not know (report.agents): with the destination's
 * agent list, those not on it (UNKNOWN_AGENT); without one, those never delivered before
 * (NEW_AGENT). Lists them with their rows, copies the list for whoever creates the platform's
 * user mappings, and says where they are created.
 */
import { useState } from 'react'
import Alert from '@mui/material/Alert'
import AlertTitle from '@mui/material/AlertTitle'
import Box from '@mui/material/Box'
import Button from '@mui/material/Button'
import Typography from '@mui/material/Typography'
import type { AgentReport } from '../../src/api'
import { formatCount } from '../format'

/** Agents shown before "and N more" (the copied list has every one the report carries). */
const SHOWN = 12

export function AgentsPanel({ agents }: { agents: AgentReport }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null)
  if (agents.code === null) return null
  const unknown = agents.code === 'UNKNOWN_AGENT'
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(agents.concerned.map((c) => c.agent).join('\n') + '\n')
      setCopied('yes')
    } catch {
      setCopied('no')
    }
  }
  const title = unknown
    ? `${formatCount(agents.concernedTotal, 'agent')} not on this destination’s agent list`
    : `${formatCount(agents.concernedTotal, 'agent')} never sent to this destination before`
  const shown = agents.concerned.slice(0, SHOWN)
  return (
    <Alert severity={unknown ? (agents.strict ? 'error' : 'warning') : 'info'} role="region" aria-label="Agents the platform may not know" data-testid="agents-panel"
      action={<Button color="inherit" size="small" sx={{ whiteSpace: 'nowrap' }} onClick={() => void copy()}>Copy list</Button>}>
      <AlertTitle>{title}</AlertTitle>
      <Typography variant="body2" sx={{ mb: 1 }}>
        {unknown
          ? agents.strict ? 'Their rows are left out until the platform knows them.' : 'Their rows are sent, but the platform cannot import them without a user mapping.'
          : `No agent list is loaded for this destination (${formatCount(agents.deliveredSize, 'agent')} delivered before), so these are the ones to make sure of.`}
      </Typography>
      <Box component="ul" sx={{ m: 0, pl: 2.5, columns: { xs: 1, md: 2 } }} aria-label="Agents and their rows">
        {shown.map((c) => <li key={c.agent}><Typography variant="body2" component="span">{c.agent} · {formatCount(c.rows, 'row')}</Typography></li>)}
      </Box>
      {agents.concernedTotal > shown.length && <Typography variant="body2">… and {formatCount(agents.concernedTotal - shown.length, 'more agent')} (Copy list has {agents.concerned.length === agents.concernedTotal ? 'them all' : `the first ${agents.concerned.length.toLocaleString('en-GB')}`}).</Typography>}
      <Typography variant="body2" sx={{ mt: 1 }}>{agents.whereToMap}</Typography>
      {copied && <Typography variant="body2" role="status" sx={{ mt: 1 }}>{copied === 'yes' ? 'Copied: one agent ID a line.' : 'The clipboard is not available here; select the list above and copy it by hand.'}</Typography>}
    </Alert>
  )
}
