/**
 * Importing a destination's agent list from a CSV (the platform's user export or the user's
 * own list). The file is picked the way a batch's CSV is: a folder chosen (native picker, or
 * the in-page folder browser on the web host), scanned, and one of its CSVs chosen; the core
 * reads it with the batch reader's encoding and delimiter detection, so only the column is
 * asked for (the one that looks like the agent ID preselected).
 */
import { useState } from 'react'
import Button from '@mui/material/Button'
import MenuItem from '@mui/material/MenuItem'
import Stack from '@mui/material/Stack'
import TextField from '@mui/material/TextField'
import type { AgentListPreview, AppErrorPayload, KnownAgentsView, ScannedFile } from '../../src/api'
import { useApi } from '../api-context'
import { asPayload } from './error-alert'
import { FolderBrowserDialog } from './folder-browser-dialog'

export function AgentListImport({ destinationId, onImported, onError }: {
  destinationId: string
  onImported: (view: KnownAgentsView) => void
  onError: (error: AppErrorPayload | null) => void
}) {
  const api = useApi()
  const [browsing, setBrowsing] = useState(false)
  const [csvFiles, setCsvFiles] = useState<ScannedFile[]>([])
  const [preview, setPreview] = useState<AgentListPreview | null>(null)
  const [column, setColumn] = useState('')
  const [busy, setBusy] = useState(false)

  const attempt = async (fn: () => Promise<void>) => {
    onError(null)
    setBusy(true)
    try { await fn() } catch (e) { onError(asPayload(e)) } finally { setBusy(false) }
  }

  const readFile = (file: string) => attempt(async () => {
    const r = await api.previewAgentList(file)
    if (!r.ok) return onError(r.error)
    setPreview(r.value)
    setColumn(r.value.suggested ?? r.value.headers[0] ?? '')
  })

  const scanFolder = (folder: string) => attempt(async () => {
    setPreview(null)
    const r = await api.scan([folder])
    if (!r.ok) return onError(r.error)
    setCsvFiles(r.value.csvFiles)
    if (r.value.csvFiles.length === 0) onError({ code: 'FILE_NOT_FOUND', message: 'That folder holds no CSV file. Choose the folder the agent list was saved in.' })
    else if (r.value.csvFiles.length === 1) await readFile(r.value.csvFiles[0]!.path)
  })

  const choose = () => attempt(async () => {
    const caps = await api.capabilities()
    if (!caps.ok || !caps.value.nativeDialogs) { setBrowsing(true); return }
    const r = await api.pickFolder()
    if (!r.ok) onError(r.error)
    else if (r.value) await scanFolder(r.value)
  })

  const importIt = () => attempt(async () => {
    if (!preview) return
    const r = await api.importAgentList(destinationId, preview.path, column)
    if (!r.ok) return onError(r.error)
    setPreview(null)
    setCsvFiles([])
    onImported(r.value)
  })

  return (
    <Stack spacing={1.5}>
      <Button variant="outlined" onClick={() => void choose()} disabled={busy} sx={{ alignSelf: 'flex-start' }}>Import from a CSV…</Button>
      {csvFiles.length > 1 && (
        <TextField select label="CSV file" value={preview?.path ?? ''} onChange={(e) => void readFile(e.target.value)}>
          {csvFiles.map((f) => <MenuItem key={f.path} value={f.path}>{f.relPath}</MenuItem>)}
        </TextField>
      )}
      {preview && (
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
          <TextField select label="Column with the agent IDs" value={column} onChange={(e) => setColumn(e.target.value)} sx={{ minWidth: 260 }}
            helperText={`From ${preview.path}`}>
            {preview.headers.map((h) => <MenuItem key={h} value={h}>{h}</MenuItem>)}
          </TextField>
          <Button variant="contained" onClick={() => void importIt()} disabled={busy || column === ''}>Import</Button>
        </Stack>
      )}
      <FolderBrowserDialog open={browsing} title="Choose the folder of the agent list" onClose={() => setBrowsing(false)}
        onPick={(p) => { setBrowsing(false); void scanFolder(p) }} />
    </Stack>
  )
}
