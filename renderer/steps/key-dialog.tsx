/**
 * Generate a key pair in the app (Ed25519 unless the server is old), or import one. Only the
 * public half ever leaves the computer: the user pastes it into the platform.
 */
import { useState } from 'react'
import Button from '@mui/material/Button'
import Dialog from '@mui/material/Dialog'
import DialogActions from '@mui/material/DialogActions'
import DialogContent from '@mui/material/DialogContent'
import DialogTitle from '@mui/material/DialogTitle'
import FormControlLabel from '@mui/material/FormControlLabel'
import Radio from '@mui/material/Radio'
import RadioGroup from '@mui/material/RadioGroup'
import Stack from '@mui/material/Stack'
import Tab from '@mui/material/Tab'
import Tabs from '@mui/material/Tabs'
import TextField from '@mui/material/TextField'
import Typography from '@mui/material/Typography'
import type { AppErrorPayload, KeyInfo } from '../../src/api'
import { useApi } from '../api-context'
import { ErrorAlert, asPayload } from '../components/error-alert'

export function KeyDialog({ open, existing, onClose, onCreated }: {
  open: boolean
  existing: string[]
  onClose: () => void
  onCreated: (key: KeyInfo) => void
}) {
  const api = useApi()
  const [tab, setTab] = useState<'generate' | 'import'>('generate')
  const [name, setName] = useState('evaluagent')
  const [type, setType] = useState<'ed25519' | 'rsa'>('ed25519')
  const [passphrase, setPassphrase] = useState('')
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppErrorPayload | null>(null)
  const taken = existing.includes(name.trim())

  const submit = async () => {
    setBusy(true)
    setError(null)
    try {
      const pass = passphrase ? passphrase : null
      const r = tab === 'generate' ? await api.generateKey(name.trim(), type, pass) : await api.importKey(name.trim(), text, pass)
      if (r.ok) { onCreated(r.value); setPassphrase(''); setText('') } else setError(r.error)
    } catch (e) { setError(asPayload(e)) } finally { setBusy(false) }
  }

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="key-title">
      <DialogTitle id="key-title">SSH key</DialogTitle>
      <Tabs value={tab} onChange={(_e, v: 'generate' | 'import') => setTab(v)} sx={{ px: 3 }} aria-label="Key source">
        <Tab value="generate" label="Generate a new key" />
        <Tab value="import" label="Import a key" />
      </Tabs>
      <DialogContent dividers>
        <Stack spacing={2.5}>
          <TextField label="Key name" value={name} onChange={(e) => setName(e.target.value)} required
            error={taken} helperText={taken ? 'A key with this name already exists; choose another name.' : 'For you to recognise it, e.g. the team or platform account.'} />
          {tab === 'generate' ? (
            <RadioGroup value={type} onChange={(e) => setType(e.target.value as 'ed25519' | 'rsa')} aria-label="Key type">
              <FormControlLabel value="ed25519" control={<Radio />} label="Ed25519 (recommended)" />
              <FormControlLabel value="rsa" control={<Radio />} label="RSA 4096 (only for servers that do not accept Ed25519)" />
            </RadioGroup>
          ) : (
            <TextField label="Private key" value={text} onChange={(e) => setText(e.target.value)} multiline minRows={5} required
              helperText="Paste the private key (OpenSSH, PEM or PuTTY). It is stored on this computer only, readable by you alone."
              slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: 'monospace', fontSize: '0.8rem' } } }} />
          )}
          <TextField label="Passphrase (optional)" type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)}
            autoComplete="new-password"
            helperText={tab === 'generate' ? 'Protects the key if this computer is shared; you will type it when uploading.' : 'Only if the pasted key is protected by one.'} />
          <ErrorAlert error={error} />
          {tab === 'generate' && <Typography variant="body2" color="text.secondary">The private key never leaves this computer.</Typography>}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" onClick={() => void submit()} disabled={busy || !name.trim() || taken || (tab === 'import' && !text.trim())}>
          {busy ? 'Working…' : tab === 'generate' ? 'Generate key' : 'Import key'}
        </Button>
      </DialogActions>
    </Dialog>
  )
}
