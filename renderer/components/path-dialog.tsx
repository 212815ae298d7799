/**
 * Asks where to write a file (a mapping profile, the problem list). The contract takes a
 * path rather than opening a native save dialog, so both hosts behave alike; the field is
 * pre-filled next to the CSV so one click is usually enough.
 */
import { useEffect, useState } from 'react'
import Button from '@mui/material/Button'
import Dialog from '@mui/material/Dialog'
import DialogActions from '@mui/material/DialogActions'
import DialogContent from '@mui/material/DialogContent'
import DialogTitle from '@mui/material/DialogTitle'
import TextField from '@mui/material/TextField'
import Typography from '@mui/material/Typography'

export function PathDialog({ open, title, help, initialPath, action, onClose, onConfirm }: {
  open: boolean
  title: string
  help: string
  initialPath: string
  action: string
  onClose: () => void
  onConfirm: (path: string) => void
}) {
  const [path, setPath] = useState(initialPath)
  useEffect(() => { if (open) setPath(initialPath) }, [open, initialPath])
  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="path-title">
      <form onSubmit={(e) => { e.preventDefault(); if (path.trim()) onConfirm(path.trim()) }}>
        <DialogTitle id="path-title">{title}</DialogTitle>
        <DialogContent>
          <Typography color="text.secondary" sx={{ mb: 2 }}>{help}</Typography>
          <TextField label="File path" value={path} onChange={(e) => setPath(e.target.value)} fullWidth autoFocus
            slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: 'monospace' } } }} />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={!path.trim()}>{action}</Button>
        </DialogActions>
      </form>
    </Dialog>
  )
}
