/** The public key, one click from the clipboard, with where to paste it in the platform. */
import { useState } from 'react'
import Alert from '@mui/material/Alert'
import Box from '@mui/material/Box'
import Button from '@mui/material/Button'
import Paper from '@mui/material/Paper'
import Typography from '@mui/material/Typography'
import CopyIcon from '@mui/icons-material/ContentCopy'
import type { KeyInfo } from '../../src/api'

export function PublicKeyCard({ keyInfo }: { keyInfo: KeyInfo }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(keyInfo.publicKey)
      setCopied('yes')
    } catch {
      setCopied('failed')
    }
  }
  return (
    <Paper variant="outlined" sx={{ p: 2 }} aria-label={`Public key ${keyInfo.name}`} role="group">
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
        <Typography variant="h3" component="h3" sx={{ flex: 1, minWidth: '12rem' }}>
          Public key “{keyInfo.name}” <Typography component="span" color="text.secondary" variant="body2">
            {keyInfo.type === 'ed25519' ? 'Ed25519' : `${keyInfo.type.toUpperCase()} ${keyInfo.bits}`}{keyInfo.encrypted ? ' · passphrase protected' : ''}
          </Typography>
        </Typography>
        <Button variant="contained" startIcon={<CopyIcon />} onClick={() => void copy()}>Copy public key</Button>
      </Box>
      <Box component="pre" tabIndex={0} aria-label="Public key text" sx={{
        mt: 1.5, mb: 1, p: 1.5, bgcolor: 'action.hover', borderRadius: 1, fontSize: '0.8rem', whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: '7rem', overflow: 'auto',
      }}>{keyInfo.publicKey}</Box>
      <Typography variant="body2">Fingerprint: <code style={{ overflowWrap: 'anywhere' }}>{keyInfo.fingerprint}</code></Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
        In evaluagent, open the bulk upload (SFTP) settings, paste this key as the public key and save. The platform then shows the host name, port and username to enter here.
      </Typography>
      {copied && (
        <Alert severity={copied === 'yes' ? 'success' : 'warning'} sx={{ mt: 1.5 }} onClose={() => setCopied(null)}>
          {copied === 'yes' ? 'Copied. Paste it into the platform.' : 'The clipboard is not available here. Select the key above and copy it by hand.'}
        </Alert>
      )}
    </Paper>
  )
}
