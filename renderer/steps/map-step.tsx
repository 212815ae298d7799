/**
 * Step 2: the CSV's first rows with the mapped columns highlighted, the four dropdowns, the
 * optional date conversion, and mapping profiles. The platform fixes the CSV's structure at
 * the first import, so a loaded profile is checked against this CSV and a mismatch is said
 * plainly rather than discovered after the upload.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import Alert from '@mui/material/Alert'
import AlertTitle from '@mui/material/AlertTitle'
import Button from '@mui/material/Button'
import Chip from '@mui/material/Chip'
import Stack from '@mui/material/Stack'
import Typography from '@mui/material/Typography'
import { FIELD_LABELS, MAPPED_FIELDS, type AppErrorPayload, type PreviewRecording, type CsvDelimiter, type DateFormatProposal, type CsvEncoding, type MappedField, type MappingProfile } from '../../src/api'
import { useApi } from '../api-context'
import { ErrorAlert, asPayload } from '../components/error-alert'
import { StepLayout } from '../components/step-layout'
import { PlayButton, RecordingPlayer, usePlayFocus, useRecordingPlayer } from '../components/recording-player'
import { VirtualTable, type Column } from '../components/virtual-table'
import { baseName } from '../format'
import { finishSave } from '../save-outcome'
import { completeMapping, type StepProps } from '../wizard'
import { DateFields, mustChooseDateOrder } from './date-fields'
import { DurationField } from './duration-field'
import { MappingFields } from './mapping-fields'
import { checkForReview } from './review-destination'

const ENCODINGS: Record<CsvEncoding, string> = {
  'utf-8': 'UTF-8', 'utf-8-bom': 'UTF-8 with BOM', 'utf-16le': 'UTF-16 LE', 'utf-16be': 'UTF-16 BE', 'windows-1252': 'Windows-1252',
}
const DELIMITERS: Record<CsvDelimiter, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' }

export function MapStep({ data, update }: StepProps) {
  const api = useApi()
  const preview = data.preview!
  const mapping = data.mapping
  const [error, setError] = useState<AppErrorPayload | null>(null)
  const [misfit, setMisfit] = useState<string[] | null>(null)
  const [info, setInfo] = useState<string | null>(null)
  const mappingFile = useRef<HTMLInputElement>(null)
  const [sideways, setSideways] = useState(false)
  const [busy, setBusy] = useState(false)
  const [dateProposal, setDateProposal] = useState<DateFormatProposal | null>(null)
  const { canPlay, playing, play, stop } = useRecordingPlayer(setError)
  // Per preview row (0-based), its recording when the mapped file is in the batch's folders.
  const [recordings, setRecordings] = useState<Map<number, PreviewRecording>>(new Map())
  const { contactReference, agentId, audioFilename } = mapping
  useEffect(() => {
    stop()
    setRecordings(new Map())
    if (!canPlay || !data.csvPath || !contactReference || !agentId) return
    let live = true
    const spec = { paths: data.paths, csvPath: data.csvPath, mapping: { contactReference, agentId, contactDate: mapping.contactDate ?? '', ...(audioFilename ? { audioFilename } : {}) } }
    api.matchPreviewRecordings(spec).then((r) => {
      if (live && r.ok) setRecordings(new Map(r.value.map((m) => [m.row - 1, m])))
    }, () => undefined)
    return () => { live = false }
    // Not on the date column: it does not change which recording a row names.
  }, [api, canPlay, data.csvPath, data.paths, contactReference, agentId, audioFilename, stop])

  const fieldOf = (header: string): MappedField | undefined => MAPPED_FIELDS.find((f) => mapping[f] === header)
  const columns: Column[] = [
    { key: '#', header: '#', width: '4rem', align: 'right' },
    ...preview.headers.map((h, i) => {
      const f = fieldOf(h)
      return { key: `${i}`, header: f ? <>{h}<br /><Chip size="small" color="primary" label={FIELD_LABELS[f]} sx={{ mt: 0.5 }} /></> : h, highlight: !!f }
    }),
    ...(recordings.size > 0 ? [{ key: 'play', header: 'Play', width: '4.5rem' }] : []),
  ]
  // The play buttons are one Tab stop (arrows move between rows): the fields below the preview
  // must not be dozens of presses away from those above it.
  const focus = usePlayFocus(recordings.size > 0 ? Math.min(...recordings.keys()) : null)
  const renderRow = useCallback((i: number) => {
    const cells: ReactNode[] = [String(i + 1), ...(preview.rows[i] ?? [])]
    if (recordings.size > 0) {
      const rec = recordings.get(i)
      cells.push(rec ? <PlayButton key="p" row={rec} playing={playing?.row.media === rec.media} onPlay={(row) => void play(row)} index={i} focus={focus} /> : '')
    }
    return cells
  }, [preview.rows, recordings, playing, play, focus])
  const dateIndex = mapping.contactDate ? preview.headers.indexOf(mapping.contactDate) : -1
  // Memoised: the date fields convert these as examples, and must not see a new list every render.
  const dateValues = useMemo(() => (dateIndex >= 0 ? preview.rows.map((r) => r[dateIndex] ?? '') : []), [preview.rows, dateIndex])
  const known = MAPPED_FIELDS.every((f) => !mapping[f] || preview.headers.includes(mapping[f]))
  const profile = known ? completeMapping(mapping) : null
  const dateIncomplete = !!mapping.dateFormat !== !!mapping.timezone || mustChooseDateOrder(dateProposal, mapping)

  const run = async <T,>(work: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true)
    setError(null)
    try { return await work() } catch (e) { setError(asPayload(e)); return undefined } finally { setBusy(false) }
  }

  // The file is read by the page (a file the user picked), so the host never reads a path on the page's word.
  const load = (file: File) => run(async () => {
    const r = await api.parseMapping(await file.text())
    if (!r.ok) { setError(r.error); return }
    const check = await api.checkProfile(preview.path, r.value)
    if (!check.ok) { setError(check.error); return }
    // Keep only the columns this CSV has: a field whose column is gone must be mapped again.
    const kept = { ...r.value }
    for (const f of MAPPED_FIELDS) if (kept[f] && !preview.headers.includes(kept[f])) delete kept[f]
    if (kept.duration && !preview.headers.includes(kept.duration)) delete kept.duration
    update({ mapping: kept })
    setMisfit(check.value.fits ? null : check.value.problems)
    setInfo(check.value.fits ? `Loaded the mapping from ${file.name}. This CSV fits it.` : null)
  })

  const save = () => run(async () => {
    const r = await api.saveMapping(profile as MappingProfile)
    if (!r.ok) { setError(r.error); return }
    const said = finishSave(r.value, 'The mapping')
    if (said) setInfo(`${said} Load it next time to map a CSV with the same columns in one step.`)
  })

  const next = () => run(async () => {
    if (!profile || !data.csvPath) return
    // For the destination it will likely go to, with the choices made for it: Review counts
    // the rows already delivered there before anything is sent (review-destination.ts).
    const r = await checkForReview(api, data, profile)
    if (r.ok) update({ ...r.value, summary: null, step: 'review' })
    else setError(r.error)
  })

  return (
    <StepLayout
      title="Preview and map"
      intro={<>Tell the platform which column holds each of its four fields. Mapped columns are highlighted in the preview below.</>}
      back={{ label: 'Back', onClick: () => update({ step: 'files' }) }}
      next={{ label: 'Check the batch', onClick: () => void next(), disabled: !profile || dateIncomplete, busy }}
      extra={<>
        <Button variant="outlined" onClick={() => mappingFile.current?.click()}>Load mapping…</Button>
        <Button variant="outlined" onClick={() => void save()} disabled={!profile || busy}>Save mapping…</Button>
        <input ref={mappingFile} type="file" accept=".json,application/json" hidden aria-label="Mapping file to load"
          onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void load(f) }} />
      </>}
    >
      <Stack direction="row" sx={{ alignItems: 'center', flexWrap: 'wrap', gap: 1 }}>
        <Typography sx={{ mr: 1, overflowWrap: 'anywhere' }}><strong>{baseName(preview.path)}</strong></Typography>
        <Chip label={`Encoding: ${ENCODINGS[preview.encoding]}`} variant="outlined" />
        <Chip label={`Separator: ${DELIMITERS[preview.delimiter]}`} variant="outlined" />
        <Chip label={`${preview.headers.length} columns`} variant="outlined" />
        <Chip label={`First ${preview.rows.length} rows`} variant="outlined" />
      </Stack>
      {misfit && (
        <Alert severity="warning" onClose={() => setMisfit(null)}>
          <AlertTitle>This CSV no longer fits the loaded mapping</AlertTitle>
          The platform expects every CSV to keep the structure it was first mapped with. Map the fields again for this file, and tell your platform administrator the structure changed.
          <ul style={{ margin: '0.5rem 0 0', paddingLeft: '1.25rem' }}>{misfit.map((p) => <li key={p}>{p}</li>)}</ul>
        </Alert>
      )}
      {data.mappingFrom && !info && (
        <Alert severity="info" onClose={() => update({ mappingFrom: null })}>
          {data.mappingFrom.kind === 'csv'
            ? <>The mapping you used for <strong>{data.mappingFrom.from}</strong> is applied: this CSV has the same columns.</>
            : <>The platform layout of <strong>{data.mappingFrom.from}</strong> is applied: this CSV names its columns as the platform was set up with.</>}
          {' '}Change a field below if this export is different.
        </Alert>
      )}
      {info && <Alert severity="success" onClose={() => setInfo(null)}>{info}</Alert>}
      <ErrorAlert error={error} onClose={() => setError(null)} />
      <MappingFields headers={preview.headers} mapping={mapping} suggested={preview.suggestion}
        onChange={(field, column) => update({ mapping: { ...mapping, [field]: column } })} />
      <DurationField headers={preview.headers} value={mapping.duration} onChange={(duration) => update({ mapping: { ...mapping, duration } })} />
      <RecordingPlayer playing={playing} />
      <VirtualTable ariaLabel="CSV preview" columns={columns} rowCount={preview.rows.length} renderRow={renderRow} height={320} rowHeight={36} layout="auto"
        empty="The CSV has a header row but no data rows." onOverflowX={setSideways} />
      {sideways && (
        <Typography variant="body2" color="text.secondary" sx={{ mt: -1.5 }}>Scroll the table sideways to see all {preview.headers.length} columns.</Typography>
      )}
      <DateFields mapping={mapping} csvPath={preview.path} values={dateValues} onProposal={setDateProposal}
        onChange={(c) => update({ mapping: { ...mapping, ...c } })} />
    </StepLayout>
  )
}
