/**
 * A folder browser over api.browse, for the web host: a browser page cannot learn the real
 * path of a dropped folder, so the user picks it on the computer that runs the host instead.
 * Each folder says how many CSVs and recordings it holds, so the batch folder is easy to spot.
 */
import { useEffect, useRef, useState } from 'react'
import Box from '@mui/material/Box'
import Button from '@mui/material/Button'
import Dialog from '@mui/material/Dialog'
import DialogActions from '@mui/material/DialogActions'
import DialogContent from '@mui/material/DialogContent'
import DialogTitle from '@mui/material/DialogTitle'
import List from '@mui/material/List'
import ListItem from '@mui/material/ListItem'
import ListItemButton from '@mui/material/ListItemButton'
import ListItemIcon from '@mui/material/ListItemIcon'
import ListItemText from '@mui/material/ListItemText'
import Typography from '@mui/material/Typography'
import LinearProgress from '@mui/material/LinearProgress'
import TextField from '@mui/material/TextField'
import FolderIcon from '@mui/icons-material/Folder'
import UpIcon from '@mui/icons-material/ArrowUpward'
import type { AppErrorPayload, DirectoryListing, FolderCounts } from '../../src/api'
import { useApi } from '../api-context'
import { formatCount } from '../format'
import { ErrorAlert, asPayload } from './error-alert'

/** "1 CSV · 4,784 recordings", or null for a folder with neither. */
export function describeCounts(c: FolderCounts | null): string | null {
  if (!c || (c.csvFiles === 0 && c.recordings === 0)) return null
  const more = c.complete ? '' : '+'
  return [c.csvFiles ? `${formatCount(c.csvFiles, 'CSV')}${more}` : null, c.recordings ? `${c.recordings.toLocaleString('en-GB')}${more} ${c.recordings === 1 ? 'recording' : 'recordings'}` : null].filter(Boolean).join(' · ')
}

export function FolderBrowserDialog({ open, title, onClose, onPick }: {
  open: boolean
  title: string
  onClose: () => void
  onPick: (path: string) => void
}) {
  const api = useApi()
  const [at, setAt] = useState<string | null>(null)
  const [listing, setListing] = useState<DirectoryListing | null>(null)
  const [error, setError] = useState<AppErrorPayload | null>(null)
  const [loading, setLoading] = useState(false)
  const [typed, setTyped] = useState('')
  // The field follows the folder shown, unless the user is typing a path of their own.
  const [dirty, setDirty] = useState(false)
  useEffect(() => { if (listing && !dirty) setTyped(listing.path) }, [listing, dirty])
  // Loading from the click on: until the new folder is listed, "Use this folder" would pick the old one.
  const go = (path: string | null) => { setDirty(false); if (path !== at) setLoading(true); setAt(path) }
  // Opening a folder from the list replaces the item that had focus: focus goes to the new
  // list's first item once it is shown, not back to the dialog (keyboard users lost their place).
  const list = useRef<HTMLUListElement>(null)
  const [focusList, setFocusList] = useState(false)
  const openFolder = (path: string | null) => { setFocusList(true); go(path) }

  useEffect(() => {
    if (!open) return
    let live = true
    setLoading(true)
    api.browse(at).then((r) => {
      if (!live) return
      if (r.ok) { setListing(r.value); setError(null) } else setError(r.error)
    }, (e: unknown) => live && setError(asPayload(e))).finally(() => live && setLoading(false))
    return () => { live = false }
  }, [api, at, open])

  useEffect(() => {
    if (!focusList || loading || !listing) return
    setFocusList(false)
    list.current?.querySelector<HTMLElement>('.MuiListItemButton-root')?.focus()
  }, [focusList, loading, listing])

  const folders = listing?.folders ?? []
  const here = describeCounts(listing?.here ?? null)
  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="browse-title">
      <DialogTitle id="browse-title">{title}</DialogTitle>
      <DialogContent dividers sx={{ p: 0 }}>
        {/* A long path is quicker to paste than to click through. */}
        <Box component="form" sx={{ px: 3, pt: 2.5, pb: 1 }} onSubmit={(e) => { e.preventDefault(); if (typed.trim()) go(typed.trim()) }}>
          <TextField label="Folder" value={typed} onChange={(e) => { setDirty(true); setTyped(e.target.value) }} size="small" fullWidth
            helperText="Type or paste a path and press Enter, or open the folders below."
            slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: 'monospace' } } }} />
        </Box>
        <Typography variant="body2" color="text.secondary" sx={{ px: 3, pb: 1 }} aria-live="polite">
          {listing ? `In ${listing.path}${here ? `: ${here}` : ''}` : '…'}
        </Typography>
        {loading && <LinearProgress aria-label="Loading folder" />}
        <ErrorAlert error={error} sx={{ mx: 2, mb: 1 }} />
        <List ref={list} dense sx={{ height: 340, overflow: 'auto' }} aria-label="Folder contents">
          {listing?.parent != null && (
            <ListItem disablePadding>
              <ListItemButton onClick={() => openFolder(listing.parent)}>
                <ListItemIcon><UpIcon /></ListItemIcon>
                <ListItemText primary="Up one folder" />
              </ListItemButton>
            </ListItem>
          )}
          {folders.map((f) => (
            <ListItem disablePadding key={f.path}>
              <ListItemButton onClick={() => openFolder(f.path)}>
                <ListItemIcon><FolderIcon color="primary" /></ListItemIcon>
                <ListItemText primary={f.name} secondary={describeCounts(f.counts) ?? undefined} />
              </ListItemButton>
            </ListItem>
          ))}
          {listing && folders.length === 0 && (
            <ListItem sx={{ px: 3, color: 'text.secondary' }}>No folders inside this one.</ListItem>
          )}
        </List>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" disabled={!listing || loading} onClick={() => listing && onPick(listing.path)}>Use this folder</Button>
      </DialogActions>
    </Dialog>
  )
}
