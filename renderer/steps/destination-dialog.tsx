/**
 * The destination step's dialogs: adding a destination with the host, port and username exactly
 * as the platform shows them (and testing the login before saving it), and the warned removal
 * of a server's pinned host key.
 */
import { useEffect, useState } from 'react'
import Alert from '@mui/material/Alert'
import Button from '@mui/material/Button'
import Dialog from '@mui/material/Dialog'
import DialogActions from '@mui/material/DialogActions'
import DialogContent from '@mui/material/DialogContent'
import DialogTitle from '@mui/material/DialogTitle'
import MenuItem from '@mui/material/MenuItem'
import Stack from '@mui/material/Stack'
import TextField from '@mui/material/TextField'
import Typography from '@mui/material/Typography'
import CheckIcon from '@mui/icons-material/CheckCircle'
import type { AppErrorPayload, Destination, DestinationInput, KeyInfo } from '../../src/api'
import { useApi } from '../api-context'
import { ErrorAlert, asPayload } from '../components/error-alert'
import { HostKeyDialog } from './host-key-dialog'
import { useConnectionTest } from './use-connection-test'

/**
 * The key a new destination starts with: the one the user just made (they pasted its public
 * half into the platform a moment ago), else the newest key that is not the sandbox's (the app
 * made that one for itself), else any. The oldest key is the sandbox's: never the first guess.
 */
export function keyForNewDestination(keys: KeyInfo[], justMade: string | null, sandboxKey: string | null): string {
  if (justMade && keys.some((k) => k.name === justMade)) return justMade
  const own = keys.filter((k) => k.name !== sandboxKey)
  const newest = (list: KeyInfo[]) => list.reduce<KeyInfo | null>((best, k) => (!best || k.createdAt >= best.createdAt ? k : best), null)
  return (newest(own) ?? newest(keys))?.name ?? ''
}

/** Adds a destination, or edits `initial` (same id, so its history and pins stay with it). */
export function DestinationDialog({ open, initial, keys, justMadeKey = null, sandboxKey = null, onClose, onSaved, onNewKey }: {
  open: boolean
  initial?: Destination | null
  keys: KeyInfo[]
  /** A key made in this step ("New SSH key…"): a new destination takes it. */
  justMadeKey?: string | null
  /** The sandbox destination's key, which a real destination is not offered first. */
  sandboxKey?: string | null
  onClose: () => void
  onSaved: (d: Destination) => void
  onNewKey: () => void
}) {
  const api = useApi()
  const [name, setName] = useState(initial?.name ?? 'evaluagent')
  const [host, setHost] = useState(initial?.host ?? '')
  const [port, setPort] = useState(String(initial?.port ?? 22))
  const [username, setUsername] = useState(initial?.username ?? '')
  const [keyName, setKeyName] = useState(initial?.keyName ?? '')
  const [remoteDir, setRemoteDir] = useState(initial?.remoteDir ?? '')
  const [error, setError] = useState<AppErrorPayload | null>(null)
  const [passphrase, setPassphrase] = useState('')
  const [busy, setBusy] = useState(false)
  const connection = useConnectionTest()
  // Chosen each time the dialog opens for a new destination (it stays mounted in between), and
  // again when a key is made from it: what the user picked by hand stays until then.
  const preferred = initial ? null : keyForNewDestination(keys, justMadeKey, sandboxKey)
  useEffect(() => { if (open && preferred) setKeyName(preferred) }, [open, preferred])
  useEffect(() => { if (!keyName && keys[0]) setKeyName(initial?.keyName ?? keys[0].name) }, [keys, keyName, initial])

  const portNumber = Number(port)
  const portOk = Number.isInteger(portNumber) && portNumber >= 1 && portNumber <= 65535
  const valid = name.trim() && host.trim() && username.trim() && keyName && portOk
  const key = keys.find((k) => k.name === keyName)
  const input = (): DestinationInput => ({
    ...(initial ? { id: initial.id } : {}), name: name.trim(), host: host.trim(), port: portNumber, username: username.trim(), keyName, remoteDir: remoteDir.trim(),
  })
  // A result is about the server, login and key as they were tested: changing one makes it stale.
  const { reset } = connection
  const edit = (set: (v: string) => void) => (e: { target: { value: string } }) => { set(e.target.value); reset() }

  const save = async () => {
    setBusy(true)
    setError(null)
    try {
      const r = await api.saveDestination(input())
      if (r.ok) onSaved(r.value)
      else setError(r.error)
    } catch (e) { setError(asPayload(e)) } finally { setBusy(false) }
  }
  const test = () => { setError(null); void connection.test({ destination: input(), passphrase: passphrase || null }) }
  const result = connection.result

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="dest-title">
      <form onSubmit={(e) => { e.preventDefault(); if (valid) void save() }}>
        <DialogTitle id="dest-title">{initial ? `Edit destination “${initial.name}”` : 'Add a destination'}</DialogTitle>
        <DialogContent dividers>
          <Stack spacing={2.5}>
            <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} required helperText="Shown in the list, e.g. “evaluagent – Leeds team”." />
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
              <TextField label="Host name" value={host} onChange={edit(setHost)} required sx={{ flex: 3 }}
                slotProps={{ htmlInput: { spellCheck: false, autoCapitalize: 'off' } }} />
              <TextField label="Port" value={port} onChange={edit(setPort)} required sx={{ flex: 1, minWidth: '6rem' }}
                error={!portOk} helperText={portOk ? ' ' : '1 to 65535'} slotProps={{ htmlInput: { inputMode: 'numeric' } }} />
            </Stack>
            <TextField label="Username" value={username} onChange={edit(setUsername)} required
              slotProps={{ htmlInput: { spellCheck: false, autoCapitalize: 'off' } }} />
            <Stack sx={{ alignItems: 'flex-start' }} direction="row" spacing={1}>
              <TextField select label="SSH key" value={keyName} onChange={edit(setKeyName)} required sx={{ flex: 1 }}
                helperText={keys.length ? 'The key whose public half you pasted into the platform.' : 'Generate or import a key first.'}>
                {keys.map((k) => <MenuItem key={k.name} value={k.name}>{k.name} ({k.type})</MenuItem>)}
              </TextField>
              <Button onClick={onNewKey} sx={{ mt: 1 }}>New key…</Button>
            </Stack>
            <TextField label="Remote folder (optional)" value={remoteDir} onChange={(e) => setRemoteDir(e.target.value)}
              helperText="Leave empty: the platform reads files from the root folder." />
            {key?.encrypted && (
              <TextField type="password" label={`Passphrase for key “${key.name}” (for the test)`} value={passphrase} onChange={edit(setPassphrase)}
                helperText="Used for this test only; the app does not store it." />
            )}
            {result.state === 'testing' && <Alert severity="info">Logging in to {host.trim()}:{port}…</Alert>}
            {result.state === 'ok' && result.check.trusted && (
              <Alert icon={<CheckIcon />} severity="success">
                Logged in as {username.trim()} on {host.trim()}:{portNumber}. Server fingerprint <code style={{ overflowWrap: 'anywhere' }}>{result.check.hostKey.fingerprint}</code> is trusted.
              </Alert>
            )}
            <ErrorAlert error={result.state === 'error' ? result.error : null} />
            <ErrorAlert error={error} />
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="outlined" onClick={test} disabled={!valid || busy || connection.busy || (!!key?.encrypted && !passphrase)}>
            {connection.busy ? 'Testing…' : 'Test connection'}
          </Button>
          <Button type="submit" variant="contained" disabled={!valid || busy}>{busy ? 'Saving…' : 'Save destination'}</Button>
        </DialogActions>
      </form>
      <HostKeyDialog hostKey={connection.hostKey} sandbox={false} busy={connection.busy} onCancel={connection.declineHostKey} onTrust={() => void connection.trust()} />
    </Dialog>
  )
}

/** Asks before a destination is removed; the step still offers Undo for a few seconds after. */
export function RemoveDestinationDialog({ destination, onCancel, onConfirm }: {
  destination: Destination | null
  onCancel: () => void
  onConfirm: (d: Destination) => void
}) {
  return (
    <Dialog open={!!destination} onClose={onCancel} maxWidth="xs" fullWidth aria-labelledby="rm-dest-title" aria-describedby="rm-dest-text">
      <DialogTitle id="rm-dest-title">Remove this destination?</DialogTitle>
      <DialogContent>
        <Typography id="rm-dest-text">
          “{destination?.name}” ({destination?.username}@{destination?.host}:{destination?.port}) is removed from this app. Nothing on the server changes,
          and the key stays. To send to it again, add it again.
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel}>Cancel</Button>
        <Button color="error" variant="contained" onClick={() => destination && onConfirm(destination)}>Remove destination</Button>
      </DialogActions>
    </Dialog>
  )
}

/**
 * Confirms removing the key pinned for a server whose key changed: the one way to accept a
 * rebuilt server (forget, test again, compare the new fingerprint). It is its own action, never
 * a button on the stop message's path to the upload, and it warns that a change can be an attack.
 */
export function ForgetHostKeyDialog({ server, busy, onCancel, onConfirm }: {
  /** `host:port` of the server, or null when closed. */
  server: string | null
  busy: boolean
  onCancel: () => void
  onConfirm: () => void
}) {
  return (
    <Dialog open={server !== null} onClose={onCancel} maxWidth="sm" fullWidth aria-labelledby="forget-title" aria-describedby="forget-text">
      <DialogTitle id="forget-title">Remove the pinned key?</DialogTitle>
      <DialogContent>
        <Alert severity="warning" sx={{ mb: 2 }}>
          Only continue if your platform administrator has confirmed that the server was rebuilt or its
          keys were replaced. Otherwise someone may be intercepting the connection: stop here and ask them.
        </Alert>
        <Typography id="forget-text">
          The app will forget the key it trusted for <strong>{server}</strong>, then test the connection again
          and show the server’s new fingerprint. Trust it only if it is the one your administrator gave you.
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel} autoFocus>Cancel</Button>
        <Button variant="contained" color="error" disabled={busy} onClick={onConfirm}>Remove pinned key</Button>
      </DialogActions>
    </Dialog>
  )
}
