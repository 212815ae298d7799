/** A labelled figure (e.g. "Recordings 1,204"), used in summaries across the steps. */
import Paper from '@mui/material/Paper'
import Typography from '@mui/material/Typography'

export function Stat({ label, value, hint, tone }: { label: string; value: string; hint?: string; tone?: 'error' | 'warning' | 'success' }) {
  return (
    <Paper variant="outlined" sx={{ p: 2, minWidth: 150, flex: '1 1 150px' }} role="group" aria-label={label}>
      <Typography variant="body2" color="text.secondary">{label}</Typography>
      <Typography variant="h2" component="p" sx={{ mt: 0.5, color: tone ? `${tone}.main` : undefined }}>{value}</Typography>
      {hint && <Typography variant="body2" color="text.secondary" sx={{ mt: 0.25 }}>{hint}</Typography>}
    </Paper>
  )
}
