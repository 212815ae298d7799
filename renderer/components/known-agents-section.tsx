/**
 * The settings' "Known agents" section: one line per destination, with what its list holds
 * and the button that opens it (AgentsDialog). Each destination's platform has its own users,
 * so each has its own list.
 */
import { useCallback, useEffect, useState } from 'react'
import Button from '@mui/material/Button'
import FormLabel from '@mui/material/FormLabel'
import Stack from '@mui/material/Stack'
import Typography from '@mui/material/Typography'
import type { Destination, KnownAgentsView } from '../../src/api'
import { useApi } from '../api-context'
import { AgentsDialog, agentCounts } from './agents-dialog'

export function KnownAgentsSection({ open }: { open: boolean }) {
  const api = useApi()
  const [destinations, setDestinations] = useState<Destination[]>([])
  const [views, setViews] = useState<Record<string, KnownAgentsView>>({})
  const [shown, setShown] = useState<Destination | null>(null)

  const load = useCallback(async () => {
    const r = await api.listDestinations()
    if (!r.ok) return
    setDestinations(r.value)
    const entries = await Promise.all(r.value.map(async (d) => [d.id, await api.getKnownAgents(d.id)] as const))
    setViews(Object.fromEntries(entries.flatMap(([id, v]) => (v.ok ? [[id, v.value]] : []))))
  }, [api])
  useEffect(() => { if (open) void load().catch(() => undefined) }, [open, load])

  if (destinations.length === 0) return null
  return (
    <Stack spacing={1} component="section" aria-labelledby="known-agents-label">
      <FormLabel id="known-agents-label">Known agents</FormLabel>
      {destinations.map((d) => (
        <Stack key={d.id} direction="row" spacing={1} sx={{ alignItems: 'center', justifyContent: 'space-between' }}>
          <Typography variant="body2"><strong>{d.name}</strong>{views[d.id] ? ` — ${agentCounts(views[d.id]!)}` : ''}</Typography>
          <Button size="small" onClick={() => setShown(d)} aria-label={`Known agents of ${d.name}`}>Agents…</Button>
        </Stack>
      ))}
      <AgentsDialog destination={shown} onClose={() => { setShown(null); void load().catch(() => undefined) }} />
    </Stack>
  )
}
