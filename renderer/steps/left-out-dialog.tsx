/**
 * Asks before going on when the review leaves out more than LEFT_OUT_CONFIRM_SHARE of the
 * rows: "Continue with 1,303 rows" as one click, with 57% of the export left behind, is more
 * often a wrong mapping or date format than a decision.
 */
import Button from '@mui/material/Button'
import Dialog from '@mui/material/Dialog'
import DialogActions from '@mui/material/DialogActions'
import DialogContent from '@mui/material/DialogContent'
import DialogTitle from '@mui/material/DialogTitle'
import Typography from '@mui/material/Typography'
import type { BatchReport } from '../../src/api'
import { formatCount } from '../format'

/** More than this share of the rows left out asks before continuing. */
export const LEFT_OUT_CONFIRM_SHARE = 0.1

/** True when so many rows are left out that continuing should be confirmed. */
export function needsLeftOutConfirm(report: Pick<BatchReport, 'conversations' | 'excluded'>): boolean {
  return report.conversations > 0 && report.excluded / report.conversations > LEFT_OUT_CONFIRM_SHARE
}

export function LeftOutDialog({ report, open, onCancel, onConfirm }: {
  report: Pick<BatchReport, 'conversations' | 'excluded' | 'eligible'>
  open: boolean
  onCancel: () => void
  onConfirm: () => void
}) {
  const share = report.conversations > 0 ? Math.round((report.excluded / report.conversations) * 100) : 0
  return (
    <Dialog open={open} onClose={onCancel} maxWidth="sm" fullWidth aria-labelledby="left-out-title" aria-describedby="left-out-text">
      <DialogTitle id="left-out-title">Leave out {share}% of the rows?</DialogTitle>
      <DialogContent>
        <Typography id="left-out-text">
          {formatCount(report.excluded, 'row of', 'rows of')} {report.conversations.toLocaleString('en-GB')} would not be sent; only {formatCount(report.eligible, 'row')} would.
          So many rows left out often means a column or the date format is mapped wrongly: check the problems listed, or go back to the mapping.
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel} autoFocus>Check the problems</Button>
        <Button variant="contained" onClick={onConfirm}>Continue with {formatCount(report.eligible, 'row')}</Button>
      </DialogActions>
    </Dialog>
  )
}
