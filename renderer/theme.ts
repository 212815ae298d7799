/**
 * Light and dark themes; the app follows the operating system's choice (prefers-color-scheme)
 * because QA managers work in both and a settings toggle is one more thing to look after.
 */
import { createTheme, type Theme } from '@mui/material/styles'

export function makeTheme(mode: 'light' | 'dark'): Theme {
  const dark = mode === 'dark'
  return createTheme({
    palette: {
      mode,
      primary: { main: dark ? '#7cb4ff' : '#1f5fbf' },
      secondary: { main: dark ? '#c6a4ff' : '#6b3fb5' },
      // Status colours chosen for 4.5:1 contrast as text and as chip fill in both schemes
      // (MUI's default orange and red fail on white and on the dark paper).
      error: { main: dark ? '#ff8a80' : '#c62828' },
      warning: { main: dark ? '#ffb74d' : '#a14b00' },
      success: { main: dark ? '#81c784' : '#2e7d32' },
      info: { main: dark ? '#81d4fa' : '#0b6aa2' },
      background: dark ? { default: '#11151c', paper: '#1a2029' } : { default: '#f4f6fa', paper: '#ffffff' },
    },
    shape: { borderRadius: 10 },
    typography: {
      // rem-based sizes so the layout follows the browser's zoom and font-size settings.
      fontFamily: '"Inter", "Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif',
      h1: { fontSize: '1.5rem', fontWeight: 650 },
      h2: { fontSize: '1.25rem', fontWeight: 650 },
      h3: { fontSize: '1.05rem', fontWeight: 650 },
      button: { textTransform: 'none', fontWeight: 600 },
    },
    components: {
      MuiButton: { defaultProps: { disableElevation: true } },
      MuiPaper: { defaultProps: { elevation: 0 }, styleOverrides: { root: { backgroundImage: 'none' } } },
      MuiTooltip: { defaultProps: { arrow: true } },
      // The "stop" alert (a changed host key) is filled; the light red of the dark scheme is
      // for text, so the fill uses a deep red with white text instead.
      MuiAlert: {
        styleOverrides: {
          root: {
            variants: dark ? [{ props: { variant: 'filled', severity: 'error' }, style: { backgroundColor: '#8e1b1b', color: '#ffffff' } }] : [],
          },
        },
      },
    },
  })
}
