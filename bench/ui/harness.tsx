/**
 * The UI bench's page (built by bench/ui/vite.config.ts, driven by bench/ui.ts): mounts the
 * real wizard, as renderer/main.tsx does, on the scale fake api, opened at the step given by
 * `?scenario=review|upload&n=100000`, and exposes the scenario's run on `window.uiBench`.
 * Browser code: no Node modules.
 */
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from '../../renderer/app'
import type { WizardData } from '../../renderer/wizard'
import { runReview, type ReviewResult } from './review'
import { ScaleApi } from './scale-api'
import { runUpload, type UploadConfig, type UploadResult } from './upload'

export interface UiBenchWindow {
  uiBench: {
    scenario: string
    review(): Promise<ReviewResult>
    upload(cfg: Omit<UploadConfig, 'files'>): Promise<UploadResult>
  }
}

const params = new URLSearchParams(location.search)
const scenario = params.get('scenario') ?? 'review'
const n = Number(params.get('n') ?? 100_000)
const api = new ScaleApi(n)
const csvPath = api.scanResult.csvFiles[0]!.path
const prepared: Partial<WizardData> = {
  paths: api.scanResult.roots,
  scan: api.scanResult,
  csvPath,
  preview: api.previewResult,
  mapping: { ...api.previewResult.suggestion, dateFormat: 'dd/MM/yyyy HH:mm', timezone: 'Europe/London' },
  report: api.report,
}
const initial: Partial<WizardData> = scenario === 'upload'
  ? { ...prepared, step: 'upload', batchId: 'batch-bench', destinationName: 'evaluagent – Leeds team' }
  : { ...prepared, step: 'review' }

const mountedAt = performance.now()
// The review's first rows are timed from here, so its measurement starts with the page.
const review = scenario === 'review' ? runReview(mountedAt, n) : null
createRoot(document.getElementById('root')!).render(<StrictMode><App api={api} initial={initial} /></StrictMode>)

;(window as unknown as UiBenchWindow).uiBench = {
  scenario,
  review: () => review ?? Promise.reject(new Error(`Expected ?scenario=review, got ${scenario}.`)),
  upload: (cfg) => {
    const worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module' })
    return runUpload(api, worker, { ...cfg, files: n }).finally(() => worker.terminate())
  },
}
