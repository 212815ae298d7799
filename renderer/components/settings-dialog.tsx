/**
 * Settings that matter to QA managers: how many files go at once, how long local data is kept,
 * how long the delivery ledger remembers what reached each destination (so overlapping
 * exports never send a conversation twice) and whether those records are shared with the
 * team's other computers (a team ledger in PostgreSQL, as `--ledger`), and, for office
 * networks, an upload speed limit and the proxy connections go through. The limit, the proxy
 * URL and the team ledger address are checked by the core with the CLI's own parsers
 * (`--bwlimit`, `--proxy`, `--ledger`): a refusal is shown under its field.
 */
import { useEffect, useState, type SyntheticEvent } from 'react'
import Button from '@mui/material/Button'
import Box from '@mui/material/Box'
import Dialog from '@mui/material/Dialog'
import DialogActions from '@mui/material/DialogActions'
import DialogContent from '@mui/material/DialogContent'
import DialogTitle from '@mui/material/DialogTitle'
import FormControl from '@mui/material/FormControl'
import FormControlLabel from '@mui/material/FormControlLabel'
import FormLabel from '@mui/material/FormLabel'
import Radio from '@mui/material/Radio'
import RadioGroup from '@mui/material/RadioGroup'
import Stack from '@mui/material/Stack'
import TextField from '@mui/material/TextField'
import Typography from '@mui/material/Typography'
import { DEFAULT_LEDGER_RETENTION_DAYS, type AppErrorPayload, type HostCapabilities, type ProxyMode } from '../../src/api'
import { useApi } from '../api-context'
import { ErrorAlert, asPayload } from './error-alert'
import { KnownAgentsSection } from './known-agents-section'

const SYSTEM_PROXY_HINT: Record<HostCapabilities['kind'], string> = {
  electron: 'The proxy this computer’s settings give for the SFTP server (as a browser here would use).',
  web: 'ALL_PROXY or HTTPS_PROXY of the app’s environment, as the command line uses; none when they are not set.',
}

/** Which field a refused save names (the core's details say `settings.FIELD`; a bad team ledger address has its own code). */
function refusedField(error: AppErrorPayload | null): string | null {
  if (error?.code === 'TEAM_LEDGER_INVALID') return 'teamLedger'
  return /`settings\.(\w+)`/.exec(error?.details ?? '')?.[1] ?? null
}

/** Fields whose refusal is shown under the field itself rather than at the foot of the dialog. */
const REFUSED_IN_PLACE = new Set(['bandwidthLimit', 'proxyUrl', 'teamLedger'])

const TEAM_LEDGER_HINT = 'Leave empty to keep delivery records on this computer. To share them with other computers that send to the same platform account, enter the PostgreSQL address your IT team gives you: postgresql://user@host:5432/database'

/** A refused team ledger address: what was wrong with it, then what to write. */
function refusal(error: AppErrorPayload | null): string {
  if (!error) return ''
  return error.code === 'TEAM_LEDGER_INVALID' && error.details ? `${error.details} ${error.message}` : (error.details ?? error.message)
}

export function SettingsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const api = useApi()
  const [concurrency, setConcurrency] = useState('')
  const [retention, setRetention] = useState('')
  const [ledgerRetention, setLedgerRetention] = useState(String(DEFAULT_LEDGER_RETENTION_DAYS))
  const [bandwidth, setBandwidth] = useState('')
  const [proxy, setProxy] = useState<ProxyMode>('system')
  const [proxyUrl, setProxyUrl] = useState('')
  const [teamLedger, setTeamLedger] = useState('')
  const [host, setHost] = useState<HostCapabilities['kind']>('web')
  const [error, setError] = useState<AppErrorPayload | null>(null)
  // The fields take input once the stored settings are in them: what was typed before would be
  // overwritten when they arrive (seen on a busy machine), and a save before then would store
  // the defaults over them.
  const [loaded, setLoaded] = useState(false)

  useEffect(() => {
    if (!open) return
    setError(null)
    setLoaded(false)
    api.getSettings().then((r) => {
      if (!r.ok) return setError(r.error)
      const s = r.value
      setConcurrency(s.concurrency === null ? '' : String(s.concurrency))
      setRetention(String(s.retentionDays))
      setLedgerRetention(String(s.ledgerRetentionDays ?? DEFAULT_LEDGER_RETENTION_DAYS))
      setBandwidth(s.bandwidthLimit ?? '')
      setProxy(s.proxy ?? 'system')
      setProxyUrl(s.proxyUrl ?? '')
      setTeamLedger(s.teamLedger ?? '')
      setLoaded(true)
    }, (e: unknown) => setError(asPayload(e)))
    api.capabilities().then((r) => { if (r.ok) setHost(r.value.kind) }, () => undefined)
  }, [api, open])

  // Empty is automatic (null); else the same bounds as the core's payload check
  // (main/validate-payload.ts): beyond 8 files the engine opens more connections.
  const c = concurrency.trim() === '' ? null : Number(concurrency)
  const d = Number(retention)
  const cOk = c === null || (Number.isInteger(c) && c >= 1 && c <= 32)
  const dOk = Number.isInteger(d) && d >= 1 && d <= 3650
  const l = Number(ledgerRetention)
  const lOk = ledgerRetention.trim() !== '' && Number.isInteger(l) && l >= 1 && l <= 3650
  const urlOk = proxy !== 'url' || proxyUrl.trim() !== ''
  const refused = refusedField(error)

  const save = async () => {
    try {
      // A URL typed and then switched away from is not kept: the saved setting says what is used.
      const r = await api.saveSettings({ concurrency: c, retentionDays: d, ledgerRetentionDays: l, bandwidthLimit: bandwidth.trim(), proxy, proxyUrl: proxy === 'url' ? proxyUrl.trim() : '', teamLedger: teamLedger.trim() })
      if (r.ok) onClose()
      else setError(r.error)
    } catch (e) { setError(asPayload(e)) }
  }

  return (
    // The paper is the form (MUI's form dialog): the title and the buttons stay in view and only
    // the fields scroll, where a form inside the paper made the whole dialog scroll, Save included.
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="settings-title">
      {/* The form fills the dialog's paper as a column, so only the fields scroll (title and Save
          stay in view); it is inside the paper, which keeps role="dialog" on a plain element. */}
      <Box component="form" onSubmit={(e: SyntheticEvent) => { e.preventDefault(); if (loaded && cOk && dOk && lOk && urlOk) void save() }}
        sx={{ display: 'flex', flexDirection: 'column', minHeight: 0, flex: '1 1 auto' }}>
      <DialogTitle id="settings-title">Settings</DialogTitle>
      <DialogContent dividers>
        <Box component="fieldset" disabled={!loaded} sx={{ border: 0, m: 0, p: 0, minWidth: 0 }}>
        <Stack spacing={2.5} sx={{ pt: 1 }}>
          <TextField label="Files sent at once" type="number" value={concurrency} onChange={(e) => setConcurrency(e.target.value)}
            placeholder="Automatic" slotProps={{ inputLabel: { shrink: true }, htmlInput: { min: 1, max: 32 } }}
            error={!cOk} helperText={cOk ? 'Empty for automatic: the app starts with 16 and sends more at once when the server is far away. To choose yourself, a number from 1 to 32.' : 'Empty for automatic, or a whole number from 1 to 32.'} />
          <TextField label="Upload speed limit" value={bandwidth} onChange={(e) => { setBandwidth(e.target.value); if (refused === 'bandwidthLimit') setError(null) }}
            placeholder="No limit" error={refused === 'bandwidthLimit'}
            helperText={refused === 'bandwidthLimit' ? error?.details : 'Empty for no limit. 2M is 2 MiB/s, 500K is 500 KiB/s; a timetable such as “08:00,1M 18:00,off” (this computer’s time) keeps the office link free by day. The same as --bwlimit.'} />
          <FormControl>
            <FormLabel id="proxy-label">Connect to the SFTP server</FormLabel>
            <RadioGroup aria-labelledby="proxy-label" value={proxy} onChange={(e) => { setProxy(e.target.value as ProxyMode); if (refused === 'proxyUrl') setError(null) }}>
              <FormControlLabel value="system" control={<Radio />} label="Through the system’s proxy" />
              <Typography variant="body2" color="text.secondary" sx={{ ml: 4, mt: -0.5, mb: 0.5 }}>{SYSTEM_PROXY_HINT[host]}</Typography>
              <FormControlLabel value="none" control={<Radio />} label="Directly, without a proxy" />
              <FormControlLabel value="url" control={<Radio />} label="Through this proxy" />
            </RadioGroup>
            {proxy === 'url' && (
              <TextField label="Proxy address" value={proxyUrl} onChange={(e) => { setProxyUrl(e.target.value); if (refused === 'proxyUrl') setError(null) }} sx={{ mt: 1 }}
                placeholder="socks5://proxy.example.com:1080" autoComplete="off" error={!urlOk || refused === 'proxyUrl'}
                helperText={refused === 'proxyUrl' ? error?.details : 'socks5://, socks5h:// or http:// (CONNECT), with user:password@ if the proxy asks for a login. The SSH session stays encrypted end to end.'} />
            )}
          </FormControl>
          <TextField label="Keep local history (days)" type="number" value={retention} onChange={(e) => setRetention(e.target.value)}
            error={!dOk} helperText={dOk ? 'Journals, reports and generated CSVs older than this are deleted. Recordings are never copied.' : 'A whole number of days from 1 to 3,650.'}
            slotProps={{ htmlInput: { min: 1 } }} />
          <TextField label="Remember delivered conversations for (days)" type="number" value={ledgerRetention} onChange={(e) => setLedgerRetention(e.target.value)}
            error={!lOk} helperText={lOk ? `Rows delivered within this many days are never sent to the same destination again. Only references are kept, no recordings.${teamLedger.trim() ? ' A team ledger keeps its records for as long as its database does.' : ''}` : 'A whole number of days from 1 to 3,650.'}
            slotProps={{ htmlInput: { min: 1, max: 3650 } }} />
          <TextField label="Team ledger" value={teamLedger} onChange={(e) => { setTeamLedger(e.target.value); if (refused === 'teamLedger') setError(null) }}
            placeholder="This computer only" autoComplete="off" error={refused === 'teamLedger'}
            slotProps={{ inputLabel: { shrink: true }, htmlInput: { spellCheck: false, maxLength: 2048 } }}
            helperText={refused === 'teamLedger' ? refusal(error) : TEAM_LEDGER_HINT} />
          <KnownAgentsSection open={open} />
          <Typography variant="body2" color="text.secondary">Light or dark appearance follows your computer’s setting. The limit, the proxy and the team ledger apply to checks, uploads and connection tests started after saving.</Typography>
          {!(refused && REFUSED_IN_PLACE.has(refused)) && <ErrorAlert error={error} />}
        </Stack>
        </Box>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="contained" disabled={!loaded || !cOk || !dOk || !lOk || !urlOk}>Save</Button>
      </DialogActions>
      </Box>
    </Dialog>
  )
}
