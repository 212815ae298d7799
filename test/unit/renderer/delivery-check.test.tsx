// @vitest-environment jsdom
// Before anything is sent, the batch is checked against the chosen destination: rows already
// delivered there are shown and left out (or sent again on purpose), a platform layout that
// differs is shown with the choice, and a batch with nothing new goes to Done, not to Upload.
import { afterEach, describe, expect, it } from 'vitest'
import { useCallback, useState } from 'react'
import { act, cleanup, renderHook, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { BatchSpec, DeliveredBatch } from '../../../src/api'
import { createUploadStore } from '../../../renderer/state/upload-store'
import { useSend } from '../../../renderer/use-send'
import { batchSpec, emptyWizard, type SendRequest, type WizardData } from '../../../renderer/wizard'
import { FakeApi } from './fake-api'
import { button, dataAt, renderApp } from './render-app'

afterEach(cleanup)

const earlier: DeliveredBatch = {
  batchId: 'batch-3', csvName: 'calls-2024-05-24-batch-3.csv', rows: 1_320, bytes: 2_640_000_000, deliveredAt: '2024-05-24T16:10:00Z',
  sourceCsv: '/home/qa/exports/week-21/calls.csv', reportCsv: '/data/reports/batch-3.csv', reportJson: '/data/reports/batch-3.json',
}
const leeds: SendRequest = { destinationId: 'dest-ea', destinationName: 'evaluagent Leeds', passphrase: 'pw' }

function deliveredApi(rows = 1_320): FakeApi {
  const api = new FakeApi()
  api.deliveries['dest-ea'] = { rows, batches: [earlier] }
  return api
}

/** The wizard's send on its own, with the wizard data it reads and changes. */
function sendHook(api: FakeApi) {
  const store = createUploadStore()
  return renderHook(() => {
    const [data, setData] = useState<WizardData>({ ...emptyWizard, ...dataAt(api, 'destination') })
    const update = useCallback((c: Partial<WizardData>) => setData((d) => ({ ...d, ...c })), [])
    return { data, sender: useSend(api, data, update, store) }
  })
}

/** The report the core gives for this batch once told the destination. */
async function checkedReport(api: FakeApi) {
  const data = { ...emptyWizard, ...dataAt(api, 'review') }
  const r = await api.validate({ ...batchSpec(data, 'dest-ea')! })
  if (!r.ok) throw new Error(r.error.message)
  api.calls.length = 0
  return r.value
}

/** The app as it stands after send() found something to ask: the pre-send dialog is open. */
async function atConfirm(api: FakeApi) {
  const report = await checkedReport(api)
  renderApp(api, { ...dataAt(api, 'destination'), destinationId: 'dest-ea', report, checkedFor: 'dest-ea', destinationName: leeds.destinationName, confirm: leeds })
  return screen.findByRole('dialog', { name: 'Before sending to evaluagent Leeds' })
}

describe('Sending checks the batch against the destination first', () => {
  it('starts at once when the destination changes nothing, with the destination in the spec', async () => {
    const api = new FakeApi()
    const { result } = sendHook(api)
    await act(async () => { expect(await result.current.sender.send(leeds)).toBeNull() })
    const spec = api.callsTo('validate')[0]![0] as BatchSpec
    expect(spec.destinationId).toBe('dest-ea')
    expect(api.callsTo('startUpload')).toEqual([[spec, 'dest-ea', 'pw']])
    expect(result.current.data.step).toBe('upload')
    expect(result.current.data.lastStart).toEqual({ spec, destinationId: 'dest-ea', passphrase: 'pw' })
  })

  it('asks before sending when rows were already delivered there, and sends nothing yet', async () => {
    const api = deliveredApi()
    const { result } = sendHook(api)
    await act(async () => { await result.current.sender.send(leeds) })
    expect(result.current.data.confirm).toEqual(leeds)
    expect(result.current.data.report?.alreadyDelivered).toBe(1_320)
    expect(api.callsTo('startUpload')).toEqual([])
  })

  it('goes to Done without offering an upload when every row was already delivered', async () => {
    const api = deliveredApi(4_784)
    const { result } = sendHook(api)
    await act(async () => { await result.current.sender.send(leeds) })
    expect(result.current.data.step).toBe('done')
    expect(result.current.data.summary).toBeNull()
    expect(api.callsTo('startUpload')).toEqual([])
  })
})

describe('The pre-send dialog', () => {
  it('says how many rows were delivered, when and in which CSV, and that they will be left out', async () => {
    const dialog = await atConfirm(deliveredApi())
    expect(within(dialog).getByText(/1,320 rows were already delivered to evaluagent Leeds on 24 May 2024, \d\d:\d\d \(CSV calls-2024-05-24-batch-3\.csv\) and will be left out, so each conversation reaches the platform once\./)).toBeTruthy()
    expect(dialog.textContent).toContain('Checked against evaluagent Leeds: 3,464 rows will be sent (6.9 GB of recordings).')
    expect(within(dialog).getByRole('button', { name: 'Send 3,464 rows' })).toBeTruthy()
  })

  it('sends delivered rows again only when asked, warning about duplicates', async () => {
    const user = userEvent.setup()
    const api = deliveredApi()
    const dialog = await atConfirm(api)
    await user.click(within(dialog).getByRole('switch', { name: 'Send them again' }))
    expect(await within(dialog).findByText(/a second time: duplicates/)).toBeTruthy()
    expect((api.callsTo('validate').at(-1)![0] as BatchSpec).resendDelivered).toBe(true)
    await user.click(await within(dialog).findByRole('button', { name: 'Send 4,784 rows' }))
    const [spec, dest, passphrase] = api.callsTo('startUpload')[0]!
    expect(spec).toMatchObject({ destinationId: 'dest-ea', resendDelivered: true })
    expect([dest, passphrase]).toEqual(['dest-ea', 'pw'])
    expect(await screen.findByRole('heading', { name: 'Upload' })).toBeTruthy()
  })

  it('goes back to the destination without sending', async () => {
    const user = userEvent.setup()
    const api = deliveredApi()
    const dialog = await atConfirm(api)
    await user.click(within(dialog).getByRole('button', { name: 'Back' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(api.callsTo('startUpload')).toEqual([])
  })

  it('shows a changed layout, keeps the platform’s by default, and adopts the new one on request', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    api.layoutChanges['dest-ea'] = 'new columns "Queue", "Direction"; missing "Team"'
    const dialog = await atConfirm(api)
    expect(await within(dialog).findByText(/new columns "Queue", "Direction"; missing "Team"/)).toBeTruthy()
    expect((within(dialog).getByRole('radio', { name: /Keep the platform’s layout/ }) as HTMLInputElement).checked).toBe(true)
    await user.click(within(dialog).getByRole('radio', { name: /Adopt this CSV’s columns/ }))
    expect(await within(dialog).findByText(/Update the mapping in the platform before its next import/)).toBeTruthy()
    expect((api.callsTo('validate').at(-1)![0] as BatchSpec).layoutChoice).toBe('adopt')
    await user.click(within(dialog).getByRole('button', { name: /Send 4,784 rows/ }))
    expect(api.callsTo('startUpload')[0]![0]).toMatchObject({ destinationId: 'dest-ea', layoutChoice: 'adopt' })
  })

  it('saves the sample CSV for the platform where the save dialog says', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    api.layoutChanges['dest-ea'] = 'new column "Queue"'
    const dialog = await atConfirm(api)
    await user.click(within(dialog).getByRole('button', { name: 'Save sample CSV for the platform…' }))
    expect(await within(dialog).findByText('The sample CSV was saved to /home/qa/Documents/platform-sample.csv.')).toBeTruthy()
    const [dest, spec] = api.callsTo('writeSampleCsv')[0]!
    expect(dest).toBe('dest-ea')
    expect(spec).toMatchObject({ destinationId: 'dest-ea', csvPath: '/home/qa/exports/may-2024/calls.csv' })
  })
})

describe('Review, once checked against a destination', () => {
  it('shows the rows already delivered and sends them again on purpose', async () => {
    const user = userEvent.setup()
    const api = deliveredApi()
    renderApp(api, { ...dataAt(api, 'review'), report: await checkedReport(api), checkedFor: 'dest-ea', destinationId: 'dest-ea', destinationName: 'evaluagent Leeds' })
    expect(screen.getByRole('group', { name: 'Already delivered' }).textContent).toContain('1,320')
    expect(screen.getByText(/and will be left out, so each conversation reaches the platform once\./)).toBeTruthy()
    expect(button('Continue with 3,464 rows')).toBeTruthy()
    await user.click(screen.getByRole('switch', { name: 'Send them again' }))
    expect(await screen.findByText(/a second time: duplicates/)).toBeTruthy()
    expect(await screen.findByRole('button', { name: 'Continue with 4,784 rows' })).toBeTruthy()
    expect(api.callsTo('validate').at(-1)![0]).toMatchObject({ destinationId: 'dest-ea', resendDelivered: true })
  })
})

describe('Done, when nothing new was left to send', () => {
  it('shows the earlier delivery and opens its report; no upload happened', async () => {
    const user = userEvent.setup()
    const api = deliveredApi(4_784)
    renderApp(api, { ...dataAt(api, 'done'), report: await checkedReport(api), checkedFor: 'dest-ea', destinationId: 'dest-ea', destinationName: 'evaluagent Leeds' })
    expect(await screen.findByRole('heading', { name: 'Done' })).toBeTruthy()
    expect(screen.getByText(/Nothing was sent: every row of this batch had already reached evaluagent Leeds/)).toBeTruthy()
    expect(screen.getByText(/4,784 rows were delivered to evaluagent Leeds before, most recently on 24 May 2024, \d\d:\d\d in the CSV calls-2024-05-24-batch-3\.csv \(1,320 rows\)\./)).toBeTruthy()
    await user.click(button('Open its report'))
    expect(api.callsTo('openPath')).toEqual([['/data/reports/batch-3.csv']])
    expect(screen.queryByRole('button', { name: /Start upload|Upload again/ })).toBeNull()
    await user.click(button('Back to review'))
    expect(await screen.findByRole('heading', { name: 'Review' })).toBeTruthy()
  })
})

describe('Done, when the engine itself found nothing new', () => {
  it('reads the earlier delivery from the destination check instead of saying the batch failed', async () => {
    const api = deliveredApi(4_784)
    renderApp(api, { ...dataAt(api, 'upload'), batchId: 'batch-9', destinationId: 'dest-ea', destinationName: 'evaluagent Leeds' })
    act(() => api.emit({ kind: 'batch-done', batchId: 'batch-9', summary: { batchId: 'batch-9', uploaded: 0, skipped: 0, excluded: 112, failed: 0, csv: null, alreadyDelivered: 4_784, bytes: 0, seconds: 0.2, reportCsv: '/data/reports/batch-3.csv', reportJson: '/data/reports/batch-3.json' } }))
    await screen.findByRole('heading', { name: 'Done' })
    expect(screen.getByText(/Nothing was sent: every row of this batch had already reached evaluagent Leeds/)).toBeTruthy()
    expect(screen.queryByText(/No CSV was sent/)).toBeNull()
    expect(await screen.findByText(/most recently on 24 May 2024, \d\d:\d\d in the CSV calls-2024-05-24-batch-3\.csv/)).toBeTruthy()
    expect(api.callsTo('validate').at(-1)![0]).toMatchObject({ destinationId: 'dest-ea' })
  })
})
