/**
 * A destination's known agents (issue 12): the agent IDs its platform has users for, which
 * batches checked for it are compared with (agents off the list: UNKNOWN_AGENT). The list is
 * imported from a CSV, or edited one ID at a time; clearing it goes back to noting agents
 * never confirmed (NEW_AGENT). The agents confirmed at Review are counted beside it.
 * A switch makes agents off the list errors for this destination (strict-agents-switch.tsx).
 */
import { useEffect, useMemo, useState } from 'react'
import DeleteIcon from '@mui/icons-material/DeleteOutlined'
import Button from '@mui/material/Button'
import Dialog from '@mui/material/Dialog'
import DialogActions from '@mui/material/DialogActions'
import DialogContent from '@mui/material/DialogContent'
import DialogTitle from '@mui/material/DialogTitle'
import IconButton from '@mui/material/IconButton'
import List from '@mui/material/List'
import ListItem from '@mui/material/ListItem'
import ListItemText from '@mui/material/ListItemText'
import Stack from '@mui/material/Stack'
import TextField from '@mui/material/TextField'
import Typography from '@mui/material/Typography'
import type { AppErrorPayload, Destination, KnownAgentsView } from '../../src/api'
import { useApi } from '../api-context'
import { formatCount } from '../format'
import { AgentListImport } from './agent-list-import'
import { ErrorAlert, asPayload } from './error-alert'
import { StrictAgentsSwitch } from './strict-agents-switch'

/** IDs shown at once; a longer list is narrowed with the filter (a user export may hold thousands). */
const SHOWN = 200

/** The counts a user checks first: how many the list holds, how many the user confirmed. */
export function agentCounts(view: KnownAgentsView): string {
  const list = view.list ? `${formatCount(view.list.ids.length, 'agent')} on the list` : 'No list imported'
  return `${list} · ${formatCount(view.confirmed, 'agent')} confirmed`
}

export function AgentsDialog({ destination, onClose }: { destination: Destination | null; onClose: () => void }) {
  const api = useApi()
  const [view, setView] = useState<KnownAgentsView | null>(null)
  const [error, setError] = useState<AppErrorPayload | null>(null)
  const [added, setAdded] = useState('')
  const [filter, setFilter] = useState('')
  const [confirmClear, setConfirmClear] = useState(false)
  const [savingStrict, setSavingStrict] = useState(false)
  const id = destination?.id ?? null

  useEffect(() => {
    if (id === null) return
    setView(null)
    setError(null)
    setConfirmClear(false)
    api.getKnownAgents(id).then((r) => (r.ok ? setView(r.value) : setError(r.error)), (e: unknown) => setError(asPayload(e)))
  }, [api, id])

  const ids = useMemo(() => view?.list?.ids ?? [], [view])
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase()
    return (f === '' ? ids : ids.filter((x) => x.toLowerCase().includes(f))).slice(0, SHOWN)
  }, [ids, filter])

  const save = async (next: string[]) => {
    if (id === null) return
    setError(null)
    try {
      const r = await api.saveAgentList(id, next)
      if (r.ok) setView(r.value)
      else setError(r.error)
    } catch (e) { setError(asPayload(e)) }
  }
  const setStrict = async (strict: boolean) => {
    if (id === null) return
    setError(null)
    setSavingStrict(true)
    try {
      const r = await api.setStrictAgents(id, strict)
      if (r.ok) setView(r.value)
      else setError(r.error)
    } catch (e) { setError(asPayload(e)) } finally { setSavingStrict(false) }
  }
  const add = async () => {
    const v = added.trim()
    if (v === '') return
    await save([...ids, v])
    setAdded('')
  }

  return (
    <Dialog open={destination !== null} onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="agents-title">
      <DialogTitle id="agents-title">Known agents of {destination?.name}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <Typography variant="body2" color="text.secondary">
            The platform imports a conversation only when its agent has a user there. Batches checked for this destination name the agents neither on this list nor confirmed at Review.
          </Typography>
          {view && <Typography role="status" sx={{ fontWeight: 600 }}>{agentCounts(view)}</Typography>}
          {view?.list && view.list.source !== '' && (
            <Typography variant="body2" color="text.secondary">Imported from column “{view.list.column}” of {view.list.source}.</Typography>
          )}
          {view && <StrictAgentsSwitch view={view} busy={savingStrict} onChange={(strict) => void setStrict(strict)} />}
          {id !== null && <AgentListImport destinationId={id} onImported={setView} onError={setError} />}
          <ErrorAlert error={error} />
          {/* Opened from the settings' form: React carries submit through the portal, so it stops here. */}
          <form onSubmit={(e) => { e.preventDefault(); e.stopPropagation(); void add() }}>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <TextField label="Agent ID to add" value={added} onChange={(e) => setAdded(e.target.value)} size="small" sx={{ flex: 1 }} autoComplete="off" />
              <Button type="submit" disabled={added.trim() === '' || view === null}>Add</Button>
            </Stack>
          </form>
          {ids.length > SHOWN && <TextField label="Find an agent" value={filter} onChange={(e) => setFilter(e.target.value)} size="small" />}
          {ids.length > 0 && (
            <List dense aria-label="Agents on the list" sx={{ maxHeight: 280, overflow: 'auto', border: 1, borderColor: 'divider', borderRadius: 1 }}>
              {shown.map((agent) => (
                <ListItem key={agent} secondaryAction={
                  <IconButton edge="end" aria-label={`Remove ${agent}`} onClick={() => void save(ids.filter((x) => x !== agent))}>
                    <DeleteIcon fontSize="small" />
                  </IconButton>
                }>
                  <ListItemText primary={agent} />
                </ListItem>
              ))}
            </List>
          )}
          {ids.length > shown.length && <Typography variant="body2" color="text.secondary">Showing {shown.length} of {ids.length.toLocaleString('en-GB')}; type in Find an agent to narrow the list.</Typography>}
          {ids.length > 0 && (confirmClear ? (
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <Typography variant="body2">Clear all {formatCount(ids.length, 'agent')}? Agents never confirmed will only be noted again.</Typography>
              <Button color="error" onClick={() => { setConfirmClear(false); void save([]) }}>Clear</Button>
              <Button onClick={() => setConfirmClear(false)}>Keep</Button>
            </Stack>
          ) : (
            <Button color="error" onClick={() => setConfirmClear(true)} sx={{ alignSelf: 'flex-start' }}>Clear the list</Button>
          ))}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  )
}
