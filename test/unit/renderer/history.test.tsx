// @vitest-environment jsdom
// The delivery history: per destination, the batches whose CSV reached the server, from the
// app header and from the Done step.
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { FakeApi, sampleHistory } from './fake-api'
import { button, dataAt, renderApp } from './render-app'

afterEach(cleanup)

function withDestinations(): FakeApi {
  const api = new FakeApi()
  api.destinations.push({ id: 'dest-ea', name: 'evaluagent Leeds', host: 'sftp.evaluagent.example', port: 22, username: 'acme', keyName: 'k', remoteDir: '', sandbox: false })
  return api
}

describe('Delivery history', () => {
  it('lists what reached a destination from the header: when, CSV, rows, size, and opens a report', async () => {
    const user = userEvent.setup()
    const api = withDestinations()
    api.history = sampleHistory(3)
    renderApp(api)
    await user.click(button('Delivery history'))
    const dialog = await screen.findByRole('dialog', { name: 'Delivery history' })
    const table = within(dialog).getByRole('table', { name: 'Delivered batches' })
    await within(table).findByText('calls-2024-05-31-0003.csv')
    const first = within(table).getAllByRole('row')[1]!
    expect([...first.children].map((c) => c.textContent)).toEqual([expect.stringMatching(/^31 May 2024, \d\d:05$/), 'calls-2024-05-31-0003.csv', 'calls-2024-05-31.csv', '180', '310 MB', 'Open'])
    expect(within(dialog).getByText('3 batches · 699 rows')).toBeTruthy()
    await user.click(within(table).getByRole('button', { name: 'Open the report of calls-2024-05-31-0003.csv' }))
    expect(api.callsTo('openPath')).toEqual([['/home/qa/.local/share/bulk-upload/reports/batch-3.csv']])
    expect(api.callsTo('listHistory')).toEqual([['sandbox']])
  })

  it('switches destination', async () => {
    const user = userEvent.setup()
    const api = withDestinations()
    renderApp(api)
    await user.click(button('Delivery history'))
    const dialog = await screen.findByRole('dialog', { name: 'Delivery history' })
    expect(await within(dialog).findByText('Nothing has been delivered to this destination yet.')).toBeTruthy()
    await user.click(within(dialog).getByRole('combobox', { name: 'Destination' }))
    await user.click(await screen.findByRole('option', { name: 'evaluagent Leeds' }))
    await waitFor(() => expect(api.callsTo('listHistory').at(-1)).toEqual(['dest-ea']))
  })

  it('keeps only the rows in view with years of daily batches', async () => {
    const user = userEvent.setup()
    const api = withDestinations()
    api.history = sampleHistory(2_000)
    renderApp(api)
    await user.click(button('Delivery history'))
    const dialog = await screen.findByRole('dialog', { name: 'Delivery history' })
    const table = within(dialog).getByRole('table', { name: 'Delivered batches' })
    await within(table).findByText('calls-2024-05-31-2000.csv')
    expect(within(table).getAllByRole('row').length).toBeLessThan(60)
    expect(within(dialog).getByText(/^2,000 batches · /)).toBeTruthy()
  })

  it('says when a batch’s report was deleted by the local retention', async () => {
    const user = userEvent.setup()
    const api = withDestinations()
    api.history = sampleHistory(2).map((b, i) => (i === 1 ? { ...b, reportCsv: null, reportJson: null } : b))
    renderApp(api)
    await user.click(button('Delivery history'))
    const table = within(await screen.findByRole('dialog', { name: 'Delivery history' })).getByRole('table', { name: 'Delivered batches' })
    expect(await within(table).findByText('Deleted')).toBeTruthy()
    expect(within(table).getAllByRole('button', { name: /^Open the report of/ })).toHaveLength(1)
  })

  it('says why when the history cannot be read', async () => {
    const user = userEvent.setup()
    const api = withDestinations()
    api.failures.listHistory = { code: 'LOCAL_NOT_WRITABLE', message: 'The app cannot write to its data folder on this computer (permission denied or read-only).' }
    renderApp(api)
    await user.click(button('Delivery history'))
    const dialog = await screen.findByRole('dialog', { name: 'Delivery history' })
    expect(await within(dialog).findByText(/cannot write to its data folder/)).toBeTruthy()
  })

  it('opens from the Done step on the destination just used', async () => {
    const user = userEvent.setup()
    const api = withDestinations()
    renderApp(api, {
      ...dataAt(api, 'done'), destinationId: 'dest-ea',
      summary: { batchId: 'b', uploaded: 3, skipped: 0, excluded: 1, failed: 0, csv: 'c.csv', bytes: 10, seconds: 1, reportCsv: '/r.csv', reportJson: '/r.json' },
    })
    await user.click(within(screen.getByRole('main')).getByRole('button', { name: 'Delivery history' }))
    await screen.findByRole('dialog', { name: 'Delivery history' })
    await waitFor(() => expect(api.callsTo('listHistory')).toEqual([['dest-ea']]))
  })
})
