// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { BatchSummary } from '../../../src/api'
import { FakeApi } from './fake-api'
import { renderApp } from './render-app'

afterEach(cleanup)

const interrupted = {
  batchId: 'batch-7', csvPath: '/home/qa/exports/april-2024/calls.csv', destinationName: 'evaluagent Leeds',
  startedAt: '2024-05-30T16:42:00Z', updatedAt: '2024-05-30T17:05:00Z', filesDone: 2_318, filesTotal: 4_121, bytesDone: 4_410_000_000, bytesTotal: 8_020_000_000,
}

describe('On start', () => {
  it('offers an interrupted batch for resume, saying what, when and how far', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    api.interrupted = [interrupted]
    renderApp(api)
    const dialog = await screen.findByRole('dialog', { name: 'An upload did not finish' })
    expect(within(dialog).getByText('calls.csv → evaluagent Leeds')).toBeTruthy()
    expect(within(dialog).getByText(/2,318 of 4,121 files · 4.4 GB of 8.0 GB/)).toBeTruthy()
    expect(within(dialog).getByText(/Started 30 May 2024/)).toBeTruthy()
    await user.click(within(dialog).getByRole('button', { name: 'Resume' }))
    expect(api.callsTo('resumeInterrupted')).toEqual([['batch-7', null]])
    expect(await screen.findByRole('heading', { name: 'Upload' })).toBeTruthy()
  })

  it('asks for the key passphrase when resuming needs it', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    api.interrupted = [interrupted]
    api.failures.resumeInterrupted = { code: 'KEY_PASSPHRASE_NEEDED', message: 'This key is protected by a passphrase. Enter it to continue.' }
    renderApp(api)
    const dialog = await screen.findByRole('dialog', { name: 'An upload did not finish' })
    await user.click(within(dialog).getByRole('button', { name: 'Resume' }))
    expect(await within(dialog).findByText('This key is protected by a passphrase. Enter it to continue.')).toBeTruthy()
    delete api.failures.resumeInterrupted
    await user.type(within(dialog).getByLabelText('Key passphrase'), 'pw')
    await user.click(within(dialog).getByRole('button', { name: 'Resume' }))
    expect(api.callsTo('resumeInterrupted').at(-1)).toEqual(['batch-7', 'pw'])
  })

  it('keeps a postponed offer one click away in the header', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    api.interrupted = [interrupted]
    renderApp(api)
    const dialog = await screen.findByRole('dialog', { name: 'An upload did not finish' })
    await user.click(within(dialog).getByRole('button', { name: 'Decide later' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    await user.click(screen.getByRole('button', { name: '1 unfinished upload' }))
    expect(await screen.findByRole('dialog', { name: 'An upload did not finish' })).toBeTruthy()
  })

  it('discards an interrupted batch once the user confirms, and keeps it when they do not', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    api.interrupted = [interrupted]
    renderApp(api)
    const dialog = await screen.findByRole('dialog', { name: 'An upload did not finish' })
    await user.click(within(dialog).getByRole('button', { name: 'Discard…' }))
    const ask = await screen.findByRole('dialog', { name: 'Discard this upload?' })
    expect(ask.textContent).toContain('Recordings already sent stay on the server')
    await user.click(within(ask).getByRole('button', { name: 'Keep it' }))
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Discard this upload?' })).toBeNull())
    expect(api.callsTo('discardInterrupted')).toEqual([])
    await user.click(within(dialog).getByRole('button', { name: 'Discard…' }))
    await user.click(within(await screen.findByRole('dialog', { name: 'Discard this upload?' })).getByRole('button', { name: 'Discard upload' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(api.callsTo('discardInterrupted')).toEqual([['batch-7']])
  })

  it('a resumed sandbox batch ends as a fresh one does: the sandbox Done, with "Send it to a real destination…"', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    const spec = { paths: ['/home/qa/exports/april-2024'], csvPath: '/home/qa/exports/april-2024/calls.csv', mapping: { contactReference: 'ref', agentId: 'agent', contactDate: 'date' } }
    api.interrupted = [{ ...interrupted, destinationName: 'Sandbox (this computer)', destinationId: 'sandbox', sandbox: true, spec }]
    renderApp(api)
    const dialog = await screen.findByRole('dialog', { name: 'An upload did not finish' })
    await user.click(within(dialog).getByRole('button', { name: 'Resume' }))
    await screen.findByRole('heading', { name: 'Upload' })
    const summary: BatchSummary = { batchId: 'batch-7', uploaded: 2, skipped: 0, failed: 0, excluded: 0, bytes: 2048, seconds: 3, csv: 'batch.csv', reportCsv: '/r.csv', reportJson: '/r.json' }
    api.emit({ kind: 'batch-done', batchId: 'batch-7', summary })
    await screen.findByRole('heading', { name: 'Done' })
    expect(screen.getByText(/The batch went to the sandbox on this computer. Nothing left this computer/)).toBeTruthy()
    expect(screen.queryByText(/The platform imports it on its next run/)).toBeNull()
    expect(screen.getByRole('button', { name: 'Send it to a real destination…' })).toBeTruthy()
  })
})

describe('Settings', () => {
  it('edits concurrency and retention days', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api)
    await user.click(screen.getByRole('button', { name: 'Settings' }))
    const dialog = await screen.findByRole('dialog', { name: 'Settings' })
    const files = within(dialog).getByLabelText('Files sent at once') as HTMLInputElement
    await waitFor(() => expect(files.value).toBe('8'))
    await user.clear(files)
    await user.type(files, '40')
    expect(within(dialog).getByText('Empty for automatic, or a whole number from 1 to 32.')).toBeTruthy()
    expect((within(dialog).getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(true)
    await user.clear(files)
    await user.type(files, '4')
    const days = within(dialog).getByLabelText('Keep local history (days)')
    await user.clear(days)
    await user.type(days, '14')
    await user.click(within(dialog).getByRole('button', { name: 'Save' }))
    expect(api.callsTo('saveSettings')).toEqual([[{ concurrency: 4, retentionDays: 14, ledgerRetentionDays: 400, bandwidthLimit: '', proxy: 'system', proxyUrl: '', teamLedger: '' }]])
  })

  it('an empty "Files sent at once" is automatic: saved as null, shown empty with the word', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api)
    await user.click(screen.getByRole('button', { name: 'Settings' }))
    const dialog = await screen.findByRole('dialog', { name: 'Settings' })
    const files = within(dialog).getByLabelText('Files sent at once') as HTMLInputElement
    await waitFor(() => expect(files.value).toBe('8'))
    await user.clear(files)
    expect(files.placeholder).toBe('Automatic')
    expect(within(dialog).getByText(/Empty for automatic: the app starts with 16 and sends more at once when the server is far away\. To choose yourself, a number from 1 to 32\./)).toBeTruthy()
    // One range: the automatic one is not a number the user could type (it said "up to 64", then "1 to 32").
    expect(within(dialog).queryByText(/64/)).toBeNull()
    await user.click(within(dialog).getByRole('button', { name: 'Save' }))
    expect(api.callsTo('saveSettings')).toEqual([[{ concurrency: null, retentionDays: 30, ledgerRetentionDays: 400, bandwidthLimit: '', proxy: 'system', proxyUrl: '', teamLedger: '' }]])
  })

  it('sets how long delivered conversations are remembered, from 1 to 3,650 days', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api)
    await user.click(screen.getByRole('button', { name: 'Settings' }))
    const dialog = await screen.findByRole('dialog', { name: 'Settings' })
    const days = within(dialog).getByLabelText('Remember delivered conversations for (days)') as HTMLInputElement
    await waitFor(() => expect(days.value).toBe('400'))
    expect(within(dialog).getByText(/never sent to the same destination again/)).toBeTruthy()
    await user.clear(days)
    await user.type(days, '4000')
    expect(within(dialog).getByText('A whole number of days from 1 to 3,650.')).toBeTruthy()
    expect((within(dialog).getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(true)
    await user.clear(days)
    await user.type(days, '730')
    await user.click(within(dialog).getByRole('button', { name: 'Save' }))
    expect(api.callsTo('saveSettings')).toEqual([[{ concurrency: 8, retentionDays: 30, ledgerRetentionDays: 730, bandwidthLimit: '', proxy: 'system', proxyUrl: '', teamLedger: '' }]])
  })
})
