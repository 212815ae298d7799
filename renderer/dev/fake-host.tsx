/**
 * Dev-only page (built with `vite build --mode fake-host`, never part of the app): mounts the
 * wizard on the tests' in-memory api, opened at the step named in `?step=`, so every screen
 * can be looked at and screenshotted without the Electron or web host.
 */
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createConnectionWatch } from '../transport/connection-watch'
import { App } from '../app'
import { batchSpec, emptyWizard, type WizardData } from '../wizard'
import type { BatchReport } from '../../src/api'
import { AGENTS, FakeApi, sampleHistory, sampleJobs } from '../../test/unit/renderer/fake-api'
import { batchFiles, midUploadEvents } from '../../test/unit/renderer/upload-script'
import { streamUpload } from './stream-upload'

const params = new URLSearchParams(location.search)
const step = params.get('step') ?? 'files'
const api = new FakeApi()
const csvPath = api.scanResult.csvFiles[0]!.path
const prepared: Partial<WizardData> = {
  paths: api.scanResult.roots,
  scan: api.scanResult,
  csvPath,
  preview: api.previewResult,
  mapping: { ...api.previewResult.suggestion, dateFormat: 'dd/MM/yyyy HH:mm', timezone: 'Europe/London' },
  report: api.report,
}

if (step === 'hostkey-changed') api.hostKeyChanged.add('dest-ea')
const leeds = 'evaluagent – Leeds team'
const DELIVERED = ['review-delivered', 'send-check', 'send-check-adopt', 'done-nothing-new']
if (DELIVERED.includes(step)) {
  const earlier = sampleHistory(12).slice(7, 9).map((b) => ({ ...b, sourceCsv: '/home/qa/exports/week-21/calls.csv' }))
  api.deliveries['dest-ea'] = step === 'done-nothing-new' ? { rows: api.report.eligible, batches: earlier } : { rows: 1_320, batches: earlier.slice(0, 1) }
  if (step !== 'done-nothing-new') api.layoutChanges['dest-ea'] = 'new columns "Queue" and "Duration (s)"; "Team" is missing (sent empty if the layout is kept)'
}
if (step === 'history') api.history = sampleHistory(240)
if (step === 'jobs') api.jobs = sampleJobs()
if (step === 'review-recordings') {
  api.report = {
    ...api.report,
    audio: { recordings: 4_784, totalSeconds: 1_172_080, minSeconds: 4, medianSeconds: 245, maxSeconds: 3_720 },
    agents: {
      listSize: 212, deliveredSize: 188, distinct: 31, strict: false, concernedTotal: 3, code: 'UNKNOWN_AGENT',
      concerned: [{ agent: 'zoe.new@acme-support.co.uk', rows: 41 }, { agent: 'max.temp@acme-support.co.uk', rows: 12 }, { agent: 'priya.s@acme-support.co.uk', rows: 3 }],
      whereToMap: 'Before sending, make sure each of these agents is a user in evaluagent whose Email Address, Username or External System User ID equals the Agent ID in the CSV (the third-party user mapping of the bulk upload integration): the platform cannot import conversations of agents it has no mapping for.',
    },
    counts: { ...api.report.counts, UNKNOWN_AGENT: 56 },
    issueTotal: api.report.issueTotal + 56,
  }
  // A silent recording of the row's length, made here: the page has no batch to play from.
  api.mediaUrl = async (media) => {
    const seconds = api.recordings[Number(media.split('.')[1])]?.seconds ?? 60
    return { ok: true, value: URL.createObjectURL(silentWav(seconds)) }
  }
}
if (['destination', 'hostkey', 'hostkey-changed', 'history', 'agents', ...DELIVERED].includes(step)) {
  void api.generateKey('evaluagent-leeds', 'ed25519', null)
  api.destinations.push({ id: 'dest-ea', name: 'evaluagent – Leeds team', host: 'sftp.evaluagent.example', port: 22, username: 'acme-leeds', keyName: 'evaluagent-leeds', remoteDir: '', sandbox: false })
}
if (step === 'agents') {
  // Known agents in the settings: a platform user export imported for Leeds, one added by hand.
  const ids = [...AGENTS, 'emma.fitzgerald@acme-support.co.uk', 'farid.haddad@acme-support.co.uk', 'grace.nakamura@acme-support.co.uk', 'JNU-0142']
  api.knownAgents['dest-ea'] = { list: { ids, source: '/home/qa/Downloads/evaluagent-users-2024-06-01.csv', column: 'Adresse électronique', importedAt: '2024-06-01T09:30:00.000Z' }, confirmed: 37, earlierDeliveries: 0, strict: false }
}
if (step === 'files-web') api.caps = { kind: 'web', nativeDialogs: false }
if (step === 'interrupted') {
  api.interrupted = [{
    batchId: 'batch-7', csvPath: '/home/qa/exports/april-2024/calls.csv', destinationName: 'evaluagent – Leeds team',
    startedAt: '2024-05-30T16:42:00Z', updatedAt: '2024-05-30T17:05:00Z', filesDone: 2_318, filesTotal: 4_121, bytesDone: 4_410_000_000, bytesTotal: 8_020_000_000,
  }]
}

/** `seconds` of silence as an 8 kHz, 8-bit mono WAV. */
function silentWav(seconds: number): Blob {
  const samples = Math.round(seconds * 8000)
  const head = new DataView(new ArrayBuffer(44))
  const text = (at: number, s: string) => { for (let i = 0; i < s.length; i++) head.setUint8(at + i, s.charCodeAt(i)) }
  text(0, 'RIFF'); head.setUint32(4, 36 + samples, true); text(8, 'WAVEfmt ')
  head.setUint32(16, 16, true); head.setUint16(20, 1, true); head.setUint16(22, 1, true); head.setUint32(24, 8000, true)
  head.setUint32(28, 8000, true); head.setUint16(32, 1, true); head.setUint16(34, 8, true); text(36, 'data'); head.setUint32(40, samples, true)
  return new Blob([head.buffer, new Uint8Array(samples).fill(128)], { type: 'audio/wav' })
}

/** The report the core gives once told the destination (rows delivered there, its layout). */
async function checked(choices: Partial<WizardData> = {}): Promise<BatchReport> {
  const r = await api.validate(batchSpec({ ...emptyWizard, ...prepared, ...choices }, 'dest-ea')!)
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}
const atLeeds: Partial<WizardData> = { destinationId: 'dest-ea', checkedFor: 'dest-ea', destinationName: leeds }
const confirm = { destinationId: 'dest-ea', destinationName: leeds, passphrase: null }

let initial: Partial<WizardData>
switch (step) {
  case 'review-delivered': initial = { ...prepared, ...atLeeds, step: 'review', report: await checked() }; break
  case 'send-check': initial = { ...prepared, ...atLeeds, step: 'destination', report: await checked(), confirm }; break
  case 'send-check-adopt': initial = { ...prepared, ...atLeeds, step: 'destination', layoutChoice: 'adopt', resendDelivered: true, report: await checked({ layoutChoice: 'adopt', resendDelivered: true }), confirm }; break
  case 'done-nothing-new': initial = { ...prepared, ...atLeeds, step: 'done', report: await checked() }; break
  case 'history': initial = {}; break
  case 'files-empty': case 'files-web': case 'interrupted': case 'agents': initial = {}; break
  case 'files': initial = { ...prepared, step: 'files' }; break
  case 'map': initial = { ...prepared, step: 'map' }; break
  // Review is checked for the destination the next step preselects (review-destination.ts).
  case 'review': case 'review-recordings': initial = { ...prepared, ...atLeeds, step: 'review', report: api.report }; break
  case 'destination': case 'hostkey': case 'hostkey-changed': initial = { ...prepared, step: 'destination', destinationId: 'dest-ea' }; break
  case 'upload-stream': initial = { ...prepared, step: 'upload', batchId: 'batch-1' }; break
  case 'upload': case 'upload-cancelled': case 'lost-host': initial = { ...prepared, step: 'upload', batchId: 'batch-1', destinationName: leeds }; break
  case 'done-automate': initial = {
    ...prepared, step: 'done', batchId: 'batch-1', destinationId: 'dest-ea', destinationName: leeds, paths: ['/home/qa/exports/2024-05-31'], csvPath: '/home/qa/exports/2024-05-31/calls.csv',
    summary: { batchId: 'batch-1', uploaded: 4_781, skipped: 3, excluded: 112, failed: 0, csv: 'calls-2024-05-31-batch-1.csv', bytes: 9_575_201_000, seconds: 1_284, reportCsv: '/home/qa/.local/share/bulk-upload/reports/batch-1.csv', reportJson: '/home/qa/.local/share/bulk-upload/reports/batch-1.json' },
  }; break
  case 'done': initial = {
    ...prepared, step: 'done', batchId: 'batch-1',
    summary: { batchId: 'batch-1', uploaded: 4_781, skipped: 3, excluded: 112, failed: 0, csv: 'calls-2024-05-31-batch-1.csv', bytes: 9_575_201_000, seconds: 1_284, reportCsv: '/home/qa/.local/share/bulk-upload/reports/batch-1.csv', reportJson: '/home/qa/.local/share/bulk-upload/reports/batch-1.json' },
  }; break
  default: initial = {}
}

// The web host's connection, which the page loses on 'lost-host' (as when `bulk-upload serve` stops answering).
const connection = createConnectionWatch()
createRoot(document.getElementById('root')!).render(<StrictMode><App api={api} initial={initial} connection={connection} /></StrictMode>)
if (step === 'lost-host') setTimeout(() => connection.set('lost'), 50)

if (step === 'upload' || step === 'upload-cancelled' || step === 'lost-host') {
  // After mount, so the store is listening: the engine's events for a batch part-way through.
  setTimeout(() => {
    const files = batchFiles(Number(params.get('files') ?? 4_784))
    for (const e of midUploadEvents('batch-1', files, { done: 1_904, uploading: 8, retrying: true, failed: true })) api.emit(e)
    if (step === 'upload-cancelled') {
      api.emit({ kind: 'batch-failed', batchId: 'batch-1', error: { code: 'CANCELLED', message: 'The upload was cancelled. Run it again to resume where it stopped.', details: `Cancelled: 1,904 of ${files.length.toLocaleString('en-GB')} recordings are on the server; run the same command to finish.` } })
    }
  }, 50)
}
if (step === 'upload-stream') {
  setTimeout(() => { (window as unknown as { stream: unknown }).stream = streamUpload(api, Number(params.get('files') ?? 100_000)) }, 50)
}
;(window as unknown as { fakeApi: FakeApi }).fakeApi = api
