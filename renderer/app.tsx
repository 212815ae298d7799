/**
 * The wizard's shell: theme (following the OS), the header with History, Saved jobs and Settings, the step
 * indicator, the current step, the pre-send check, and the offer to resume interrupted batches. The host passes the api in
 * (`<App api={getApi()} />`); nothing here knows whether that is Electron, the web host or a
 * test fake.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import AppBar from '@mui/material/AppBar'
import Box from '@mui/material/Box'
import Button from '@mui/material/Button'
import Container from '@mui/material/Container'
import CssBaseline from '@mui/material/CssBaseline'
import IconButton from '@mui/material/IconButton'
import Paper from '@mui/material/Paper'
import Step from '@mui/material/Step'
import StepButton from '@mui/material/StepButton'
import StepLabel from '@mui/material/StepLabel'
import Stepper from '@mui/material/Stepper'
import Toolbar from '@mui/material/Toolbar'
import Tooltip from '@mui/material/Tooltip'
import Typography from '@mui/material/Typography'
import useMediaQuery from '@mui/material/useMediaQuery'
import { ThemeProvider } from '@mui/material/styles'
import SettingsIcon from '@mui/icons-material/SettingsOutlined'
import HistoryIcon from '@mui/icons-material/History'
import ScheduleIcon from '@mui/icons-material/Schedule'
import type { BulkUploadApi, InterruptedBatch } from '../src/api'
import { ApiProvider, type HostExtras } from './api-context'
import type { BrowserNotices } from './browser-notices'
import { ConnectionLost } from './components/connection-lost'
import { HistoryDialog } from './components/history-dialog'
import { InterruptedDialog } from './components/interrupted-dialog'
import { JobsDialog } from './components/jobs-dialog'
import { SettingsDialog } from './components/settings-dialog'
import { createUploadStore, type UploadStore } from './state/upload-store'
import { UploadStoreProvider } from './state/upload-store-context'
import { AddFilesStep } from './steps/add-files-step'
import { DestinationStep } from './steps/destination-step'
import { DoneStep, summaryNothingNew } from './steps/done-step'
import { MapStep } from './steps/map-step'
import { ReviewStep } from './steps/review-step'
import { SendCheckDialog } from './steps/send-check-dialog'
import { UploadStep } from './steps/upload-step'
import { makeTheme } from './theme'
import type { ConnectionWatch } from './transport/connection-watch'
import { useSend } from './use-send'
import { STEPS, emptyWizard, resumedWizard, type StepProps, type WizardData } from './wizard'

export interface AppProps extends HostExtras {
  api: BulkUploadApi
  /** Where to start; the dev page and tests use it to open a given step with its data. */
  initial?: Partial<WizardData>
  /** An existing store (tests, dev page); by default the app makes its own and feeds it from `api`. */
  store?: UploadStore
  /** Whether the host can be reached (the web host only; Electron's cannot be lost). */
  connection?: ConnectionWatch
  /** Web notifications (the web host only: Electron notifies from its main process). */
  notices?: BrowserNotices
}

export function App({ api, initial, store: givenStore, pathForFile, connection, notices }: AppProps) {
  const dark = useMediaQuery('(prefers-color-scheme: dark)', { noSsr: true })
  const theme = useMemo(() => makeTheme(dark ? 'dark' : 'light'), [dark])
  // One store, one subscription, for the life of the window (STYLE.md).
  const store = useMemo(() => givenStore ?? createUploadStore(), [givenStore])
  useEffect(() => store.connect(api), [store, api])

  return (
    <ThemeProvider theme={theme}>
      <CssBaseline enableColorScheme />
      <ApiProvider api={api} pathForFile={pathForFile}>
        <UploadStoreProvider store={store}>
          <Wizard api={api} store={store} initial={initial} connection={connection} notices={notices} />
        </UploadStoreProvider>
      </ApiProvider>
    </ThemeProvider>
  )
}

function Wizard({ api, store, initial, connection, notices }: { api: BulkUploadApi; store: UploadStore; initial?: Partial<WizardData>; connection?: ConnectionWatch; notices?: BrowserNotices }) {
  const [data, setData] = useState<WizardData>({ ...emptyWizard, ...initial })
  const [settings, setSettings] = useState(false)
  const [jobs, setJobs] = useState(false)
  // Open on this destination (or the first) while not false.
  const [history, setHistory] = useState<string | null | false>(false)
  const [interrupted, setInterrupted] = useState<InterruptedBatch[]>([])
  // "Decide later" hides the offer but keeps it one click away in the header.
  const [offerOpen, setOfferOpen] = useState(true)
  const update = useCallback((change: Partial<WizardData>) => setData((d) => ({ ...d, ...change })), [])
  const restart = useCallback(() => { store.reset(); setData(emptyWizard) }, [store])
  const sender = useSend(api, data, update, store, notices?.askPermission)
  const destinationName = useRef(data.destinationName)
  destinationName.current = data.destinationName
  useEffect(() => notices?.follow(api, () => destinationName.current), [notices, api])
  const showHistory = useCallback((id?: string | null) => setHistory(id ?? null), [])

  useEffect(() => {
    let live = true
    api.listInterrupted().then((r) => { if (live && r.ok) setInterrupted(r.value) }, () => undefined)
    return () => { live = false }
  }, [api])

  // Move focus to the new step's heading so keyboard and screen reader users follow along.
  const first = useRef(true)
  useEffect(() => {
    if (first.current) { first.current = false; return }
    document.getElementById('step-title')?.focus()
  }, [data.step])

  const active = STEPS.findIndex((s) => s.id === data.step)
  const props: StepProps = { data, update, restart, send: sender.send, showHistory }
  return (
    <Box sx={{ minHeight: '100vh', bgcolor: 'background.default' }}>
      <AppBar position="static" color="transparent" elevation={0} sx={{ borderBottom: 1, borderColor: 'divider', bgcolor: 'background.paper' }}>
        <Toolbar sx={{ gap: 2 }}>
          <Typography variant="h6" component="p" sx={{ flex: 1, fontWeight: 700 }}>Bulk upload <Typography component="span" color="text.secondary">for evaluagent</Typography></Typography>
          {interrupted.length > 0 && !offerOpen && (
            <Button variant="outlined" size="small" onClick={() => setOfferOpen(true)}>
              {interrupted.length === 1 ? '1 unfinished upload' : `${interrupted.length} unfinished uploads`}
            </Button>
          )}
          <Tooltip title="Delivery history">
            <IconButton aria-label="Delivery history" onClick={() => setHistory(data.destinationId)}><HistoryIcon /></IconButton>
          </Tooltip>
          <Tooltip title="Saved jobs">
            <IconButton aria-label="Saved jobs" onClick={() => setJobs(true)}><ScheduleIcon /></IconButton>
          </Tooltip>
          <Tooltip title="Settings">
            <IconButton aria-label="Settings" onClick={() => setSettings(true)}><SettingsIcon /></IconButton>
          </Tooltip>
        </Toolbar>
      </AppBar>
      <Container maxWidth="lg" component="main" sx={{ py: { xs: 2, md: 4 } }}>
        <Stepper activeStep={active} alternativeLabel sx={{ mb: { xs: 2, md: 4 }, display: { xs: 'none', sm: 'flex' } }} aria-label="Steps">
          {STEPS.map((s, i) => (
            // With nothing new to send, Done comes without an upload: that step is not ticked.
            <Step key={s.id} completed={i < active && !(s.id === 'upload' && (!data.summary || summaryNothingNew(data.summary)))}>
              {/* Earlier steps can be revisited until the upload starts; after that they describe a sent batch. */}
              {i < active && active <= STEPS.findIndex((x) => x.id === 'destination')
                ? <StepButton onClick={() => update({ step: s.id })}>{s.label}</StepButton>
                : <StepLabel>{s.label}</StepLabel>}
            </Step>
          ))}
        </Stepper>
        <Typography sx={{ display: { xs: 'block', sm: 'none' }, mb: 1 }} color="text.secondary">Step {active + 1} of {STEPS.length}</Typography>
        <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3, md: 4 } }}>
          {data.step === 'files' && <AddFilesStep {...props} />}
          {data.step === 'map' && data.preview && <MapStep {...props} />}
          {data.step === 'review' && data.report && <ReviewStep {...props} />}
          {data.step === 'destination' && <DestinationStep {...props} />}
          {data.step === 'upload' && <UploadStep {...props} />}
          {data.step === 'done' && <DoneStep {...props} />}
        </Paper>
      </Container>
      {/* Back from a lost host: the upload on screen may have moved on (or ended) meanwhile. */}
      <ConnectionLost watch={connection} onReconnected={() => { if (data.step === 'upload' && data.batchId) void api.resyncUpload(data.batchId) }} />
      <SettingsDialog open={settings} onClose={() => setSettings(false)} />
      <JobsDialog open={jobs} onClose={() => setJobs(false)} />
      <HistoryDialog open={history !== false} destinationId={history || null} onClose={() => setHistory(false)} />
      <SendCheckDialog data={data} update={update} sender={sender} />
      <InterruptedDialog
        batches={offerOpen ? interrupted : []}
        onClose={() => setOfferOpen(false)}
        onDiscarded={(id) => setInterrupted((list) => list.filter((b) => b.batchId !== id))}
        onResumed={(batchId, batch) => {
          setInterrupted((list) => list.filter((b) => b.batchId !== batch.batchId && b.batchId !== batchId))
          setOfferOpen(false)
          setData(resumedWizard(batchId, batch))
        }}
      />
    </Box>
  )
}
