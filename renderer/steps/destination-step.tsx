/**
 * Step 4: where the batch goes and with which key. The sandbox is listed from the first run
 * so the whole app can be tried without credentials. A connection is tested (and its host key
 * confirmed on first use) before the upload starts; a changed host key stops everything, and
 * removing its pin is a separate, warned action, after which the new key is confirmed as a first one.
 */
import { useCallback, useEffect, useState } from 'react'
import Alert from '@mui/material/Alert'
import AlertTitle from '@mui/material/AlertTitle'
import Box from '@mui/material/Box'
import Button from '@mui/material/Button'
import FormControlLabel from '@mui/material/FormControlLabel'
import IconButton from '@mui/material/IconButton'
import Paper from '@mui/material/Paper'
import Radio from '@mui/material/Radio'
import Snackbar from '@mui/material/Snackbar'
import RadioGroup from '@mui/material/RadioGroup'
import Stack from '@mui/material/Stack'
import TextField from '@mui/material/TextField'
import Typography from '@mui/material/Typography'
import DeleteIcon from '@mui/icons-material/DeleteOutlined'
import EditIcon from '@mui/icons-material/EditOutlined'
import CheckIcon from '@mui/icons-material/CheckCircle'
import type { AppErrorPayload, Destination, KeyInfo } from '../../src/api'
import { useApi } from '../api-context'
import { ErrorAlert, asPayload, withCode } from '../components/error-alert'
import { StepLayout } from '../components/step-layout'
import type { StepProps } from '../wizard'
import { DestinationDialog, ForgetHostKeyDialog, RemoveDestinationDialog } from './destination-dialog'
import { HostKeyDialog } from './host-key-dialog'
import { KeyDialog } from './key-dialog'
import { PublicKeyCard } from './public-key-card'
import { useConnectionTest } from './use-connection-test'
import { useDeferredRemoval } from './use-deferred-removal'

/** The destination a new batch starts with: a real one when asked, else the last used, else the sandbox. */
export function preselect(dests: Destination[], wantReal: boolean): Destination | null {
  if (wantReal) return dests.find((d) => d.lastUsed && !d.sandbox) ?? dests.find((d) => !d.sandbox) ?? null
  return dests.find((d) => d.lastUsed) ?? dests.find((d) => d.sandbox) ?? dests[0] ?? null
}

/** Where the test logged in, in the user's words. */
function loggedInAs(d: Destination): string {
  return d.sandbox ? 'Logged in to the sandbox on this computer.' : `Logged in as ${d.username} on ${d.host}:${d.port}.`
}

export function DestinationStep({ data, update, send }: StepProps) {
  const api = useApi()
  const [dests, setDests] = useState<Destination[]>([])
  const [keys, setKeys] = useState<KeyInfo[]>([])
  const connection = useConnectionTest()
  const check = connection.result
  const [dialog, setDialog] = useState<'destination' | 'key' | 'forget' | null>(null)
  const [editing, setEditing] = useState<Destination | null>(null)
  const [removing, setRemoving] = useState<Destination | null>(null)
  const [passphrase, setPassphrase] = useState('')
  const [error, setError] = useState<AppErrorPayload | null>(null)
  const [forgetting, setForgetting] = useState(false)
  const busy = connection.busy || forgetting
  const [createdKey, setCreatedKey] = useState<KeyInfo | null>(null)
  // The dialog "New key…" was opened from, to return to once the key is made.
  const [keyFrom, setKeyFrom] = useState<'destination' | null>(null)

  const reload = useCallback(async () => {
    try {
      const [d, k] = await Promise.all([api.listDestinations(), api.listKeys()])
      if (d.ok) setDests(d.value); else setError(d.error)
      if (k.ok) setKeys(k.value); else setError(k.error)
      if (d.ok && !data.destinationId) {
        const chosen = preselect(d.value, data.wantRealDestination)
        if (chosen) update({ destinationId: chosen.id, wantRealDestination: false })
        // Asked for a real destination and there is none yet: adding one is the next step.
        else if (data.wantRealDestination) { update({ wantRealDestination: false }); setDialog('destination') }
      }
    } catch (e) { setError(asPayload(e)) }
  }, [api, data.destinationId, data.wantRealDestination, update])
  // Once, on entering the step: later changes reload explicitly.
  const [loaded, setLoaded] = useState(false)
  useEffect(() => { if (!loaded) { setLoaded(true); void reload() } }, [loaded, reload])

  const removal = useDeferredRemoval(async (d) => {
    try {
      const r = await api.removeDestination(d.id)
      if (!r.ok) setError(r.error)
    } catch (e) { setError(asPayload(e)) }
    await reload()
  })
  const shown = dests.filter((d) => d.id !== removal.pending?.id)
  const dest = shown.find((d) => d.id === data.destinationId) ?? null
  const key = keys.find((k) => k.name === dest?.keyName) ?? null
  // A message about another destination (or an earlier attempt) must not stay on screen.
  const select = (id: string) => { update({ destinationId: id }); connection.reset(); setPassphrase(''); setError(null) }

  // Checked again against this destination first: delivered rows and a changed layout are
  // shown before anything is sent (see use-send.ts).
  const start = async (destinationId: string) => {
    const d = dests.find((x) => x.id === destinationId)
    const err = await send({ destinationId, destinationName: d ? (d.sandbox ? 'Sandbox (this computer)' : d.name) : destinationId, sandbox: !!d?.sandbox, passphrase: passphrase || null })
    if (err) setError(err)
  }

  /** Tests the connection; with `thenStart`, goes on to the upload once logged in to a trusted server. */
  const test = async (thenStart: boolean) => {
    if (!dest) return
    setError(null)
    const id = dest.id
    await connection.test({ destination: id, passphrase: passphrase || null, then: thenStart ? () => start(id) : undefined })
  }

  /** Forgets the changed server's pinned key (the user confirmed the warning), then tests again. */
  const forget = async () => {
    if (!dest) return
    setForgetting(true)
    try {
      const r = await api.forgetHostKey(dest.id)
      setDialog(null)
      if (!r.ok) { setError(r.error); return }
    } catch (e) { setError(asPayload(e)); return } finally { setForgetting(false) }
    await test(false)
  }

  const remove = (d: Destination) => {
    setRemoving(null)
    setError(null)
    if (d.id === data.destinationId) { update({ destinationId: null }); connection.reset() }
    removal.schedule(d)
  }

  // The key to paste into the platform: the chosen destination's, or the one just made.
  const shownKey = (dest && !dest.sandbox ? key : null) ?? createdKey
  const changed = check.state === 'error' && check.error.code === 'HOST_KEY_CHANGED'
  const needsPassphrase = !!key?.encrypted
  return (
    <StepLayout
      title="Destination and key"
      intro="Choose where the batch goes. To try the app first, use the sandbox on this computer: nothing leaves it."
      back={{ label: 'Back to review', onClick: () => update({ step: 'review' }) }}
      next={{ label: 'Start upload', onClick: () => void test(true), disabled: !dest || changed || (needsPassphrase && !passphrase), busy }}
      extra={<Button variant="outlined" onClick={() => void test(false)} disabled={!dest || busy}>Test connection</Button>}
    >
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap' }}>
        <Typography variant="h3" component="h2" id="dest-list" sx={{ flex: 1 }}>Destinations</Typography>
        <Button onClick={() => setDialog('key')}>New SSH key…</Button>
        <Button variant="outlined" onClick={() => setDialog('destination')}>Add destination…</Button>
      </Box>
      <RadioGroup aria-labelledby="dest-list" value={data.destinationId ?? ''} onChange={(e) => select(e.target.value)} sx={{ gap: 1 }}>
        {shown.map((d) => (
          <Paper key={d.id} variant="outlined" sx={(t) => ({ px: 2, py: 1, display: 'flex', alignItems: 'center', borderColor: d.id === data.destinationId ? t.palette.primary.main : undefined })}>
            <FormControlLabel value={d.id} control={<Radio />} sx={{ flex: 1, mr: 0, minWidth: 0 }} label={
              <Box sx={{ py: 0.5, minWidth: 0 }}>
                <Typography sx={{ fontWeight: 600 }}>{d.sandbox ? 'Sandbox (this computer)' : d.name}</Typography>
                <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>
                  {d.sandbox ? 'A test server built into the app, for trying a batch end to end.' : `${d.username}@${d.host}:${d.port}${d.remoteDir ? ` · ${d.remoteDir}` : ''} · key “${d.keyName}”`}
                </Typography>
              </Box>
            } />
            {!d.sandbox && <IconButton aria-label={`Edit destination ${d.name}`} onClick={() => { setEditing(d); setDialog('destination') }}><EditIcon /></IconButton>}
            {!d.sandbox && <IconButton aria-label={`Remove destination ${d.name}`} onClick={() => setRemoving(d)}><DeleteIcon /></IconButton>}
          </Paper>
        ))}
      </RadioGroup>
      {changed && (
        <Alert severity="error" variant="filled" role="alert">
          <AlertTitle>Stopped: the server’s identity has changed</AlertTitle>
          {withCode(check.error.message)}
          {check.error.details && <Box sx={{ mt: 1, overflowWrap: 'anywhere', fontSize: '0.875rem' }}>{check.error.details}</Box>}
          <Box sx={{ mt: 1.5 }}>
            <Button variant="outlined" color="inherit" size="small" onClick={() => setDialog('forget')} disabled={busy}>Remove the pinned key…</Button>
          </Box>
        </Alert>
      )}
      {check.state === 'error' && !changed && <ErrorAlert error={check.error} />}
      {check.state === 'testing' && <Alert severity="info">Connecting to the server…</Alert>}
      {check.state === 'ok' && check.check.trusted && dest && (
        <Alert icon={<CheckIcon />} severity="success">
          {loggedInAs(dest)} Server fingerprint <code style={{ overflowWrap: 'anywhere' }}>{check.check.hostKey.fingerprint}</code> is trusted.
        </Alert>
      )}
      <ErrorAlert error={error} onClose={() => setError(null)} />
      {needsPassphrase && (
        <TextField type="password" label={`Passphrase for key “${key?.name}”`} value={passphrase} onChange={(e) => setPassphrase(e.target.value)}
          helperText="Used for this upload only; the app does not store it." sx={{ maxWidth: '28rem' }} />
      )}
      {shownKey && <PublicKeyCard keyInfo={shownKey} />}
      {dest && !dest.sandbox && !key && <Alert severity="warning">The key “{dest.keyName}” of this destination is missing. Generate or import it again.</Alert>}
      <Stack>
        <HostKeyDialog hostKey={connection.hostKey} sandbox={!!dest?.sandbox} busy={busy} onCancel={connection.declineHostKey} onTrust={() => void connection.trust()} />
        <DestinationDialog key={editing?.id ?? 'new'} open={dialog === 'destination'} initial={editing} keys={keys} justMadeKey={createdKey?.name ?? null}
          sandboxKey={dests.find((d) => d.sandbox)?.keyName ?? null}
          onClose={() => { setDialog(null); setEditing(null) }} onNewKey={() => { setKeyFrom('destination'); setDialog('key') }}
          onSaved={(d) => { setDialog(null); setEditing(null); void reload().then(() => select(d.id)) }} />
        <RemoveDestinationDialog destination={removing} onCancel={() => setRemoving(null)} onConfirm={remove} />
        <Snackbar open={!!removal.pending} autoHideDuration={8000} onClose={(_e, reason) => { if (reason !== 'clickaway') removal.commit() }}
          message={removal.pending ? `Destination “${removal.pending.name}” removed.` : ''}
          action={<>
            <Button color="inherit" size="small" onClick={removal.undo}>Undo</Button>
            <Button color="inherit" size="small" onClick={removal.commit}>Dismiss</Button>
          </>} />
        <ForgetHostKeyDialog server={dialog === 'forget' && dest ? (dest.sandbox ? 'the sandbox on this computer' : `${dest.host}:${dest.port}`) : null} busy={busy}
          onCancel={() => setDialog(null)} onConfirm={() => void forget()} />
        {/* Made from "Add destination", the key goes back to that dialog, chosen there. */}
        <KeyDialog open={dialog === 'key'} existing={keys.map((k) => k.name)} onClose={() => { setDialog(keyFrom); setKeyFrom(null) }}
          onCreated={(k) => { setKeys((ks) => [...ks, k]); setCreatedKey(k); setDialog(keyFrom); setKeyFrom(null) }} />
      </Stack>
    </StepLayout>
  )
}
