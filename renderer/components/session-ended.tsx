/**
 * What a browser tab shows when it has no session with the web host: the address was already
 * used or is too old, or `bulk-upload serve` restarted since the tab opened. Says how to get a
 * new address instead of a bare refusal.
 */
import Alert from '@mui/material/Alert'
import AlertTitle from '@mui/material/AlertTitle'
import Container from '@mui/material/Container'
import CssBaseline from '@mui/material/CssBaseline'
import useMediaQuery from '@mui/material/useMediaQuery'
import { ThemeProvider } from '@mui/material/styles'
import type { AppErrorPayload } from '../../src/api'
import { makeTheme } from '../theme'
import { withCode } from './error-alert'

export function SessionEnded({ error }: { error: AppErrorPayload }) {
  const dark = useMediaQuery('(prefers-color-scheme: dark)')
  return (
    <ThemeProvider theme={makeTheme(dark ? 'dark' : 'light')}>
      <CssBaseline />
      <Container component="main" maxWidth="sm" sx={{ py: 6 }}>
        <Alert severity="info" role="alert" data-code={error.code}>
          <AlertTitle component="h1">Open a new address to use the app</AlertTitle>
          {withCode(error.message)}
        </Alert>
      </Container>
    </ThemeProvider>
  )
}
