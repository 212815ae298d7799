/**
 * Dev-only page (built with `vite build --mode fake-host`, never part of the app): mounts the
 * wizard on the tests' in-memory api, opened at the step named in `?step=`, so every screen
 * can be looked at and screenshotted without the Electron or web host.
 */
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from '../app'
import type { WizardData } from '../wizard'
import { FakeApi } from '../../test/unit/renderer/fake-api'
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
if (step === 'destination' || step === 'hostkey' || step === 'hostkey-changed') {
  void api.generateKey('evaluagent-leeds', 'ed25519', null)
  api.destinations.push({ id: 'dest-ea', name: 'evaluagent – Leeds team', host: 'sftp.evaluagent.example', port: 22, username: 'acme-leeds', keyName: 'evaluagent-leeds', remoteDir: '', sandbox: false })
}
if (step === 'files-web') api.caps = { kind: 'web', nativeDialogs: false }
if (step === 'interrupted') {
  api.interrupted = [{
    batchId: 'batch-7', csvPath: '/home/qa/exports/april-2024/calls.csv', destinationName: 'evaluagent – Leeds team',
    startedAt: '2024-05-30T16:42:00Z', updatedAt: '2024-05-30T17:05:00Z', filesDone: 2_318, filesTotal: 4_121, bytesDone: 4_410_000_000, bytesTotal: 8_020_000_000,
  }]
}

let initial: Partial<WizardData>
switch (step) {
  case 'files-empty': case 'files-web': case 'interrupted': initial = {}; break
  case 'files': initial = { ...prepared, step: 'files' }; break
  case 'map': initial = { ...prepared, step: 'map' }; break
  case 'review': initial = { ...prepared, step: 'review' }; break
  case 'destination': case 'hostkey': case 'hostkey-changed': initial = { ...prepared, step: 'destination', destinationId: 'dest-ea' }; break
  case 'upload-stream': initial = { ...prepared, step: 'upload', batchId: 'batch-1' }; break
  case 'upload': initial = { ...prepared, step: 'upload', batchId: 'batch-1', destinationName: 'evaluagent – Leeds team' }; break
  case 'done': initial = {
    ...prepared, step: 'done', batchId: 'batch-1',
    summary: { batchId: 'batch-1', uploaded: 4_781, skipped: 3, excluded: 112, failed: 0, csv: 'calls-2024-05-31-batch-1.csv', bytes: 9_575_201_000, seconds: 1_284, reportCsv: '/home/qa/.local/share/bulk-upload/reports/batch-1.csv', reportJson: '/home/qa/.local/share/bulk-upload/reports/batch-1.json' },
  }; break
  default: initial = {}
}

createRoot(document.getElementById('root')!).render(<StrictMode><App api={api} initial={initial} /></StrictMode>)

if (step === 'upload') {
  // After mount, so the store is listening: the engine's events for a batch part-way through.
  setTimeout(() => {
    for (const e of midUploadEvents('batch-1', batchFiles(Number(params.get('files') ?? 4_784)), { done: 1_904, uploading: 8, retrying: true, failed: true })) api.emit(e)
  }, 50)
}
if (step === 'upload-stream') {
  setTimeout(() => { (window as unknown as { stream: unknown }).stream = streamUpload(api, Number(params.get('files') ?? 100_000)) }, 50)
}
;(window as unknown as { fakeApi: FakeApi }).fakeApi = api
