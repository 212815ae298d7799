/**
 * When the page loses its host (the web host was stopped, hung, or the laptop slept), say so
 * at once and block every action: the screen behind is stale, and a click would only fail.
 * Uploads run in the host, not the page, so an upload carries on if the host does. When the
 * host answers again, the dialog closes, a note says so, and `onReconnected` resyncs. The
 * dialog cannot be dismissed (Escape and clicks outside do nothing): only the host's return closes it.
 */
import { useEffect, useRef, useState } from 'react'
import Alert from '@mui/material/Alert'
import Dialog from '@mui/material/Dialog'
import DialogContent from '@mui/material/DialogContent'
import DialogTitle from '@mui/material/DialogTitle'
import LinearProgress from '@mui/material/LinearProgress'
import Snackbar from '@mui/material/Snackbar'
import Typography from '@mui/material/Typography'
import type { ConnectionState, ConnectionWatch } from '../transport/connection-watch'

export function ConnectionLost({ watch, onReconnected }: { watch?: ConnectionWatch; onReconnected: () => void }) {
  const [state, setState] = useState<ConnectionState>('connected')
  const [back, setBack] = useState(false)
  // The latest callback, without resubscribing on every render of the wizard.
  const reconnected = useRef(onReconnected)
  reconnected.current = onReconnected

  useEffect(() => {
    if (!watch) return undefined
    return watch.subscribe((next) => {
      setState(next)
      if (next === 'connected') {
        setBack(true)
        reconnected.current()
      }
    })
  }, [watch])

  return (
    <>
      <Dialog open={state === 'lost'} aria-labelledby="lost-title" aria-describedby="lost-text" onClose={() => undefined}>
        <DialogTitle id="lost-title">Lost contact with the app</DialogTitle>
        <DialogContent>
          <Typography id="lost-text" sx={{ mb: 2 }}>
            This page cannot reach <code>bulk-upload serve</code>. Uploads run there, not in this page: if it is still running, they carry on.
            If you stopped it, start it again. This page reconnects by itself when it answers.
          </Typography>
          <LinearProgress aria-label="Reconnecting" />
        </DialogContent>
      </Dialog>
      <Snackbar open={back && state === 'connected'} autoHideDuration={6000} onClose={() => setBack(false)}>
        <Alert severity="success" onClose={() => setBack(false)} variant="filled">Reconnected: what you see is up to date.</Alert>
      </Snackbar>
    </>
  )
}
