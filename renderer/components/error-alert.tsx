/**
 * Shows a failure as the core's sentence (what happened and what to do). Never a stack
 * trace: details are shown only when they are one short line, such as a column name.
 */
import Alert from '@mui/material/Alert'
import type { AlertProps } from '@mui/material/Alert'
import type { ReactNode } from 'react'
import type { AppErrorPayload } from '../../src/api'

/**
 * The core's sentences mark commands and names with backticks (`bulk-upload serve`), as a
 * terminal shows them; on screen they are code, not literal backticks.
 */
export function withCode(text: string): ReactNode[] {
  return text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part))
}

function usefulDetails(details: string | undefined): string | null {
  if (!details || details.length > 240 || /\n\s+at\s/.test(details)) return null
  return details
}

export function ErrorAlert({ error, onClose, severity = 'error', sx }: {
  error: AppErrorPayload | null
  onClose?: () => void
  severity?: AlertProps['severity']
  sx?: AlertProps['sx']
}) {
  if (!error) return null
  const details = usefulDetails(error.details)
  return (
    <Alert severity={severity} onClose={onClose} sx={sx} role="alert">
      {withCode(error.message)}
      {details && <div style={{ opacity: 0.85, marginTop: 4, overflowWrap: 'anywhere' }}>{withCode(details)}</div>}
    </Alert>
  )
}

/** Wraps an unexpected rejection (a broken transport) in the same shape as a coded error. */
export function asPayload(err: unknown): AppErrorPayload {
  return { code: 'INTERNAL', message: 'Something unexpected went wrong talking to the app. Try again; if it keeps happening, restart the app.', details: err instanceof Error ? err.message : undefined }
}
