/**
 * First connection to a server: show its host key fingerprint and ask the user to compare it
 * with the platform's before trusting it. Never "accept any host key" (DESIGN.md, Host trust).
 */
import Button from '@mui/material/Button'
import Dialog from '@mui/material/Dialog'
import DialogActions from '@mui/material/DialogActions'
import DialogContent from '@mui/material/DialogContent'
import DialogTitle from '@mui/material/DialogTitle'
import Typography from '@mui/material/Typography'
import Box from '@mui/material/Box'
import type { HostKeyInfo } from '../../src/api'

export function HostKeyDialog({ hostKey, sandbox, busy, onCancel, onTrust }: {
  hostKey: HostKeyInfo | null
  /** The built-in server: its key was made by this app, so there is no platform to compare with. */
  sandbox: boolean
  busy: boolean
  onCancel: () => void
  onTrust: (hostKey: HostKeyInfo) => void
}) {
  return (
    <Dialog open={!!hostKey} onClose={onCancel} maxWidth="sm" fullWidth aria-labelledby="hk-title" aria-describedby="hk-text">
      <DialogTitle id="hk-title">Is this the right server?</DialogTitle>
      <DialogContent>
        <Typography id="hk-text">
          This is the first connection to <strong>{sandbox ? 'the sandbox on this computer' : `${hostKey?.host}:${hostKey?.port}`}</strong>. {sandbox
            ? 'Its key was made by this app when the sandbox first ran.'
            : 'Compare its fingerprint with the one your platform shows. Trust it only if they are the same.'}
        </Typography>
        <Box sx={{ my: 2, p: 2, borderRadius: 1, bgcolor: 'action.hover' }}>
          <Typography variant="body2" color="text.secondary">{hostKey?.keyType} host key fingerprint</Typography>
          <Typography sx={{ fontFamily: 'monospace', fontSize: '1rem', overflowWrap: 'anywhere', mt: 0.5 }}>{hostKey?.fingerprint}</Typography>
        </Box>
        <Typography variant="body2" color="text.secondary">The app remembers it and stops if it ever changes.</Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel}>Cancel</Button>
        <Button variant="contained" disabled={busy} onClick={() => hostKey && onTrust(hostKey)}>Trust this server</Button>
      </DialogActions>
    </Dialog>
  )
}
