/** The frame of every step: a heading, a short explanation, the content and the Back/Next row. */
import type { ReactNode } from 'react'
import Box from '@mui/material/Box'
import Button from '@mui/material/Button'
import Stack from '@mui/material/Stack'
import Typography from '@mui/material/Typography'

export interface StepAction {
  label: string
  onClick: () => void
  disabled?: boolean
  busy?: boolean
}

export function StepLayout({ title, intro, children, back, next, extra }: {
  title: string
  intro?: ReactNode
  children: ReactNode
  back?: StepAction
  next?: StepAction
  extra?: ReactNode
}) {
  return (
    <Box component="section" aria-labelledby="step-title" sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
      <div>
        <Typography variant="h1" id="step-title" tabIndex={-1} sx={{ outline: 'none' }}>{title}</Typography>
        {intro && <Typography color="text.secondary" sx={{ mt: 0.75, maxWidth: '70ch' }}>{intro}</Typography>}
      </div>
      {children}
      {(back || next || extra) && (
        <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center', pt: 1, flexWrap: 'wrap', rowGap: 1.5 }}>
          {back && <Button variant="text" onClick={back.onClick} disabled={back.disabled}>{back.label}</Button>}
          <Box sx={{ flex: 1 }} />
          {extra}
          {next && (
            <Button variant="contained" size="large" onClick={next.onClick} disabled={next.disabled || next.busy}>
              {next.busy ? `${next.label}…` : next.label}
            </Button>
          )}
        </Stack>
      )}
    </Box>
  )
}
