// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { FakeApi } from './fake-api'
import { button, dataAt, renderApp } from './render-app'

afterEach(cleanup)

describe('Preview and map step', () => {
  it('shows encoding, delimiter, the first rows, and the four fields pre-filled from the suggestion', async () => {
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'map'))
    expect(screen.getByText('Encoding: UTF-8 with BOM')).toBeTruthy()
    expect(screen.getByText('Separator: comma')).toBeTruthy()
    expect(screen.getByRole('combobox', { name: /Contact Reference/ }).textContent).toBe('Call ID')
    expect(screen.getByRole('combobox', { name: /Agent ID/ }).textContent).toBe('Agent Email')
    expect(screen.getByRole('combobox', { name: /Contact Date/ }).textContent).toBe('Call Start')
    expect(screen.getByRole('combobox', { name: /Audio filename/ }).textContent).toBe('Recording')
    const table = screen.getByRole('table', { name: 'CSV preview' })
    expect(await within(table).findByText('CR-2024-00001')).toBeTruthy()
    // Only the rows in view are in the page: the table is virtualised.
    expect(within(table).queryByText('CR-2024-00100')).toBeNull()
    const headers = within(table).getAllByRole('columnheader').map((h) => h.textContent)
    expect(headers).toContain('Call IDContact Reference')
    expect(headers).toContain('Direction')
  })

  it('blocks "Check the batch" until every required field is mapped', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api, { ...dataAt(api, 'map'), mapping: { agentId: 'Agent Email', contactDate: 'Call Start' } })
    expect(button('Check the batch').disabled).toBe(true)
    expect(screen.getByText('Required: choose the column')).toBeTruthy()
    await user.click(screen.getByRole('combobox', { name: /Contact Reference/ }))
    await user.click(await screen.findByRole('option', { name: 'Call ID' }))
    expect(button('Check the batch').disabled).toBe(false)
    await user.click(button('Check the batch'))
    await screen.findByRole('heading', { name: 'Review' })
    expect(api.callsTo('validate')[0]![0]).toMatchObject({ csvPath: '/home/qa/exports/may-2024/calls.csv', mapping: { contactReference: 'Call ID', agentId: 'Agent Email', contactDate: 'Call Start' } })
  })

  it('shows live examples of the date conversion with the chosen format and zone', async () => {
    const api = new FakeApi()
    renderApp(api, { ...dataAt(api, 'map'), mapping: { ...api.previewResult.suggestion, dateFormat: 'dd/MM/yyyy HH:mm', timezone: 'Europe/London' } })
    const list = await screen.findByRole('list', { name: 'Converted examples' })
    expect(await within(list).findByText('2024-05-01T08:00:00+01:00')).toBeTruthy()
    expect(await within(list).findByText('2024-05-28T16:21:00+01:00')).toBeTruthy()
    expect(api.callsTo('convertDateExample')).toContainEqual(['01/05/2024 08:00', 'dd/MM/yyyy HH:mm', 'Europe/London'])
    // A format given before (a loaded profile) is kept, not replaced by the proposal.
    expect((screen.getByLabelText('Source date format') as HTMLInputElement).value).toBe('dd/MM/yyyy HH:mm')
  })

  it('proposes the format from the data when the dates are not ISO 8601: fills it in, says why, shows the example that proves the order', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'map'))
    await waitFor(() => expect((screen.getByLabelText('Source date format') as HTMLInputElement).value).toBe('dd/MM/yyyy HH:mm'))
    expect(api.callsTo('proposeDateFormat')[0]).toEqual(['/home/qa/exports/may-2024/calls.csv', 'Call Start'])
    expect(screen.getByText(api.dateProposal.reason)).toBeTruthy()
    // The time zone starts as this computer's, said so, and stays editable.
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    expect((screen.getByLabelText('Time zone') as HTMLInputElement).value).toBe(zone)
    expect(screen.getByText(/This computer's time zone/)).toBeTruthy()
    const list = screen.getByRole('list', { name: 'Converted examples' })
    const items = within(list).getAllByRole('listitem').map((li) => li.textContent)
    expect(items[0]).toContain('28/05/2024 16:21')
    expect(items[0]).toContain('proves the order')
    expect(items.some((t) => t?.startsWith('01/05/2024 08:00'))).toBe(true)
    await user.click(button('Check the batch'))
    await screen.findByRole('heading', { name: 'Review' })
    expect(api.callsTo('validate')[0]![0]).toMatchObject({ mapping: { contactDate: 'Call Start', dateFormat: 'dd/MM/yyyy HH:mm', timezone: zone } })
  })

  it('when the data cannot tell day from month, fills nothing in, says why, and waits for an explicit choice', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    api.dateProposal = {
      iso: false, candidates: ['dd/MM/yyyy HH:mm', 'MM/dd/yyyy HH:mm'], ambiguous: true,
      reason: 'Every day and month in these rows is 12 or less (e.g. "03/05/2024 09:00" could be 3 May or 5 March), so the data cannot tell which comes first: choose the order your system writes.',
      examples: [{ value: '03/05/2024 09:00', converted: '2024-05-03T09:00:00+01:00' }],
    }
    renderApp(api, dataAt(api, 'map'))
    expect(await screen.findByText('Choose the date order')).toBeTruthy()
    expect(screen.getByText(/could be 3 May or 5 March/)).toBeTruthy()
    expect((screen.getByLabelText('Source date format') as HTMLInputElement).value).toBe('')
    expect(button('Check the batch').disabled).toBe(true)
    // Each order says in words what the sample would become: the user sees the 3 May / 5 March choice.
    expect(await screen.findByRole('radio', { name: 'Day first: 03/05/2024 09:00 is 3 May 2024, 09:00' })).toBeTruthy()
    await user.click(await screen.findByRole('radio', { name: 'Month first: 03/05/2024 09:00 is 5 March 2024, 09:00' }))
    expect((screen.getByLabelText('Source date format') as HTMLInputElement).value).toBe('MM/dd/yyyy HH:mm')
    expect(screen.getByText('Reads dates written like 12/31/2024 23:59')).toBeTruthy()
    expect(button('Check the batch').disabled).toBe(false)
    await user.click(button('Check the batch'))
    await screen.findByRole('heading', { name: 'Review' })
    expect(api.callsTo('validate')[0]![0]).toMatchObject({ mapping: { dateFormat: 'MM/dd/yyyy HH:mm' } })
  })

  it('names the date format presets by how a date looks in them, not by their pattern', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'map'))
    // The proposed format is filled in; cleared, the field lists every preset.
    await waitFor(() => expect((screen.getByLabelText('Source date format') as HTMLInputElement).value).toBe('dd/MM/yyyy HH:mm'))
    await user.clear(screen.getByLabelText('Source date format'))
    await user.click(screen.getByLabelText('Source date format'))
    const options = await screen.findAllByRole('option')
    const labels = options.map((o) => o.textContent)
    expect(labels).toContain('31/12/2024 23:59 · day first · dd/MM/yyyy HH:mm')
    expect(labels).toContain('12/31/2024 11:59 PM · month first · MM/dd/yyyy h:mm a')
  })

  it('asks for no proposal when the preview dates are ISO 8601 with an offset', async () => {
    const api = new FakeApi()
    api.previewResult = { ...api.previewResult, rows: api.previewResult.rows.map((r) => r.map((v, i) => (i === 2 ? '2024-05-01T08:00:00+01:00' : v))) }
    renderApp(api, dataAt(api, 'map'))
    await screen.findByText('CR-2024-00001')
    expect(api.callsTo('proposeDateFormat')).toEqual([])
    expect((screen.getByLabelText('Source date format') as HTMLInputElement).value).toBe('')
    expect(button('Check the batch').disabled).toBe(false)
  })

  it('warns before review when no format reads the dates and none is given', async () => {
    const api = new FakeApi()
    api.dateProposal = { iso: false, candidates: [], ambiguous: false, reason: 'The dates are not ISO 8601 and are not all written one way (e.g. "yesterday").', examples: [] }
    renderApp(api, dataAt(api, 'map'))
    expect(await screen.findByText(/not all written one way/)).toBeTruthy()
    expect(screen.getByText(/not ISO 8601 with a UTC offset/).textContent).toContain('01/05/2024 08:00')
  })

  it('saves a mapping profile through the save dialog, and as a download in the browser', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'map'))
    await user.click(button('Save mapping…'))
    expect(await screen.findByText(/The mapping was saved to \/home\/qa\/Documents\/mapping\.json\. Load it next time/)).toBeTruthy()
    expect(JSON.parse(api.savedFiles.get('/home/qa/Documents/mapping.json')!)).toMatchObject({ contactReference: 'Call ID' })
    // No path crosses the contract: the host decides where (its dialog) or the browser does (a download).
    expect(api.callsTo('saveMapping')[0]).toHaveLength(1)

    api.saveAs = 'download'
    const created: string[] = []
    const createObjectURL = URL.createObjectURL
    URL.createObjectURL = () => { created.push('blob:mapping'); return 'blob:mapping' }
    URL.revokeObjectURL = () => undefined
    try {
      await user.click(button('Save mapping…'))
      expect(await screen.findByText(/The mapping was downloaded as mapping\.json/)).toBeTruthy()
      expect(created).toEqual(['blob:mapping'])
    } finally {
      URL.createObjectURL = createObjectURL
    }
  })

  it('warns when a loaded profile no longer fits this CSV', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    api.profileFits = false
    renderApp(api, dataAt(api, 'map'))
    const file = new File([JSON.stringify({ contactReference: 'Call ID', agentId: 'Agent', contactDate: 'Call Start' })], 'mapping-profile.json', { type: 'application/json' })
    await user.upload(screen.getByLabelText('Mapping file to load'), file)
    expect(await screen.findByText('This CSV no longer fits the loaded mapping')).toBeTruthy()
    expect(screen.getByText('Column “Agent” is not in this CSV.')).toBeTruthy()
    // The loaded mapping is kept where it still fits; the missing column must be chosen again.
    expect(screen.getByRole('combobox', { name: /Contact Reference/ }).textContent).toBe('Call ID')
    expect(screen.getByText('Required: choose the column')).toBeTruthy()
    expect(button('Check the batch').disabled).toBe(true)
  })
})
