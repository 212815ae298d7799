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

  it('shows a live example of the date conversion', async () => {
    const api = new FakeApi()
    renderApp(api, { ...dataAt(api, 'map'), mapping: { ...api.previewResult.suggestion, dateFormat: 'dd/MM/yyyy HH:mm', timezone: 'Europe/London' } })
    expect(await screen.findByText('2024-05-01T08:00:00+01:00', {}, { timeout: 2000 })).toBeTruthy()
    expect(api.callsTo('convertDateExample')[0]).toEqual(['01/05/2024 08:00', 'dd/MM/yyyy HH:mm', 'Europe/London'])
  })

  it('warns before review when the dates are not ISO 8601 and no format is given', async () => {
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'map'))
    expect(screen.getByText(/not ISO 8601 with a UTC offset/).textContent).toContain('01/05/2024 08:00')
  })

  it('saves a mapping profile next to the CSV', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'map'))
    await user.click(button('Save mapping…'))
    const dialog = await screen.findByRole('dialog', { name: 'Save this mapping' })
    expect((within(dialog).getByLabelText('File path') as HTMLInputElement).value).toBe('/home/qa/exports/may-2024/mapping-profile.json')
    await user.click(within(dialog).getByRole('button', { name: 'Save' }))
    expect(await screen.findByText(/Mapping saved to/)).toBeTruthy()
    expect(api.profiles.get('/home/qa/exports/may-2024/mapping-profile.json')).toMatchObject({ contactReference: 'Call ID' })
  })

  it('warns when a loaded profile no longer fits this CSV', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    api.profiles.set('/home/qa/exports/may-2024/mapping-profile.json', { contactReference: 'Call ID', agentId: 'Agent', contactDate: 'Call Start' })
    api.profileFits = false
    renderApp(api, dataAt(api, 'map'))
    await user.click(button('Load mapping…'))
    await screen.findByRole('dialog', { name: 'Load a saved mapping' })
    await user.click(await screen.findByRole('button', { name: 'exports' }))
    await user.click(await screen.findByRole('button', { name: 'may-2024' }))
    await user.click(await screen.findByRole('button', { name: /mapping-profile\.json/ }))
    expect(await screen.findByText('This CSV no longer fits the loaded mapping')).toBeTruthy()
    expect(screen.getByText('Column “Agent” is not in this CSV.')).toBeTruthy()
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    // The loaded mapping is kept where it still fits; the missing column must be chosen again.
    expect(screen.getByRole('combobox', { name: /Contact Reference/ }).textContent).toBe('Call ID')
    expect(screen.getByText('Required: choose the column')).toBeTruthy()
    expect(button('Check the batch').disabled).toBe(true)
  })
})
