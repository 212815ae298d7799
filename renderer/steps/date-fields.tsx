/**
 * Optional conversion of the source dates to ISO 8601: the platform wants
 * `2019-05-03T09:27:23+00:00`, while phone systems often export `03/05/2019 09:27` in local
 * time. A live example on the first row's value shows the result before anything is sent.
 */
import { useEffect, useMemo, useState } from 'react'
import Alert from '@mui/material/Alert'
import Autocomplete from '@mui/material/Autocomplete'
import Box from '@mui/material/Box'
import TextField from '@mui/material/TextField'
import Typography from '@mui/material/Typography'
import { useApi } from '../api-context'
import type { DraftMapping } from '../wizard'

const FORMATS = ['dd/MM/yyyy HH:mm', 'dd/MM/yyyy HH:mm:ss', 'MM/dd/yyyy HH:mm', 'MM/dd/yyyy h:mm a', 'yyyy-MM-dd HH:mm:ss', 'dd.MM.yyyy HH:mm', 'd MMM yyyy HH:mm']

/** What the platform accepts as is: ISO 8601 with a UTC offset, e.g. 2019-05-03T09:27:23+00:00. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/

function zones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone')
  } catch {
    return ['UTC', 'Europe/London', 'Europe/Dublin', 'America/New_York', 'Australia/Sydney']
  }
}

export function DateFields({ mapping, sample, onChange }: {
  mapping: DraftMapping
  /** The first row's Contact Date value, or null when that field is not mapped yet. */
  sample: string | null
  onChange: (change: Pick<DraftMapping, 'dateFormat' | 'timezone'>) => void
}) {
  const api = useApi()
  const allZones = useMemo(zones, [])
  const [example, setExample] = useState<{ text: string; ok: boolean } | null>(null)
  const fmt = mapping.dateFormat ?? ''
  const zone = mapping.timezone ?? ''

  useEffect(() => {
    if (!sample || !fmt || !zone) { setExample(null); return }
    let live = true
    // Wait for typing to pause: each keystroke would otherwise cross the process boundary.
    const t = setTimeout(() => {
      api.convertDateExample(sample, fmt, zone).then((r) => {
        if (live) setExample(r.ok ? { text: r.value, ok: true } : { text: r.error.message, ok: false })
      }, () => undefined)
    }, 250)
    return () => { live = false; clearTimeout(t) }
  }, [api, sample, fmt, zone])

  return (
    <Box>
      <Typography variant="h3" component="h2" sx={{ mb: 0.5 }}>Contact dates</Typography>
      <Typography color="text.secondary" variant="body2" sx={{ mb: 2 }}>
        Leave these empty when the dates already look like 2019-05-03T09:27:23+00:00. Otherwise give their format and the time zone they were recorded in, and the app converts them.
      </Typography>
      <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fit, minmax(16rem, 1fr))' }}>
        <Autocomplete
          freeSolo
          options={FORMATS}
          inputValue={fmt}
          onInputChange={(_e, v) => onChange({ dateFormat: v || undefined, timezone: mapping.timezone })}
          renderInput={(p) => <TextField {...p} label="Source date format" helperText="Luxon tokens, e.g. dd/MM/yyyy HH:mm" />}
        />
        <Autocomplete
          options={allZones}
          value={zone || null}
          onChange={(_e, v) => onChange({ dateFormat: mapping.dateFormat, timezone: v ?? undefined })}
          renderInput={(p) => <TextField {...p} label="Time zone" helperText={fmt && !zone ? 'Required with a format' : 'Where the calls were recorded'} error={!!fmt && !zone} />}
        />
      </Box>
      <Box aria-live="polite" sx={{ mt: 1.5, minHeight: '1.5rem' }}>
        {sample && !fmt && !ISO_WITH_OFFSET.test(sample.trim()) && (
          <Alert severity="warning">
            The dates look like <code>{sample}</code>, not ISO 8601 with a UTC offset, so those rows would be left out. Give their format and time zone to have them converted.
          </Alert>
        )}
        {sample && example && (
          <Typography variant="body2" color={example.ok ? 'text.primary' : 'error'}>
            Example: <code>{sample}</code> → {example.ok ? <code>{example.text}</code> : example.text}
          </Typography>
        )}
      </Box>
    </Box>
  )
}
