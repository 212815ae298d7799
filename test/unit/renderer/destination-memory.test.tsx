// @vitest-environment jsdom
// Issue 10: Test connection logs in, the last destination is preselected, Done names where the
// batch went, destinations are edited and removed with a confirmation and an Undo.
import { afterEach, describe, expect, it } from 'vitest'
import { act, cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { BatchSummary, Destination } from '../../../src/api'
import { FakeApi } from './fake-api'
import { button, dataAt, renderApp } from './render-app'

afterEach(cleanup)

const remote: Destination = { id: 'dest-ea', name: 'evaluagent Leeds', host: 'sftp.example.com', port: 22, username: 'acme', keyName: 'ea', remoteDir: '', sandbox: false }
const summary: BatchSummary = { batchId: 'batch-1', uploaded: 18, skipped: 0, excluded: 0, failed: 0, csv: 'calls-upload.csv', bytes: 50_000_000, seconds: 75, reportCsv: '/data/reports/batch-1.csv', reportJson: '/data/reports/batch-1.json' }

async function withRemote(): Promise<FakeApi> {
  const api = new FakeApi()
  await api.generateKey('ea', 'ed25519', null)
  api.destinations.push(remote)
  return api
}

describe('Test connection', () => {
  it('after trusting a new server, goes on to log in and shows the server refusing the key, never "logged in"', async () => {
    const user = userEvent.setup()
    const api = await withRemote()
    api.refusedLogin.add('dest-ea')
    renderApp(api, { ...dataAt(api, 'destination'), destinationId: 'dest-ea' })
    await screen.findByText('evaluagent Leeds')
    await user.click(button('Test connection'))
    const dialog = await screen.findByRole('dialog', { name: 'Is this the right server?' })
    await user.click(within(dialog).getByRole('button', { name: 'Trust this server' }))
    expect(await screen.findByText(/The server refused the key/)).toBeTruthy()
    expect(api.callsTo('testConnection')).toHaveLength(2)
    expect(screen.queryByText(/Logged in/)).toBeNull()
    expect(screen.queryByText(/is trusted/)).toBeNull()
  })

  it('says who it logged in as once the server accepts the key', async () => {
    const user = userEvent.setup()
    const api = await withRemote()
    renderApp(api, { ...dataAt(api, 'destination'), destinationId: 'dest-ea' })
    await screen.findByText('evaluagent Leeds')
    await user.click(button('Test connection'))
    await user.click(within(await screen.findByRole('dialog', { name: 'Is this the right server?' })).getByRole('button', { name: 'Trust this server' }))
    expect((await screen.findByText(/Logged in as acme on sftp\.example\.com:22\./)).textContent).toContain(api.hostKey.fingerprint)
    expect(api.callsTo('startUpload')).toHaveLength(0)
  })

  it('tries a protected key with its passphrase', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    await api.generateKey('ea', 'ed25519', 'secret')
    api.destinations.push(remote)
    api.trusted.add('dest-ea')
    renderApp(api, { ...dataAt(api, 'destination'), destinationId: 'dest-ea' })
    await user.type(await screen.findByLabelText('Passphrase for key “ea”'), 'secret')
    await user.click(button('Test connection'))
    expect(await screen.findByText(/Logged in as acme/)).toBeTruthy()
    expect(api.callsTo('testConnection').at(-1)).toEqual(['dest-ea', 'secret'])
  })
})

describe('Destination memory', () => {
  it('preselects the destination the last upload went to, not the sandbox', async () => {
    const api = await withRemote()
    api.destinations = api.destinations.map((d) => (d.id === 'dest-ea' ? { ...d, lastUsed: true } : d))
    renderApp(api, dataAt(api, 'destination'))
    const radio = await screen.findByRole('radio', { name: /evaluagent Leeds/ })
    await waitFor(() => expect((radio as HTMLInputElement).checked).toBe(true))
  })

  it('Done names the destination the batch went to', async () => {
    const api = await withRemote()
    renderApp(api, { ...dataAt(api, 'done'), destinationId: 'dest-ea', destinationName: 'evaluagent Leeds', summary })
    expect(await screen.findByText('The batch is on evaluagent Leeds. The platform imports it on its next run.')).toBeTruthy()
    expect(screen.queryByRole('button', { name: /real destination/ })).toBeNull()
  })

  it('a sandbox Done says nothing left this computer and sends the same batch to a real destination', async () => {
    const user = userEvent.setup()
    const api = await withRemote()
    api.trusted.add('dest-ea')
    renderApp(api, dataAt(api, 'destination'))
    await user.click(await screen.findByRole('button', { name: 'Start upload' }))
    await screen.findByRole('heading', { name: 'Upload' })
    const batchId = api.startedBatches[0]!
    act(() => api.emit({ kind: 'batch-done', batchId, summary: { ...summary, batchId } }))
    expect(await screen.findByText(/Nothing left this computer and the platform has not received it/)).toBeTruthy()
    await user.click(button('Send it to a real destination…'))
    const radio = await screen.findByRole('radio', { name: /evaluagent Leeds/ })
    await waitFor(() => expect((radio as HTMLInputElement).checked).toBe(true))
    await user.click(button('Start upload'))
    await screen.findByRole('heading', { name: 'Upload' })
    expect(api.callsTo('startUpload').at(-1)!.slice(1)).toEqual(['dest-ea', null])
    expect(api.callsTo('startUpload').at(-1)![0]).toMatchObject({ csvPath: api.scanResult.csvFiles[0]!.path })
  })

  it('a sandbox Done with no real destination yet opens Add a destination', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api, { ...dataAt(api, 'done'), destinationId: 'sandbox', destinationName: 'Sandbox (this computer)', destinationSandbox: true, summary })
    await user.click(await screen.findByRole('button', { name: 'Send it to a real destination…' }))
    expect(await screen.findByRole('dialog', { name: 'Add a destination' })).toBeTruthy()
  })
})

describe('Editing and removing destinations', () => {
  it('edits a destination in place, keeping its id', async () => {
    const user = userEvent.setup()
    const api = await withRemote()
    renderApp(api, { ...dataAt(api, 'destination'), destinationId: 'dest-ea' })
    await user.click(await screen.findByRole('button', { name: 'Edit destination evaluagent Leeds' }))
    const dialog = await screen.findByRole('dialog', { name: 'Edit destination “evaluagent Leeds”' })
    const username = within(dialog).getByLabelText(/Username/) as HTMLInputElement
    expect(username.value).toBe('acme')
    await user.clear(username)
    await user.type(username, 'acme-qa')
    await user.click(within(dialog).getByRole('button', { name: 'Save destination' }))
    expect(api.callsTo('saveDestination')[0]![0]).toMatchObject({ id: 'dest-ea', username: 'acme-qa', host: 'sftp.example.com' })
    expect(await screen.findByText(/acme-qa@sftp\.example\.com:22/)).toBeTruthy()
    expect(api.destinations.filter((d) => !d.sandbox)).toHaveLength(1)
  })

  it('asks before removing, offers Undo, and removes only when the notice goes', async () => {
    const user = userEvent.setup()
    const api = await withRemote()
    renderApp(api, { ...dataAt(api, 'destination'), destinationId: 'dest-ea' })
    await user.click(await screen.findByRole('button', { name: 'Remove destination evaluagent Leeds' }))
    let dialog = await screen.findByRole('dialog', { name: 'Remove this destination?' })
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(screen.getByText('evaluagent Leeds')).toBeTruthy()

    await user.click(button('Remove destination evaluagent Leeds'))
    dialog = await screen.findByRole('dialog', { name: 'Remove this destination?' })
    await user.click(within(dialog).getByRole('button', { name: 'Remove destination' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(await screen.findByText('Destination “evaluagent Leeds” removed.')).toBeTruthy()
    expect(screen.queryByRole('radio', { name: /evaluagent Leeds/ })).toBeNull()
    await user.click(button('Undo'))
    expect(await screen.findByRole('radio', { name: /evaluagent Leeds/ })).toBeTruthy()
    expect(api.callsTo('removeDestination')).toHaveLength(0)

    await user.click(button('Remove destination evaluagent Leeds'))
    await user.click(within(await screen.findByRole('dialog', { name: 'Remove this destination?' })).getByRole('button', { name: 'Remove destination' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    await user.click(await screen.findByRole('button', { name: 'Dismiss' }))
    await waitFor(() => expect(api.callsTo('removeDestination')).toEqual([['dest-ea']]))
    expect(api.destinations.find((d) => d.id === 'dest-ea')).toBeUndefined()
  })

  it('clears an error about one destination when another is chosen', async () => {
    const user = userEvent.setup()
    const api = await withRemote()
    api.trusted.add('dest-ea')
    api.refusedLogin.add('dest-ea')
    renderApp(api, { ...dataAt(api, 'destination'), destinationId: 'dest-ea' })
    await screen.findByText('evaluagent Leeds')
    await user.click(button('Test connection'))
    expect(await screen.findByText(/The server refused the key/)).toBeTruthy()
    await user.click(screen.getByRole('radio', { name: /Sandbox/ }))
    expect(screen.queryByText(/The server refused the key/)).toBeNull()
  })
})
