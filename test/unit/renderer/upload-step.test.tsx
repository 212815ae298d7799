// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SILENT_MS, STALL_MS } from '../../../renderer/steps/upload-step'
import { act, cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { FakeApi } from './fake-api'
import { button, dataAt, renderApp } from './render-app'
import { batchFiles, midUploadEvents } from './upload-script'

afterEach(cleanup)

function atUpload(files = 20) {
  const api = new FakeApi()
  renderApp(api, { ...dataAt(api, 'upload'), batchId: 'batch-1' })
  const list = batchFiles(files)
  act(() => { for (const e of midUploadEvents('batch-1', list, { done: 5, uploading: 2, retrying: true, failed: true })) api.emit(e) })
  return { api, list }
}

describe('Upload step', () => {
  it('shows overall progress, files, speed and time left', async () => {
    atUpload()
    expect(await screen.findByText('Files')).toBeTruthy()
    await screen.findByText('5 of 21')
    expect(screen.getByText('14 MB/s')).toBeTruthy()
    expect(screen.getByRole('progressbar', { name: 'Overall progress' })).toBeTruthy()
    expect(screen.getByText(/% sent$/)).toBeTruthy()
    // The tab (or the window in the taskbar) shows the same, for a user working elsewhere.
    expect(document.title).toMatch(/^\d+% sent · Bulk upload$/)
  })

  it('says in words why files wait and when the next try is', async () => {
    atUpload()
    const notice = (await screen.findByText('1 file waiting to be sent again')).closest('[role="status"]')!
    expect(notice.textContent).toContain('The connection to the server was lost. Next try in 1 s (attempt 2). Files already on the server are safe')
    expect(notice.textContent).not.toContain('Run the same upload again')
  })

  it('gives the tab its title back when the upload screen closes', async () => {
    document.title = 'Bulk upload'
    atUpload()
    await screen.findByText(/% sent$/)
    expect(document.title).not.toBe('Bulk upload')
    cleanup()
    expect(document.title).toBe('Bulk upload')
  })

  it('lists every file with its state: in flight first, then failed, waiting and done, the CSV last', async () => {
    atUpload()
    const table = screen.getByRole('table', { name: 'Files in this batch' })
    await within(table).findByText('call-00006.wav')
    const rows = within(table).getAllByRole('row').slice(1)
    const states = rows.map((r) => r.lastElementChild?.textContent)
    expect(states.slice(0, 5)).toEqual(['Uploading', 'Uploading', 'Retrying (2)', 'Not sent', 'Waiting'])
    expect(states.slice(-6)).toEqual(['Done', 'Done', 'Done', 'Done', 'Done', 'Waiting'])
    expect(rows.at(-1)!.textContent).toContain('calls-2024-05-31-batch.csv — the CSV, sent last')
  })

  it('finds a file by its name', async () => {
    const user = userEvent.setup()
    atUpload()
    await user.type(screen.getByRole('searchbox', { name: 'Find a file' }), 'call-00009')
    const table = screen.getByRole('table', { name: 'Files in this batch' })
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(2))
    expect(within(table).getAllByRole('row')[1]!.textContent).toMatch(/call-00009\.wav.*Not sent/)
    await user.clear(screen.getByRole('searchbox', { name: 'Find a file' }))
    await user.type(screen.getByRole('searchbox', { name: 'Find a file' }), 'no-such-file')
    expect(await screen.findByText('No file of this list has “no-such-file” in its name.')).toBeTruthy()
  })

  it('says Paused, not Uploading, for the files in flight while the batch is paused', async () => {
    const user = userEvent.setup()
    atUpload()
    await user.click(await screen.findByRole('button', { name: 'Pause' }))
    const table = screen.getByRole('table', { name: 'Files in this batch' })
    await waitFor(() => expect(within(table).getAllByRole('row').slice(1, 3).map((r) => r.lastElementChild?.textContent)).toEqual(['Paused', 'Paused']))
    expect(within(table).queryByText('Uploading')).toBeNull()
  })

  it('keeps the overall percentage when a dropped server makes files start over', async () => {
    const { api, list } = atUpload()
    const before = (await screen.findByText(/% sent$/)).textContent
    const total = list.reduce((s, f) => s + f.size, 0)
    act(() => api.emit({ kind: 'batch-progress', batchId: 'batch-1', progress: { bytesSent: 1, bytesTotal: total, filesDone: 5, filesTotal: 21, filesFailed: 1, bytesPerSecond: 0, etaSeconds: null } }))
    expect(screen.getByText(/% sent$/).textContent).toBe(before)
    expect(before).not.toBe('0% sent')
  })

  it('filters the list down to the files with problems', async () => {
    const user = userEvent.setup()
    atUpload()
    await user.click(screen.getByRole('button', { name: 'Problems (2)' }))
    const table = screen.getByRole('table', { name: 'Files in this batch' })
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3))
    expect(within(table).getByText('call-00008.wav')).toBeTruthy()
    expect(within(table).getByText('call-00009.wav')).toBeTruthy()
  })

  it('keeps only the rows in view in the page with 100,000 files', async () => {
    atUpload(100_000)
    const table = screen.getByRole('table', { name: 'Files in this batch' })
    await within(table).findByText('call-00006.wav')
    expect(within(table).getAllByRole('row').length).toBeLessThan(60)
    expect(screen.getByRole('button', { name: 'All files (100,001)' })).toBeTruthy()
  })

  it('pauses, resumes and asks before cancelling', async () => {
    const user = userEvent.setup()
    const { api } = atUpload()
    await user.click(await screen.findByRole('button', { name: 'Pause' }))
    expect(await screen.findByText('Paused', { selector: 'p' })).toBeTruthy()
    await user.click(button('Resume'))
    expect(api.callsTo('pauseUpload')).toEqual([['batch-1', true], ['batch-1', false]])
    await user.click(button('Cancel upload'))
    const dialog = await screen.findByRole('dialog', { name: 'Cancel this upload?' })
    // It says what is on the server, so the user knows what cancelling keeps.
    expect(dialog.textContent).toMatch(/5 recordings already on the server stay there and are not sent again\. The CSV is not sent/)
    await user.click(within(dialog).getByRole('button', { name: 'Cancel upload' }))
    expect(api.callsTo('cancelUpload')).toEqual([['batch-1']])
  })

  it('marks a failed recording as not sent, to be retried next run, never done', async () => {
    atUpload()
    const table = screen.getByRole('table', { name: 'Files in this batch' })
    const row = (await within(table).findByText('call-00009.wav', { exact: false })).closest('tr')!
    expect(row.textContent).toContain('call-00009.wav — not sent, will be retried next run')
    expect(row.lastElementChild?.textContent).toBe('Not sent')
    expect(screen.getByText('Not sent', { selector: 'p' }).nextElementSibling?.textContent).toBe('1')
  })

  it('after Cancel, says how many recordings are on the server and that the CSV was not sent; never success', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    const spec = { paths: ['/home/qa/exports/may-2024'], csvPath: '/home/qa/exports/may-2024/calls.csv', mapping: { contactReference: 'Call ID', agentId: 'Agent Email', contactDate: 'Call Start' }, destinationId: 'sandbox' }
    renderApp(api, { ...dataAt(api, 'upload'), batchId: 'batch-1', lastStart: { spec, destinationId: 'sandbox', passphrase: 'pw' } })
    act(() => { for (const e of midUploadEvents('batch-1', batchFiles(20), { done: 5, uploading: 2 })) api.emit(e) })
    await user.click(await screen.findByRole('button', { name: 'Cancel upload' }))
    await user.click(within(await screen.findByRole('dialog', { name: 'Cancel this upload?' })).getByRole('button', { name: 'Cancel upload' }))
    expect(await screen.findByText('Cancelling…')).toBeTruthy()
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    act(() => api.emit({ kind: 'batch-failed', batchId: 'batch-1', error: { code: 'CANCELLED', message: 'The upload was cancelled. Run it again to resume where it stopped.', details: 'Cancelled: 5 of 20 recordings are on the server; run the same command to finish.' } }))
    expect(await screen.findByText('Cancelled: 5 of 20 recordings are on the server. The CSV was not sent; upload again to finish.')).toBeTruthy()
    expect(screen.getByText('Cancelled', { selector: 'p' })).toBeTruthy()
    expect(screen.queryByText(/complete|Finished/)).toBeNull()
    expect(screen.queryByRole('heading', { name: 'Done' })).toBeNull()
    const table = screen.getByRole('table', { name: 'Files in this batch' })
    expect(within(table).getByText('calls-2024-05-31-batch.csv — the CSV, sent last').closest('tr')!.lastElementChild?.textContent).toBe('Not sent')
    // Upload again: the same spec, destination and passphrase; the engine skips what is there.
    await user.click(button('Upload again to finish'))
    expect(api.callsTo('startUpload')).toEqual([[spec, 'sandbox', 'pw']])
    await waitFor(() => expect(screen.queryByText(/^Cancelled: /)).toBeNull())
    expect(screen.getByText('Starting…')).toBeTruthy()
  })

  it('resumes a cancelled batch from its journal when it was resumed from the start screen', async () => {
    const user = userEvent.setup()
    const { api } = atUpload()
    // As the core sends it: the figures in the message, and again in the details.
    act(() => api.emit({ kind: 'batch-failed', batchId: 'batch-1', error: { code: 'CANCELLED', message: 'Cancelled: 1204 of 4812 recordings are on the server; the CSV was not sent. Run the same upload again to finish.', details: '1204 of 4812 recordings on the server' } }))
    expect(await screen.findByText('Cancelled: 1204 of 4812 recordings are on the server. The CSV was not sent; upload again to finish.')).toBeTruthy()
    await user.click(button('Upload again to finish'))
    expect(api.callsTo('resumeInterrupted')).toEqual([['batch-1', null]])
  })

  it('says why a batch stopped, as a sentence', async () => {
    const { api } = atUpload()
    act(() => api.emit({ kind: 'batch-failed', batchId: 'batch-1', error: { code: 'DISK_FULL', message: 'The server has no room left for the upload. Ask your platform administrator to free space, then resume.' } }))
    expect(await screen.findByText('The upload stopped')).toBeTruthy()
    expect(screen.getByText(/no room left/)).toBeTruthy()
    expect(button('Try again')).toBeTruthy()
  })

  it('says so when the engine sends nothing after a start', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    try {
      const api = new FakeApi()
      renderApp(api, { ...dataAt(api, 'upload'), batchId: 'batch-1' })
      expect(screen.getByText('Starting…')).toBeTruthy()
      act(() => { vi.advanceTimersByTime(STALL_MS + 100) })
      expect(await screen.findByText(/The upload has not started yet/)).toBeTruthy()
    } finally {
      vi.useRealTimers()
    }
  })

  it('warns when a running upload goes silent', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    try {
      atUpload()
      await screen.findByText(/% sent$/)
      act(() => { vi.advanceTimersByTime(SILENT_MS + 3_000) })
      expect(await screen.findByText(/Nothing has been heard from the upload for a while/)).toBeTruthy()
    } finally {
      vi.useRealTimers()
    }
  })

  it('moves to Done with the summary, and starts another batch from there', async () => {
    const user = userEvent.setup()
    const { api } = atUpload()
    const summary = { batchId: 'batch-1', uploaded: 18, skipped: 1, excluded: 112, failed: 1, csv: 'calls-upload.csv', bytes: 50_000_000, seconds: 75, reportCsv: '/data/reports/batch-1.csv', reportJson: '/data/reports/batch-1.json' }
    act(() => api.emit({ kind: 'batch-done', batchId: 'batch-1', summary }))
    await screen.findByRole('heading', { name: 'Done' })
    expect(screen.getByRole('group', { name: 'Uploaded' }).textContent).toContain('18')
    expect(screen.getByRole('group', { name: 'Skipped' }).textContent).toContain('1')
    expect(screen.getByRole('group', { name: 'Excluded' }).textContent).toContain('112')
    expect(screen.getByRole('group', { name: 'Failed' }).textContent).toContain('1')
    expect(screen.getByText(/The CSV was sent as/).textContent).toContain('calls-upload.csv')
    await user.click(button('Open report (CSV)'))
    expect(api.callsTo('openPath')).toEqual([['/data/reports/batch-1.csv']])
    await user.click(button('Start another batch'))
    expect(await screen.findByRole('heading', { name: 'Add files' })).toBeTruthy()
  })
})
