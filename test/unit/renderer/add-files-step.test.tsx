// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { FakeApi } from './fake-api'
import { button, renderApp } from './render-app'

afterEach(cleanup)

describe('Add files step', () => {
  it('scans the chosen folder and shows CSVs, recordings and total size', async () => {
    const user = userEvent.setup()
    const { api } = renderApp()
    expect(button('Preview CSV').disabled).toBe(true)
    await user.click(screen.getByRole('button', { name: 'Choose folder…' }))
    expect(await screen.findByText('Found in may-2024')).toBeTruthy()
    expect(screen.getByRole('group', { name: 'Recordings' }).textContent).toContain('4,812')
    expect(screen.getByRole('group', { name: 'Total size' }).textContent).toContain('9.6 GB')
    expect(screen.getByText('WAV · 4,790')).toBeTruthy()
    expect(api.callsTo('scan')).toEqual([[['/home/qa/exports/may-2024']]])
    await user.click(screen.getByRole('button', { name: 'Preview CSV' }))
    expect(await screen.findByRole('heading', { name: 'Preview and map' })).toBeTruthy()
  })

  it('applies the mapping remembered for a CSV with the same header, and says which CSV it came from', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    const headers = api.previewResult.headers
    api.previewResult = { ...api.previewResult, remembered: { profile: { contactReference: headers[1]!, agentId: headers[2]!, contactDate: headers[0]! }, kind: 'csv', from: 'calls-april.csv', usedAt: '2024-05-01T09:00:00.000Z' } }
    renderApp(api)
    await user.click(screen.getByRole('button', { name: 'Choose folder…' }))
    await screen.findByText('Found in may-2024')
    await user.click(screen.getByRole('button', { name: 'Preview CSV' }))
    const note = await screen.findByText(/is applied: this CSV has the same columns/)
    expect(note.textContent).toContain('The mapping you used for calls-april.csv is applied')
    expect(screen.getByRole('combobox', { name: /Contact Reference/ }).textContent).toBe(headers[1])
  })

  it('asks which CSV to use when there are several', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    api.scanResult.csvFiles = [
      { path: '/d/calls.csv', relPath: 'calls.csv', size: 10, mtimeMs: 0 },
      { path: '/d/agents.csv', relPath: 'agents.csv', size: 10, mtimeMs: 0 },
    ]
    renderApp(api)
    await user.click(screen.getByRole('button', { name: 'Choose folder…' }))
    await screen.findByText(/Several CSV files were found/)
    expect(button('Preview CSV').disabled).toBe(true)
    await user.click(screen.getByRole('radio', { name: /agents\.csv/ }))
    await user.click(screen.getByRole('button', { name: 'Preview CSV' }))
    await screen.findByRole('heading', { name: 'Preview and map' })
    expect(api.callsTo('previewCsv')).toEqual([['/d/agents.csv']])
  })

  it('in the web host, offers the folder browser instead of a native picker', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    api.caps = { kind: 'web', nativeDialogs: false }
    renderApp(api)
    await screen.findByText(/choose the folder on the computer running the app/)
    await user.click(screen.getByRole('button', { name: 'Choose folder…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Choose the folder with recordings and CSV' })
    await user.click(await screen.findByRole('button', { name: 'exports' }))
    // Each folder says what it holds, so the batch folder stands out.
    await user.click(await screen.findByRole('button', { name: 'may-2024 1 CSV · 4,781 recordings' }))
    await screen.findByText('In /home/qa/exports/may-2024: 1 CSV · 4,781 recordings')
    await user.click(screen.getByRole('button', { name: 'Use this folder' }))
    await waitFor(() => expect(dialog.isConnected).toBe(false))
    expect(api.callsTo('pickFolder')).toHaveLength(0)
    expect(api.callsTo('scan')).toEqual([[['/home/qa/exports/may-2024']]])
  })

  it('in the folder browser, cannot use a folder while the one clicked is still being listed', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    api.caps = { kind: 'web', nativeDialogs: false }
    // The listing of may-2024 is held until the test lets it through.
    let release = (): void => undefined
    const listed = api.browse.bind(api)
    api.browse = (path: string | null) => (path?.endsWith('may-2024') ? new Promise((resolve) => { release = () => resolve(listed(path)) }) : listed(path))
    renderApp(api)
    await user.click(await screen.findByRole('button', { name: 'Choose folder…' }))
    await user.click(await screen.findByRole('button', { name: 'exports' }))
    await user.click(await screen.findByRole('button', { name: 'may-2024 1 CSV · 4,781 recordings' }))
    // Still showing exports: using it now would pick the wrong folder.
    expect(button('Use this folder').disabled).toBe(true)
    release()
    await screen.findByText('In /home/qa/exports/may-2024: 1 CSV · 4,781 recordings')
    await user.click(button('Use this folder'))
    await waitFor(() => expect(api.callsTo('scan')).toEqual([[['/home/qa/exports/may-2024']]]))
  })

  it('scans dropped folders by their real paths when the host can tell them', async () => {
    const { api } = renderApp(new FakeApi(), undefined, { pathForFile: (f) => `/dropped/${f.name}` })
    const zone = screen.getByRole('group', { name: /Drop zone/ })
    fireEvent.drop(zone, { dataTransfer: { files: [new File([''], 'may-2024')] } })
    await screen.findByText('Found in may-2024')
    expect(api.callsTo('scan')).toEqual([[['/dropped/may-2024']]])
  })

  it('says so when a dropped folder has no path, and opens the folder browser only when asked', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    api.caps = { kind: 'web', nativeDialogs: false }
    renderApp(api, undefined, { pathForFile: () => null })
    fireEvent.drop(screen.getByRole('group', { name: /Drop zone/ }), { dataTransfer: { files: [new File([''], 'may-2024')] } })
    const note = await screen.findByText(/cannot see where dropped files are \(“may-2024”\)/)
    // The explanation is not covered by the dialog it explains.
    expect(screen.queryByRole('dialog')).toBeNull()
    await user.click(within(note.closest('[role="alert"]') as HTMLElement).getByRole('button', { name: 'Choose folder…' }))
    expect(await screen.findByRole('dialog')).toBeTruthy()
  })

  it('shows a failed scan as its sentence', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    api.failures.scan = { code: 'NOT_READABLE', message: 'A file could not be read. Check that you are allowed to open it.' }
    renderApp(api)
    await user.click(screen.getByRole('button', { name: 'Choose folder…' }))
    expect((await screen.findByRole('alert')).textContent).toContain('A file could not be read.')
  })
})
