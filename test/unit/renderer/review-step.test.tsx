// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { FakeApi } from './fake-api'
import { button, dataAt, renderApp } from './render-app'

afterEach(cleanup)

describe('Review step', () => {
  it('shows what will be uploaded, what is left out, orphans and counts by problem', async () => {
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'review'))
    expect(screen.getByRole('group', { name: 'Will be uploaded' }).textContent).toContain('4,784')
    expect(screen.getByRole('group', { name: 'Left out' }).textContent).toContain('112')
    expect(screen.getByRole('group', { name: 'Not in the CSV' }).textContent).toContain('25')
    expect(screen.getByText('No recording · 96')).toBeTruthy()
    expect(screen.getByText('Bad date · 12')).toBeTruthy()
    expect(button('Continue with 4,784 rows').disabled).toBe(false)
  })

  it('lists flagged rows with their sentence, a page at a time', async () => {
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'review'))
    const table = screen.getByRole('table', { name: 'Flagged rows' })
    expect(await within(table).findByText('call-00040.wav')).toBeTruthy()
    expect(within(table).getAllByText(/No recording with this file name is in the folder/).length).toBeGreaterThan(0)
    expect(api.callsTo('listIssues')[0]).toEqual(['check-1', { code: undefined, severity: undefined, offset: 0, limit: 200 }])
  })

  it('filters by problem code', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'review'))
    await user.click(screen.getByText('Bad date · 12'))
    const table = screen.getByRole('table', { name: 'Flagged rows' })
    expect((await within(table).findAllByText('Bad date')).length).toBe(12)
    expect(within(table).queryByText('No recording')).toBeNull()
    expect(api.callsTo('listIssues').at(-1)).toEqual(['check-1', { code: 'INVALID_DATE', severity: undefined, offset: 0, limit: 200 }])
  })

  it('has one filter: a severity or a kind of problem, choosing one clears the other', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'review'))
    await user.click(await screen.findByRole('button', { name: 'Rows left out' }))
    await waitFor(() => expect(api.callsTo('listIssues').at(-1)![1]).toMatchObject({ code: undefined, severity: 'error' }))
    await user.click(screen.getByText('Bad date · 12'))
    await waitFor(() => expect(api.callsTo('listIssues').at(-1)![1]).toMatchObject({ code: 'INVALID_DATE', severity: undefined }))
    expect(screen.getByRole('button', { name: 'Rows left out' }).getAttribute('aria-pressed')).toBe('false')
    expect(screen.queryByRole('combobox', { name: 'Show' })).toBeNull()
  })

  it('shows a row’s whole sentence under the table when asked, from the keyboard too', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'review'))
    const table = screen.getByRole('table', { name: 'Flagged rows' })
    const read = (await within(table).findAllByRole('button', { name: /^No recording with this file name/ }))[0]!
    read.focus()
    await user.keyboard('{Enter}')
    const shown = await screen.findByText('Row 40 · No recording · call-00040.wav')
    expect(shown.closest('[role="status"]')!.textContent).toContain('No recording with this file name is in the folder. Add it, or correct the name in the CSV.')
  })

  it('exports the problem list where the save dialog says, outside the batch folder', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'review'))
    await user.click(button('Export problems as CSV…'))
    expect(await screen.findByText('The problem list was saved to /home/qa/Documents/calls-problems.csv.')).toBeTruthy()
    expect(api.callsTo('exportIssues')).toEqual([['check-1']])
    // Checking again clears the note: it was about the list before.
    await user.click(button('Check again'))
    await waitFor(() => expect(screen.queryByText(/The problem list was saved/)).toBeNull())
  })

  it('goes back to an earlier step from the step indicator', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'review'))
    // MUI's stepper exposes its steps as tabs.
    await user.click(screen.getByRole('tab', { name: /Preview and map/ }))
    expect(await screen.findByRole('heading', { name: 'Preview and map' })).toBeTruthy()
  })

  it('does not continue when nothing can be uploaded', async () => {
    const api = new FakeApi()
    api.report = { ...api.report, ready: false, eligible: 0 }
    renderApp(api, { ...dataAt(api, 'review') })
    expect(screen.getByText(/No row can be uploaded yet/)).toBeTruthy()
    expect(button('Continue').disabled).toBe(true)
  })
})
