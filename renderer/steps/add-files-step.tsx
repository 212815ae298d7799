/**
 * Step 1: the user drops a folder (or chooses one) and sees what the app found in it: the
 * CSV files, the recordings and their total size. With several CSVs they pick the one that
 * holds the conversations.
 */
import { useEffect, useState } from 'react'
import Alert from '@mui/material/Alert'
import Button from '@mui/material/Button'
import Chip from '@mui/material/Chip'
import FormControl from '@mui/material/FormControl'
import FormControlLabel from '@mui/material/FormControlLabel'
import FormLabel from '@mui/material/FormLabel'
import LinearProgress from '@mui/material/LinearProgress'
import Radio from '@mui/material/Radio'
import RadioGroup from '@mui/material/RadioGroup'
import Stack from '@mui/material/Stack'
import Typography from '@mui/material/Typography'
import type { AppErrorPayload, HostCapabilities } from '../../src/api'
import { useApi, usePathForFile } from '../api-context'
import { ErrorAlert, asPayload } from '../components/error-alert'
import { DropZone } from '../components/drop-zone'
import { FolderBrowserDialog } from '../components/folder-browser-dialog'
import { StepLayout } from '../components/step-layout'
import { Stat } from '../components/stat'
import { baseName, formatBytes, formatCount } from '../format'
import type { StepProps } from '../wizard'

export function AddFilesStep({ data, update }: StepProps) {
  const api = useApi()
  const pathForFile = usePathForFile()
  const [caps, setCaps] = useState<HostCapabilities | null>(null)
  const [browsing, setBrowsing] = useState(false)
  const [busy, setBusy] = useState<'scan' | 'preview' | null>(null)
  const [error, setError] = useState<AppErrorPayload | null>(null)
  const [note, setNote] = useState<string | null>(null)

  useEffect(() => {
    let live = true
    api.capabilities().then((r) => { if (live && r.ok) setCaps(r.value) }, () => undefined)
    return () => { live = false }
  }, [api])

  const scan = async (paths: string[]) => {
    setBusy('scan')
    setError(null)
    try {
      const r = await api.scan(paths)
      if (!r.ok) { setError(r.error); return }
      const csvs = r.value.csvFiles
      const keep = csvs.some((c) => c.path === data.csvPath) ? data.csvPath : null
      update({ paths, scan: r.value, csvPath: keep ?? (csvs.length === 1 ? csvs[0]!.path : null) })
    } catch (e) {
      setError(asPayload(e))
    } finally {
      setBusy(null)
    }
  }

  const choose = async () => {
    setNote(null)
    if (!caps?.nativeDialogs) { setBrowsing(true); return }
    const r = await api.pickFolder()
    if (!r.ok) setError(r.error)
    else if (r.value) await scan([r.value])
  }

  const onFiles = (files: File[]) => {
    const paths = files.map((f) => pathForFile?.(f) ?? null)
    if (files.length === 0) return
    if (paths.some((p) => !p)) {
      // A web page is never told where dropped files live, so the host could not read them.
      // The explanation stays readable: the folder browser opens only when the user asks.
      const name = files[0]?.name
      setNote(`In the browser the app cannot see where dropped files are${name ? ` (“${name}”)` : ''}. Choose the folder on this computer instead.`)
      return
    }
    void scan(paths as string[])
  }

  const next = async () => {
    if (!data.csvPath) return
    if (data.preview?.path === data.csvPath) { update({ step: 'map' }); return }
    setBusy('preview')
    setError(null)
    try {
      const r = await api.previewCsv(data.csvPath)
      if (!r.ok) { setError(r.error); return }
      // A CSV with a header seen before gets the mapping used then (or the one the platform layout
      // gives its column names); a new one the core's suggestion.
      const remembered = r.value.remembered
      update({ preview: r.value, mapping: { ...(remembered?.profile ?? r.value.suggestion) }, mappingFrom: remembered ? { kind: remembered.kind, from: remembered.from } : null, report: null, step: 'map' })
    } catch (e) {
      setError(asPayload(e))
    } finally {
      setBusy(null)
    }
  }

  const s = data.scan
  const hint = caps?.kind === 'web'
    ? 'In the browser, choose the folder on the computer running the app.'
    : 'Recordings (WAV, MP3, OGG, M4A…) and the CSV describing the calls can sit side by side or in sub-folders.'
  return (
    <StepLayout
      title="Add files"
      intro="Add the folder that holds the call recordings and the CSV of conversation metadata exported from your phone system or CRM."
      next={{ label: 'Preview CSV', onClick: () => void next(), disabled: !data.csvPath, busy: busy === 'preview' }}
    >
      <DropZone onFiles={onFiles} onActivate={() => void choose()} hint={hint}>
        <Button variant="contained" onClick={(e) => { e.stopPropagation(); void choose() }} sx={{ mt: 1 }}>
          Choose folder…
        </Button>
      </DropZone>
      {busy === 'scan' && <LinearProgress aria-label="Looking through the folder" />}
      {note && (
        <Alert severity="info" onClose={() => setNote(null)}
          action={<Button color="inherit" size="small" onClick={() => void choose()}>Choose folder…</Button>}>
          {note}
        </Alert>
      )}
      <ErrorAlert error={error} onClose={() => setError(null)} />
      {s && (
        <Stack spacing={2} aria-live="polite">
          <Typography variant="h3" component="h2">
            Found in {s.roots.length === 1 ? baseName(s.roots[0]!) : formatCount(s.roots.length, 'place')}
          </Typography>
          <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 2 }}>
            <Stat label="CSV files" value={s.csvFiles.length.toLocaleString('en-GB')} tone={s.csvFiles.length === 0 ? 'error' : undefined} />
            <Stat label="Recordings" value={s.recordingCount.toLocaleString('en-GB')} tone={s.recordingCount === 0 ? 'warning' : undefined} />
            <Stat label="Total size" value={formatBytes(s.recordingBytes)} hint="of recordings" />
          </Stack>
          {Object.keys(s.byExtension).length > 0 && (
            <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 1 }} aria-label="Recordings by type">
              {Object.entries(s.byExtension).sort((a, b) => b[1] - a[1]).map(([ext, n]) => (
                <Chip key={ext} label={`${ext.toUpperCase()} · ${n.toLocaleString('en-GB')}`} variant="outlined" />
              ))}
            </Stack>
          )}
          {s.skipped > 0 && (
            <Typography variant="body2" color="text.secondary">
              {formatCount(s.skipped, 'hidden or system file')} and links leading outside the folder were left out.
            </Typography>
          )}
          {s.csvFiles.length === 0 && (
            <Alert severity="warning">No CSV file was found. Add the folder that also holds the CSV exported with the recordings.</Alert>
          )}
          {s.csvFiles.length > 1 && (
            <FormControl>
              <FormLabel id="csv-choice">Several CSV files were found. Which one holds the conversations?</FormLabel>
              <RadioGroup aria-labelledby="csv-choice" value={data.csvPath ?? ''} onChange={(e) => update({ csvPath: e.target.value })}>
                {s.csvFiles.map((c) => (
                  <FormControlLabel key={c.path} value={c.path} control={<Radio />}
                    label={`${c.relPath} (${formatBytes(c.size)})`} />
                ))}
              </RadioGroup>
            </FormControl>
          )}
          {s.csvFiles.length === 1 && (
            <Typography>CSV: <strong>{s.csvFiles[0]!.relPath}</strong> ({formatBytes(s.csvFiles[0]!.size)})</Typography>
          )}
        </Stack>
      )}
      <FolderBrowserDialog
        open={browsing}
        title="Choose the folder with recordings and CSV"
        onClose={() => setBrowsing(false)}
        onPick={(p) => { setBrowsing(false); void scan([p]) }}
      />
    </StepLayout>
  )
}
