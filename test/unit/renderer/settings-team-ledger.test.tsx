// @vitest-environment jsdom
/**
 * Settings → Team ledger on a fake api: what the field says to a QA manager, what it saves,
 * the core's refusal shown under the field, and a stored password kept to the field itself.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { FakeApi } from './fake-api'
import { renderApp } from './render-app'

afterEach(cleanup)

const HINT = 'Leave empty to keep delivery records on this computer. To share them with other computers that send to the same platform account, enter the PostgreSQL address your IT team gives you: postgresql://user@host:5432/database'

async function openSettings(api: FakeApi) {
  const user = userEvent.setup()
  renderApp(api)
  await user.click(screen.getByRole('button', { name: 'Settings' }))
  const dialog = await screen.findByRole('dialog', { name: 'Settings' })
  // Loaded: the fake's concurrency is 8.
  await waitFor(() => expect((within(dialog).getByLabelText('Files sent at once') as HTMLInputElement).value).toBe('8'))
  return { user, dialog, field: within(dialog).getByRole('textbox', { name: 'Team ledger' }) as HTMLInputElement }
}

describe('Settings → Team ledger', () => {
  it('is empty by default, says what it is, and saves an address trimmed', async () => {
    const api = new FakeApi()
    const { user, dialog, field } = await openSettings(api)
    expect(field.value).toBe('')
    expect(field.placeholder).toBe('This computer only')
    expect(within(dialog).getByText(HINT)).toBeTruthy()
    expect(field.getAttribute('aria-describedby')).toBeTruthy()
    expect(document.getElementById(field.getAttribute('aria-describedby')!)?.textContent).toBe(HINT)
    await user.type(field, '  postgresql://qa@ledger.corp:5432/deliveries ')
    // The ledger retention says it is this computer's alone once a team ledger is named.
    expect(within(dialog).getByText(/A team ledger keeps its records for as long as its database does\./)).toBeTruthy()
    await user.click(within(dialog).getByRole('button', { name: 'Save' }))
    expect(api.callsTo('saveSettings')).toEqual([[{ concurrency: 8, retentionDays: 30, ledgerRetentionDays: 400, bandwidthLimit: '', proxy: 'system', proxyUrl: '', teamLedger: 'postgresql://qa@ledger.corp:5432/deliveries' }]])
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Settings' })).toBeNull())
  })

  it('shows the stored address, and clearing it goes back to this computer\'s own ledger', async () => {
    const api = new FakeApi()
    api.settings = { ...api.settings, teamLedger: 'postgresql://qa@ledger.corp:5432/deliveries' }
    const { user, dialog, field } = await openSettings(api)
    await waitFor(() => expect(field.value).toBe('postgresql://qa@ledger.corp:5432/deliveries'))
    await user.clear(field)
    await user.click(within(dialog).getByRole('button', { name: 'Save' }))
    expect(api.callsTo('saveSettings').at(-1)?.[0]).toMatchObject({ teamLedger: '' })
  })

  it('shows the core\'s refusal under the field, not as an alert, and clears it on editing', async () => {
    const api = new FakeApi()
    api.failures.saveSettings = {
      code: 'TEAM_LEDGER_INVALID',
      message: 'The team ledger address is not a PostgreSQL address. Write it as postgresql://user:password@host:5432/database (the password may also come from PGPASSWORD or ~/.pgpass).',
      details: 'It starts with mysql://, not postgresql://.',
    }
    const { user, dialog, field } = await openSettings(api)
    await user.type(field, 'mysql://qa@ledger.corp/deliveries')
    await user.click(within(dialog).getByRole('button', { name: 'Save' }))
    const sentence = await within(dialog).findByText(/^It starts with mysql:\/\/, not postgresql:\/\/\. The team ledger address is not a PostgreSQL address\. Write it as/)
    expect(document.getElementById(field.getAttribute('aria-describedby')!)).toBe(sentence)
    expect(field.getAttribute('aria-invalid')).toBe('true')
    expect(within(dialog).queryByRole('alert')).toBeNull()
    // Still open: nothing was saved.
    expect(screen.getByRole('dialog', { name: 'Settings' })).toBeTruthy()
    delete api.failures.saveSettings
    await user.type(field, 'x')
    expect(within(dialog).getByText(HINT)).toBeTruthy()
    expect(field.getAttribute('aria-invalid')).toBe('false')
  })

  it('any other refusal still shows at the foot of the dialog', async () => {
    const api = new FakeApi()
    api.failures.saveSettings = { code: 'INTERNAL', message: 'The settings could not be saved.' }
    const { user, dialog } = await openSettings(api)
    await user.click(within(dialog).getByRole('button', { name: 'Save' }))
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/could not be saved/)
    expect(within(dialog).getByText(HINT)).toBeTruthy()
  })

  it('a stored password stays in the field: nowhere else in the dialog', async () => {
    const api = new FakeApi()
    api.settings = { ...api.settings, teamLedger: 'postgresql://qa:hunter2@ledger.corp:5432/deliveries' }
    const { dialog, field } = await openSettings(api)
    await waitFor(() => expect(field.value).toContain('hunter2'))
    expect(dialog.textContent).not.toContain('hunter2')
  })
})
