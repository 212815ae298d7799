/**
 * The source dates' format: the platform wants `2019-05-03T09:27:23+00:00`, while phone
 * systems often export `03/05/2019 09:27` in local time. When the column is not ISO 8601, the
 * core proposes the format from the data itself (day-first vs month-first from values above
 * 12) and it is filled in, with converted examples that include the value proving the order.
 * When every day is 12 or less the data cannot decide: nothing is filled in, the reason is
 * shown, and the user must choose the order (a swapped order silently moves dates to another month).
 */
import { useEffect, useMemo, useRef, useState } from 'react'
import Alert from '@mui/material/Alert'
import AlertTitle from '@mui/material/AlertTitle'
import Autocomplete from '@mui/material/Autocomplete'
import Box from '@mui/material/Box'
import FormControlLabel from '@mui/material/FormControlLabel'
import Radio from '@mui/material/Radio'
import RadioGroup from '@mui/material/RadioGroup'
import TextField from '@mui/material/TextField'
import Typography from '@mui/material/Typography'
import type { DateFormatProposal } from '../../src/api'
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

/** This computer's zone: the honest first guess for where the calls were recorded, shown and editable. */
const localZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'

const orderName = (format: string): string => (/^d/i.test(format) ? 'Day first' : /^M/.test(format) ? 'Month first' : 'Year first')

/** 31 December 2024, 23:59:58 written in a pattern: how a preset is named ("31/12/2024 23:59"). */
const EXAMPLE: Record<string, string> = { yyyy: '2024', yy: '24', MMMM: 'December', MMM: 'Dec', MM: '12', M: '12', dd: '31', d: '31', HH: '23', H: '23', hh: '11', h: '11', mm: '59', ss: '58', a: 'PM' }
export function formatExample(format: string): string {
  return format.replace(/yyyy|yy|MMMM|MMM|MM|M|dd|d|HH|H|hh|h|mm|ss|a/g, (t) => EXAMPLE[t] ?? t)
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
/** "2024-05-03T09:00:00+01:00" as people read it: "3 May 2024, 09:00" (the wall time as written, no zone maths). */
export function plainDate(iso: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso)
  return m ? `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}, ${m[4]}:${m[5]}` : null
}

/**
 * The list offers every preset whenever the field holds one of them (a format was proposed or
 * picked); typing filters it. Autocomplete filters by the field's text, so once a format was
 * chosen it offered that format alone and hid the others.
 */
export function formatOptions(options: string[], input: string): string[] {
  const typed = input.trim().toLowerCase()
  if (!typed || options.includes(input)) return options
  return options.filter((o) => o.toLowerCase().includes(typed) || formatExample(o).toLowerCase().includes(typed))
}

/** True when the data cannot decide and no format was chosen yet: "Check the batch" waits. */
export function mustChooseDateOrder(proposal: DateFormatProposal | null, mapping: DraftMapping): boolean {
  return !!proposal && proposal.ambiguous && !mapping.dateFormat
}

export function DateFields({ mapping, csvPath, values, onChange, onProposal }: {
  mapping: DraftMapping
  csvPath: string
  /** The Contact Date column's values in the preview rows ([] while the field is not mapped). */
  values: string[]
  onChange: (change: Pick<DraftMapping, 'dateFormat' | 'timezone'>) => void
  /** The proposal for the mapped column, or null (ISO already, not mapped, or not known yet). */
  onProposal: (proposal: DateFormatProposal | null) => void
}) {
  const api = useApi()
  const allZones = useMemo(zones, [])
  const [proposal, setProposal] = useState<DateFormatProposal | null>(null)
  const [proposalError, setProposalError] = useState<string | null>(null)
  const [live, setLive] = useState<Record<string, { text: string; ok: boolean }>>({})
  // When the order is ambiguous: what the first example means under each candidate ("3 May 2024" / "5 March 2024").
  const [meanings, setMeanings] = useState<Record<string, string>>({})
  const fmt = mapping.dateFormat ?? ''
  const zone = mapping.timezone ?? ''
  const column = mapping.contactDate ?? ''
  const needsProposal = values.some((v) => v.trim() !== '' && !ISO_WITH_OFFSET.test(v.trim()))
  // The latest mapping for the proposal's answer, which arrives after renders.
  const latest = useRef({ mapping, onChange, onProposal })
  latest.current = { mapping, onChange, onProposal }

  useEffect(() => {
    setProposal(null)
    setProposalError(null)
    latest.current.onProposal(null)
    if (!column || !needsProposal) return
    let current = true
    api.proposeDateFormat(csvPath, column).then((r) => {
      if (!current) return
      if (!r.ok) { setProposalError(r.error.message); return }
      const p = r.value
      setProposal(p)
      latest.current.onProposal(p)
      const { mapping: m, onChange: change } = latest.current
      if (!p.iso && !p.ambiguous && p.candidates[0] && !m.dateFormat) change({ dateFormat: p.candidates[0], timezone: m.timezone ?? localZone() })
    }, () => undefined)
    return () => { current = false }
  }, [api, csvPath, column, needsProposal])

  useEffect(() => {
    setMeanings({})
    const value = proposal?.ambiguous ? proposal.examples[0]?.value : undefined
    if (!proposal || !value) return
    let current = true
    for (const c of proposal.candidates) {
      api.convertDateExample(value, c, mapping.timezone ?? localZone()).then((r) => {
        const said = r.ok ? plainDate(r.value) : null
        if (current && said) setMeanings((m) => ({ ...m, [c]: `${value} is ${said}` }))
      }, () => undefined)
    }
    return () => { current = false }
  }, [api, proposal, mapping.timezone])

  const shown = useMemo(() => {
    const list = proposal?.examples.map((e) => e.value) ?? []
    const first = values.find((v) => v.trim() !== '')
    return [...new Set(first === undefined ? list : [...list, first])].slice(0, 5)
  }, [proposal, values])

  useEffect(() => {
    setLive({})
    if (!fmt || !zone || shown.length === 0) return
    let current = true
    // Wait for typing to pause: each keystroke would otherwise cross the process boundary.
    const t = setTimeout(() => {
      for (const value of shown) {
        api.convertDateExample(value, fmt, zone).then((r) => {
          if (current) setLive((l) => ({ ...l, [value]: r.ok ? { text: r.value, ok: true } : { text: r.error.message, ok: false } }))
        }, () => undefined)
      }
    }, 250)
    return () => { current = false; clearTimeout(t) }
  }, [api, shown, fmt, zone])

  const choose = (format: string) => onChange({ dateFormat: format, timezone: mapping.timezone ?? localZone() })
  // The core lists first the example that proves the order (a day above 12), whenever the order was decided by one.
  const proof = proposal && !proposal.ambiguous && /^[dM]/.test(proposal.candidates[0] ?? '') ? (proposal.examples[0]?.value ?? null) : null
  const converted = (value: string): { text: string; ok: boolean } | null =>
    live[value] ?? (fmt || !proposal ? null : ((c) => (c ? { text: c, ok: true } : null))(proposal.examples.find((e) => e.value === value)?.converted ?? null))

  return (
    <Box>
      <Typography variant="h3" component="h2" sx={{ mb: 0.5 }}>Contact dates</Typography>
      <Typography color="text.secondary" variant="body2" sx={{ mb: 2 }}>
        Leave these empty when the dates already look like 2019-05-03T09:27:23+00:00. Otherwise give their format and the time zone they were recorded in, and the app converts them.
      </Typography>
      {proposal && proposal.ambiguous && (
        <Alert severity="warning" sx={{ mb: 2 }}>
          <AlertTitle>Choose the date order</AlertTitle>
          {proposal.reason}
          <RadioGroup aria-label="Date order" value={proposal.candidates.includes(fmt) ? fmt : ''} onChange={(e) => choose(e.target.value)} sx={{ mt: 1 }}>
            {proposal.candidates.map((c) => <FormControlLabel key={c} value={c} control={<Radio />} label={`${orderName(c)}: ${meanings[c] ?? formatExample(c)}`} />)}
          </RadioGroup>
        </Alert>
      )}
      {proposal && !proposal.ambiguous && (
        <Alert severity={proposal.iso || proposal.candidates.length > 0 ? 'info' : 'warning'} sx={{ mb: 2 }}>{proposal.reason}</Alert>
      )}
      {proposalError && <Alert severity="warning" sx={{ mb: 2 }}>The app could not read the dates to propose their format ({proposalError}). Give their format and time zone.</Alert>}
      <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fit, minmax(16rem, 1fr))' }}>
        <Autocomplete
          freeSolo
          options={proposal?.candidates.length ? [...proposal.candidates, ...FORMATS.filter((f) => !proposal.candidates.includes(f))] : FORMATS}
          inputValue={fmt}
          filterOptions={(options, state) => formatOptions(options, state.inputValue)}
          onInputChange={(_e, v) => onChange({ dateFormat: v || undefined, timezone: mapping.timezone })}
          // Presets are named by how a date looks in them; the pattern is there for who wants it.
          renderOption={(props, option) => (
            <li {...props} key={option}>
              <span>{formatExample(option)} <Typography component="span" variant="body2" color="text.secondary">· {orderName(option).toLowerCase()} · {option}</Typography></span>
            </li>
          )}
          renderInput={(p) => <TextField {...p} label="Source date format"
            helperText={fmt ? `Reads dates written like ${formatExample(fmt)}` : 'Pick the one that looks like your dates (31/12/2024 23:59, 12/31/2024 11:59 PM…), or type a pattern: dd day, MM month, yyyy year, HH:mm time'} />}
        />
        <Autocomplete
          options={allZones}
          value={zone || null}
          onChange={(_e, v) => onChange({ dateFormat: mapping.dateFormat, timezone: v ?? undefined })}
          renderInput={(p) => <TextField {...p} label="Time zone" helperText={fmt && !zone ? 'Required with a format' : zone === localZone() ? "This computer's time zone: change it if the calls were recorded elsewhere" : 'Where the calls were recorded'} error={!!fmt && !zone} />}
        />
      </Box>
      <Box aria-live="polite" sx={{ mt: 1.5, minHeight: '1.5rem' }}>
        {needsProposal && !fmt && !proposal?.iso && !proposal?.ambiguous && (
          <Alert severity="warning">
            The dates look like <code>{shown[0]}</code>, not ISO 8601 with a UTC offset, so those rows would be left out. Give their format and time zone to have them converted.
          </Alert>
        )}
        {shown.length > 0 && (fmt || proposal) && (
          <Box component="ul" aria-label="Converted examples" sx={{ m: 0, pl: 2.5 }}>
            {shown.map((value) => {
              const c = converted(value)
              return (
                <Typography component="li" variant="body2" key={value} color={c && !c.ok ? 'error' : 'text.primary'}>
                  <code>{value}</code> → {c ? (c.ok ? <code>{c.text}</code> : c.text) : '…'}
                  {value === proof && <Typography component="span" variant="body2" color="text.secondary"> (proves the order: its day is above 12)</Typography>}
                </Typography>
              )
            })}
          </Box>
        )}
      </Box>
    </Box>
  )
}
