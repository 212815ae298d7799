/**
 * The agents of the batch the platform may not know (report.agents): with the destination's
 * agent list, those not on it (UNKNOWN_AGENT); without one, those never confirmed (NEW_AGENT).
 * Lists them with their rows, copies the list for whoever creates the platform's user
 * mappings, and says where they are created. At Review, "These agents are right" remembers
 * them for the destination (confirmAgents), after saying what that means: an agent becomes
 * known from a list or the user's word, never from having been sent once (issue 22).
 */
import { useState } from 'react'
import Alert from '@mui/material/Alert'
import AlertTitle from '@mui/material/AlertTitle'
import Box from '@mui/material/Box'
import Button from '@mui/material/Button'
import Stack from '@mui/material/Stack'
import Typography from '@mui/material/Typography'
import type { AgentReport, AppErrorPayload } from '../../src/api'
import { useApi } from '../api-context'
import { ErrorAlert, asPayload } from '../components/error-alert'
import { formatCount } from '../format'

/** Agents shown before "and N more" (the copied list has every one the report carries). */
const SHOWN = 12

export function AgentsPanel({ agents, destination, onConfirmed }: {
  agents: AgentReport
  /** The destination the batch was checked for: with it, the agents can be confirmed. */
  destination?: { id: string; name: string }
  /** After the agents were remembered (how many): the caller checks the batch again. */
  onConfirmed?: (count: number) => void
}) {
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
    : `${formatCount(agents.concernedTotal, 'agent')} not confirmed for this destination`
  const shown = agents.concerned.slice(0, SHOWN)
  return (
    <Alert severity={unknown ? (agents.strict ? 'error' : 'warning') : 'info'} role="region" aria-label="Agents the platform may not know" data-testid="agents-panel"
      action={<Button color="inherit" size="small" sx={{ whiteSpace: 'nowrap' }} onClick={() => void copy()}>Copy list</Button>}>
      <AlertTitle>{title}</AlertTitle>
      <Typography variant="body2" sx={{ mb: 1 }}>
        {unknown
          ? agents.strict ? 'Their rows are left out until the platform knows them.' : 'Their rows are sent, but the platform cannot import them without a user mapping.'
          : `No agent list is loaded for this destination${agents.deliveredSize > 0 ? ` and these are not among the ${formatCount(agents.deliveredSize, 'agent')} confirmed` : ''}, so these are the ones to make sure of.`}
      </Typography>
      <Box component="ul" sx={{ m: 0, pl: 2.5, columns: { xs: 1, md: 2 } }} aria-label="Agents and their rows">
        {shown.map((c) => <li key={c.agent}><Typography variant="body2" component="span">{c.agent} · {formatCount(c.rows, 'row')}</Typography></li>)}
      </Box>
      {agents.concernedTotal > shown.length && <Typography variant="body2">… and {formatCount(agents.concernedTotal - shown.length, 'more agent')} (Copy list has {agents.concerned.length === agents.concernedTotal ? 'them all' : `the first ${agents.concerned.length.toLocaleString('en-GB')}`}).</Typography>}
      <Typography variant="body2" sx={{ mt: 1 }}>{agents.whereToMap}</Typography>
      {copied && <Typography variant="body2" role="status" sx={{ mt: 1 }}>{copied === 'yes' ? 'Copied: one agent ID a line.' : 'The clipboard is not available here; select the list above and copy it by hand.'}</Typography>}
      {destination && onConfirmed && <ConfirmAgents agents={agents} destination={destination} onConfirmed={onConfirmed} />}
    </Alert>
  )
}

/**
 * "These agents are right: remember them", then what it means before it is done: a slip
 * remembered here is never flagged again. Confirms the agents the report carries (its first
 * 1,000 when there are more: the rest stay flagged and can be confirmed on the next check).
 */
function ConfirmAgents({ agents, destination, onConfirmed }: { agents: AgentReport; destination: { id: string; name: string }; onConfirmed: (count: number) => void }) {
  const api = useApi()
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppErrorPayload | null>(null)
  const ids = agents.concerned.map((c) => c.agent)
  const remember = async () => {
    setBusy(true)
    setError(null)
    try {
      const r = await api.confirmAgents(destination.id, ids)
      if (r.ok) { setAsking(false); onConfirmed(ids.length) } else setError(r.error)
    } catch (e) { setError(asPayload(e)) } finally { setBusy(false) }
  }
  if (!asking) {
    return <Button variant="outlined" color="inherit" size="small" sx={{ mt: 1.5 }} onClick={() => setAsking(true)}>These agents are right: remember them</Button>
  }
  const count = formatCount(ids.length, 'agent')
  return (
    <Box role="group" aria-label="Remember these agents" sx={{ mt: 1.5 }}>
      <Typography variant="body2" sx={{ fontWeight: 600 }}>
        Remember {count} for {destination.name}? Do this only when each is a user in evaluagent with exactly this Agent ID: a typing slip remembered here is never flagged again.
        {agents.concerned.length < agents.concernedTotal && ` The other ${formatCount(agents.concernedTotal - agents.concerned.length, 'agent')} stay flagged until the next check.`}
      </Typography>
      <Stack direction="row" sx={{ mt: 1, gap: 1 }}>
        <Button variant="contained" color="inherit" size="small" disabled={busy} onClick={() => void remember()}>{busy ? 'Remembering…' : `Remember ${count}`}</Button>
        <Button color="inherit" size="small" disabled={busy} onClick={() => setAsking(false)}>Cancel</Button>
      </Stack>
      <ErrorAlert error={error} onClose={() => setError(null)} sx={{ mt: 1 }} />
    </Box>
  )
}
