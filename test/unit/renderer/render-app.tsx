/** Mounts the wizard on a fake api, the way a host does, for the component tests. */
import { StrictMode } from 'react'
import { render, screen } from '@testing-library/react'
import { App } from '../../../renderer/app'
import type { WizardData } from '../../../renderer/wizard'
import { FakeApi } from './fake-api'
import type { ConnectionWatch } from '../../../renderer/transport/connection-watch'
import type { BrowserNotices } from '../../../renderer/browser-notices'

/**
 * jsdom lays nothing out, so every element measures 0×0 and a virtualised table would show
 * no rows. Give elements a plausible size so the visible rows render as in a browser.
 */
export function giveElementsASize(): void {
  for (const [prop, value] of [['offsetHeight', 600], ['offsetWidth', 1000], ['clientHeight', 600], ['clientWidth', 1000]] as const) {
    Object.defineProperty(HTMLElement.prototype, prop, { configurable: true, get: () => value })
  }
}

export async function previewFor(api: FakeApi) {
  const r = await api.previewCsv('/home/qa/exports/may-2024/calls.csv')
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

export function renderApp(api = new FakeApi(), initial?: Partial<WizardData>, extra?: { pathForFile?: (f: File) => string | null; connection?: ConnectionWatch; notices?: BrowserNotices }) {
  giveElementsASize()
  // StrictMode as in renderer/main.tsx: effects mount twice, which catches leaked subscriptions.
  const utils = render(<StrictMode><App api={api} initial={initial} pathForFile={extra?.pathForFile} connection={extra?.connection} notices={extra?.notices} /></StrictMode>)
  return { api, ...utils }
}

/** Wizard data as it stands when the user reaches a step, built from the fake's answers. */
export function dataAt(api: FakeApi, step: WizardData['step']): Partial<WizardData> {
  const csvPath = api.scanResult.csvFiles[0]!.path
  return {
    step,
    paths: api.scanResult.roots,
    scan: api.scanResult,
    csvPath,
    preview: { ...api.previewResult, path: csvPath },
    mapping: { ...api.previewResult.suggestion },
    report: api.report,
  }
}

/** The button a user would find by its name, typed so `.disabled` can be asserted. */
export function button(name: string | RegExp): HTMLButtonElement {
  return screen.getByRole('button', { name }) as HTMLButtonElement
}
