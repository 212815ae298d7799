// @vitest-environment jsdom
// Issue 10: "Continue with 1,303 rows" with 57% of the rows left out asks first; 2% does not.
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { FakeApi } from './fake-api'
import { button, dataAt, renderApp } from './render-app'

afterEach(cleanup)

describe('Review: many rows left out', () => {
  it('asks before continuing when more than a tenth of the rows are left out', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    const report = { ...api.report, conversations: 3_000, eligible: 1_303, excluded: 1_697 }
    renderApp(api, { ...dataAt(api, 'review'), report })
    await user.click(button('Continue with 1,303 rows'))
    let dialog = await screen.findByRole('dialog', { name: 'Leave out 57% of the rows?' })
    expect(within(dialog).getByText(/1,697 rows of 3,000 would not be sent/)).toBeTruthy()
    await user.click(within(dialog).getByRole('button', { name: 'Check the problems' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(screen.getByRole('heading', { name: 'Review' })).toBeTruthy()

    await user.click(button('Continue with 1,303 rows'))
    dialog = await screen.findByRole('dialog', { name: 'Leave out 57% of the rows?' })
    await user.click(within(dialog).getByRole('button', { name: 'Continue with 1,303 rows' }))
    expect(await screen.findByRole('heading', { name: 'Destination and key' })).toBeTruthy()
  })

  it('goes straight on when few rows are left out', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'review'))
    await user.click(button('Continue with 4,784 rows'))
    expect(await screen.findByRole('heading', { name: 'Destination and key' })).toBeTruthy()
    expect(screen.queryByRole('dialog')).toBeNull()
  })
})
