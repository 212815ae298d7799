// @vitest-environment jsdom
// Every step checked by axe-core for labels, roles and structure. jsdom lays nothing out, so
// colour contrast is left to the Chromium run in scripts/screenshots.ts, which checks it too.
import { afterEach, describe, expect, it } from 'vitest'
import { act, cleanup, screen, within } from '@testing-library/react'
import axe from 'axe-core'
import type { WizardData } from '../../../renderer/wizard'
import { FakeApi, sampleHistory } from './fake-api'
import { dataAt, renderApp } from './render-app'
import { batchFiles, midUploadEvents } from './upload-script'

afterEach(cleanup)

async function violations(): Promise<string[]> {
  const r = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false } } })
  return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

const steps: Array<[WizardData['step'], string]> = [
  ['files', 'Add files'], ['map', 'Preview and map'], ['review', 'Review'], ['destination', 'Destination and key'], ['upload', 'Upload'],
]

describe('Accessibility (axe-core)', () => {
  it.each(steps)('the %s step has labelled controls and sound structure', async (step, heading) => {
    const api = new FakeApi()
    renderApp(api, { ...dataAt(api, step), batchId: 'batch-1' })
    await screen.findByRole('heading', { name: heading })
    if (step === 'upload') act(() => { for (const e of midUploadEvents('batch-1', batchFiles(30), { done: 3, uploading: 2, failed: true })) api.emit(e) })
    await new Promise((r) => setTimeout(r, 300))
    expect(await violations()).toEqual([])
  })

  it('the Done step too', async () => {
    const api = new FakeApi()
    renderApp(api, { step: 'done', summary: { batchId: 'b', uploaded: 3, skipped: 0, excluded: 1, failed: 0, csv: 'c.csv', bytes: 10, seconds: 1, reportCsv: '/r.csv', reportJson: '/r.json' } })
    await screen.findByRole('heading', { name: 'Done' })
    expect(await violations()).toEqual([])
  })

  it('the pre-send check, with delivered rows and a changed layout', async () => {
    const api = new FakeApi()
    api.deliveries['dest-ea'] = { rows: 1_320, batches: sampleHistory(2) }
    api.layoutChanges['dest-ea'] = 'new column "Queue"'
    const r = await api.validate({ paths: [], csvPath: '/c.csv', mapping: { contactReference: 'a', agentId: 'b', contactDate: 'c' }, destinationId: 'dest-ea' })
    if (!r.ok) throw new Error(r.error.message)
    renderApp(api, { ...dataAt(api, 'destination'), report: r.value, checkedFor: 'dest-ea', confirm: { destinationId: 'dest-ea', destinationName: 'Leeds', passphrase: null } })
    await screen.findByRole('dialog', { name: 'Before sending to Leeds' })
    await screen.findByText(/new column "Queue"/)
    expect(await violations()).toEqual([])
  })

  it('Done with nothing new, and the delivery history', async () => {
    const api = new FakeApi()
    api.deliveries.sandbox = { rows: 4_784, batches: sampleHistory(3) }
    api.history = sampleHistory(40)
    const r = await api.validate({ paths: [], csvPath: '/c.csv', mapping: { contactReference: 'a', agentId: 'b', contactDate: 'c' }, destinationId: 'sandbox' })
    if (!r.ok) throw new Error(r.error.message)
    renderApp(api, { ...dataAt(api, 'done'), report: r.value, checkedFor: 'sandbox', destinationId: 'sandbox' })
    await screen.findByText(/Nothing was sent/)
    expect(await violations()).toEqual([])
    act(() => within(screen.getByRole('main')).getByRole('button', { name: 'Delivery history' }).click())
    await screen.findByText('calls-2024-05-31-0040.csv')
    expect(await violations()).toEqual([])
  })
})
