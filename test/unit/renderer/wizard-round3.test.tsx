// @vitest-environment jsdom
/**
 * Issue 26's defects as the components show them, on the fake api: a stopped upload's screen
 * (the server went away), one owner for the progress figures, the key a new destination takes,
 * one Tab stop for a preview's play buttons, the date format list, and the plain wording.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { AppErrorPayload, KeyInfo, UploadEvent } from '../../../src/api'
import { initialUploadState, overallFigures, uploadReducer, watchBatch } from '../../../renderer/state/upload-reducer'
import { keyForNewDestination } from '../../../renderer/steps/destination-dialog'
import { formatOptions } from '../../../renderer/steps/date-fields'
import { proposeDateFormatFromValues } from '../../../src/batch/date-format-proposal'
import { timeLeft, uploadIntro } from '../../../renderer/steps/upload-step'
import { reloadOnNewAddress } from '../../../renderer/transport/web-session'
import { FakeApi } from './fake-api'
import { dataAt, renderApp } from './render-app'
import { batchFiles, midUploadEvents } from './upload-script'

afterEach(cleanup)

const refused: AppErrorPayload = { code: 'CONNECTION_REFUSED', message: 'The server refused the connection. Check the host name and port.' }

describe('a stopped upload (item 4)', () => {
  function stoppedUpload() {
    const api = new FakeApi()
    renderApp(api, { ...dataAt(api, 'upload'), batchId: 'batch-1', destinationName: 'evaluagent Leeds' })
    const files = batchFiles(20)
    act(() => {
      for (const e of midUploadEvents('batch-1', files, { done: 5, uploading: 4 })) api.emit(e)
      api.emit({ kind: 'batch-failed', batchId: 'batch-1', error: refused })
    })
    return api
  }

  it('says the server went away (its address was right), not "check the host name and port"', async () => {
    stoppedUpload()
    const alert = (await screen.findByText('The upload stopped')).closest('[role="alert"]')!
    expect(alert.textContent).toContain('The server stopped answering during the upload')
    expect(alert.textContent).not.toContain('Check the host name and port')
  })

  it('no longer reads as sending: the intro, the "In progress" chip and "Not sent" say it stopped', async () => {
    stoppedUpload()
    await screen.findByText('The upload stopped')
    expect(screen.getByText(/^Stopped sending to evaluagent Leeds\./)).toBeTruthy()
    expect(screen.queryByText(/You can close the app/)).toBeNull()
    expect(screen.getByRole('button', { name: 'In progress (0)' })).toBeTruthy()
    // 20 recordings, 5 of them done: 15 not sent (and the CSV).
    const notSent = screen.getByText('Not sent', { selector: 'p' }).nextElementSibling!
    expect(notSent.textContent).toBe('15')
  })

  it('keeps the core sentence for a first connection that was refused (the address may be wrong)', async () => {
    const api = new FakeApi()
    renderApp(api, { ...dataAt(api, 'upload'), batchId: 'batch-1' })
    act(() => {
      api.emit({ kind: 'batch-started', batchId: 'batch-1', files: batchFiles(3), csvName: 'x.csv' })
      api.emit({ kind: 'batch-failed', batchId: 'batch-1', error: refused })
    })
    const alert = (await screen.findByText('The upload stopped')).closest('[role="alert"]')!
    expect(alert.textContent).toContain('Check the host name and port')
  })

  it('while files wait for a server that went quiet, time left is not guessed from 0 B/s', () => {
    expect(timeLeft('running', 16, 0, 83)).toBe('waiting for the server')
    expect(timeLeft('running', 0, 0, 216)).toBe('waiting for the server')
    expect(timeLeft('running', 0, 1_000_000, 90)).not.toBe('waiting for the server')
    expect(timeLeft('paused', 0, 1_000_000, 90)).toBe('paused')
    expect(timeLeft('failed', 0, 0, 90)).toBe('—')
  })

  it('says paused or stopped in the intro, never "Sending to…" (item 8)', () => {
    expect(uploadIntro('running', 'Leeds')).toMatch(/^Sending to Leeds\./)
    expect(uploadIntro('paused', 'Leeds')).toMatch(/^Paused: nothing more is sent to Leeds/)
    expect(uploadIntro('failed', 'Leeds')).toMatch(/^Stopped sending to Leeds\./)
  })
})

describe('one owner for the progress figures (items 6 and 8)', () => {
  const files = batchFiles(10)
  const total = files.reduce((s, f) => s + f.size, 0)

  it('a resumed batch starts at what its journal has on the server, and never shows less', () => {
    const floor = Math.ceil(total * 0.12)
    let s = watchBatch(initialUploadState, 'b', floor)
    s = uploadReducer(s, { kind: 'batch-started', batchId: 'b', files, csvName: 'x.csv' })
    // The engine counts the files already there as it reaches them: 6% at first.
    s = uploadReducer(s, { kind: 'batch-progress', batchId: 'b', progress: { bytesSent: Math.round(total * 0.06), bytesTotal: total, filesDone: 1, filesTotal: 11, filesFailed: 0, bytesPerSecond: 0, etaSeconds: null } })
    expect(Math.floor(overallFigures(s).sentPct)).toBe(12)
    expect(Math.floor(overallFigures(s).writtenPct)).toBe(12)
    // A fresh batch of another id starts from nothing.
    s = uploadReducer(watchBatch(s, 'c'), { kind: 'batch-started', batchId: 'c', files, csvName: 'x.csv' })
    expect(overallFigures(s).sentPct).toBe(0)
  })

  it('a replayed start of the same batch keeps its floor; the bar tells screen readers the headline figure', async () => {
    let s = watchBatch(initialUploadState, 'b', 1000)
    s = uploadReducer(s, { kind: 'batch-started', batchId: 'b', files, csvName: 'x.csv' })
    s = uploadReducer(s, { kind: 'batch-started', batchId: 'b', files, csvName: 'x.csv' })
    expect(s.floorBytes).toBe(1000)

    const api = new FakeApi()
    renderApp(api, { ...dataAt(api, 'upload'), batchId: 'batch-1' })
    const list = batchFiles(20)
    act(() => { for (const e of midUploadEvents('batch-1', list, { done: 1, uploading: 6 })) api.emit(e) })
    const heading = await screen.findByText(/^\d+% sent$/)
    const bar = screen.getByRole('progressbar', { name: 'Overall progress' })
    const headline = Number(/^(\d+)/.exec(heading.textContent!)![1])
    expect(Number(bar.getAttribute('aria-valuenow'))).toBe(headline)
    expect(bar.getAttribute('aria-valuetext')).toBe(`${headline}% sent`)
    // The headline counts what is on the server, as the journal does: 1 of 20 files here, the 6 half-written ones not yet.
    const total = list.reduce((n, f) => n + f.size, 0)
    expect(headline).toBe(Math.floor((list[0]!.size / total) * 100))
  })

  it('a stopped batch has nothing in flight: its uploading and retrying files are not sent', () => {
    let s = initialUploadState
    for (const e of midUploadEvents('b', files, { done: 3, uploading: 2, retrying: true, failed: true })) s = uploadReducer(s, e)
    expect(overallFigures(s).inFlight).toBe(3)
    s = uploadReducer(s, { kind: 'batch-failed', batchId: 'b', error: refused } as UploadEvent)
    expect(s.counts.uploading + s.counts.retrying).toBe(0)
    expect(overallFigures(s)).toMatchObject({ inFlight: 0, notSent: 10 - 3 })
  })
})

describe('the key a new destination takes (item 2)', () => {
  const key = (name: string, createdAt: string): KeyInfo => ({ name, type: 'ed25519', bits: 256, fingerprint: `SHA256:${name}`, publicKey: `ssh-ed25519 AAAA ${name}`, encrypted: false, createdAt })
  const keys = [key('default', '2024-05-01T09:00:00Z'), key('acme-qa', '2024-05-02T09:00:00Z')]

  it('is the key just made, else the newest that is not the sandbox\'s, never the sandbox\'s first', () => {
    expect(keyForNewDestination(keys, 'acme-qa', 'default')).toBe('acme-qa')
    expect(keyForNewDestination([...keys, key('zz-old', '2024-04-01T00:00:00Z')], null, 'default')).toBe('acme-qa')
    expect(keyForNewDestination([keys[0]!], null, 'default')).toBe('default')
    expect(keyForNewDestination([], null, 'default')).toBe('')
  })

  it('in the dialog: made with "New key…" from Add destination, the key comes back chosen there', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api, { ...dataAt(api, 'destination') })
    await user.click(await screen.findByRole('button', { name: 'Add destination…' }))
    let dialog = await screen.findByRole('dialog', { name: 'Add a destination' })
    await user.click(within(dialog).getByRole('button', { name: 'New key…' }))
    const keyDialog = await screen.findByRole('dialog', { name: 'SSH key' })
    await user.clear(within(keyDialog).getByLabelText(/Key name/))
    await user.type(within(keyDialog).getByLabelText(/Key name/), 'acme-qa')
    await user.click(within(keyDialog).getByRole('button', { name: 'Generate key' }))
    dialog = await screen.findByRole('dialog', { name: 'Add a destination' })
    await waitFor(() => expect(within(dialog).getByRole('combobox', { name: 'SSH key' }).textContent).toMatch(/^acme-qa/))
  })
})

describe('keyboard order on Preview and map (item 3)', () => {
  it('the preview\'s play buttons are one Tab stop; arrows move between rows', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    api.mediaUrl = (media) => Promise.resolve({ ok: true, value: `blob:media/${media}` })
    renderApp(api, dataAt(api, 'map'))
    const table = await screen.findByRole('table', { name: 'CSV preview' })
    const plays = await within(table).findAllByRole('button', { name: /^Play the recording of/ })
    expect(plays.length).toBeGreaterThan(2)
    expect(plays.filter((b) => b.tabIndex === 0)).toHaveLength(1)
    plays[0]!.focus()
    await user.keyboard('{ArrowDown}')
    expect(document.activeElement).toBe(plays[1])
    await waitFor(() => expect(plays[1]!.tabIndex).toBe(0))
    expect(plays[0]!.tabIndex).toBe(-1)
    await user.keyboard('{End}')
    expect(document.activeElement).toBe(plays.at(-1))
    // From the play column, one Tab leaves the table.
    await user.tab()
    expect(document.activeElement?.closest('table')).toBeNull()
  })
})

describe('dates in plain words (items 7 and 8)', () => {
  it('the format list offers every preset once a format is chosen; typing filters it', () => {
    const options = ['dd/MM/yyyy HH:mm', 'MM/dd/yyyy HH:mm', 'yyyy-MM-dd HH:mm:ss']
    expect(formatOptions(options, 'dd/MM/yyyy HH:mm')).toEqual(options)
    expect(formatOptions(options, '')).toEqual(options)
    expect(formatOptions(options, 'yyyy-')).toEqual(['yyyy-MM-dd HH:mm:ss'])
  })

  it('never says "luxon tokens" to a QA manager: the core\'s own sentence says what the letters are', () => {
    const said = proposeDateFormatFromValues(['03/04/2024 10:00', '2024.04.05 10:00', 'tomorrow', '5 April']).reason
    expect(said).not.toMatch(/luxon/)
    expect(said).toContain('dd day, MM month, yyyy year, HH:mm time')
  })
})

describe('a new address in the same tab (item 5)', () => {
  it('loads the page again when the fragment brings a code, so the code is spent', () => {
    const listeners = new Map<string, () => void>()
    const win = {
      location: { hash: '', reload: vi.fn() },
      addEventListener: (type: string, l: () => void) => listeners.set(type, l),
      removeEventListener: (type: string) => listeners.delete(type),
    }
    const stop = reloadOnNewAddress(win as never)
    win.location.hash = '#other'
    listeners.get('hashchange')!()
    expect(win.location.reload).not.toHaveBeenCalled()
    win.location.hash = '#code=abc123'
    listeners.get('hashchange')!()
    expect(win.location.reload).toHaveBeenCalledTimes(1)
    stop()
    expect(listeners.has('hashchange')).toBe(false)
  })
})
