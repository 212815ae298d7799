// @vitest-environment jsdom
// The mapping preview's play buttons (issue 12): a row whose mapped file is one of the batch's
// recordings can be heard before the check, with the Review step's player, from the keyboard;
// a row whose file is not in the folder has none, and a host that cannot play shows none.
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { AGENTS, FakeApi } from './fake-api'
import { dataAt, renderApp } from './render-app'

afterEach(cleanup)

function playing(): FakeApi {
  const api = new FakeApi()
  api.mediaUrl = (media) => Promise.resolve({ ok: true, value: `blob:media/${media}` })
  api.previewMissing.add('call-00002.wav')
  return api
}

describe('Play in the mapping preview', () => {
  it('plays row 1 from the keyboard in the shared player; row 2, whose file is missing, has no button', async () => {
    const user = userEvent.setup()
    const api = playing()
    renderApp(api, dataAt(api, 'map'))
    const table = screen.getByRole('table', { name: 'CSV preview' })
    const first = await within(table).findByRole('button', { name: `Play the recording of CR-2024-00001, row 1, agent ${AGENTS[0]}` })
    expect(within(table).queryByRole('button', { name: /CR-2024-00002/ })).toBeNull()
    expect(within(table).getByRole('button', { name: `Play the recording of CR-2024-00003, row 3, agent ${AGENTS[2]}` })).toBeTruthy()
    // The batch and the mapping as mapped (asked again only when they change, StrictMode aside).
    const asked = { paths: ['/home/qa/exports/may-2024'], csvPath: '/home/qa/exports/may-2024/calls.csv', mapping: { contactReference: 'Call ID', agentId: 'Agent Email', contactDate: 'Call Start', audioFilename: 'Recording' } }
    for (const call of api.callsTo('matchPreviewRecordings')) expect(call).toEqual([asked])

    first.focus()
    await user.keyboard('{Enter}')
    const player = await screen.findByRole('region', { name: 'Recording player' })
    expect(player.textContent).toContain('Playing row 1: CR-2024-00001')
    const audio = within(player).getByTestId('recording-player')
    expect(audio.getAttribute('src')).toBe('blob:media/preview1.0')
    expect(audio.getAttribute('aria-label')).toBe(`Recording of CR-2024-00001, agent ${AGENTS[0]}`)
    expect(first.getAttribute('aria-pressed')).toBe('true')
  })

  it('matches again when the Audio filename column changes, and the player stops', async () => {
    const user = userEvent.setup()
    const api = playing()
    renderApp(api, dataAt(api, 'map'))
    const table = screen.getByRole('table', { name: 'CSV preview' })
    await user.click(await within(table).findByRole('button', { name: /Play the recording of CR-2024-00001,/ }))
    expect(await screen.findByRole('region', { name: 'Recording player' })).toBeTruthy()
    await user.click(screen.getByRole('combobox', { name: /Audio filename/ }))
    await user.click(await screen.findByRole('option', { name: 'Queue' }))
    await waitFor(() => expect(api.callsTo('matchPreviewRecordings').at(-1)![0]).toMatchObject({ mapping: { audioFilename: 'Queue' } }))
    expect(screen.queryByRole('region', { name: 'Recording player' })).toBeNull()
  })

  it('shows no play column where the host cannot play recordings', async () => {
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'map'))
    const table = screen.getByRole('table', { name: 'CSV preview' })
    expect(await within(table).findByText('CR-2024-00001')).toBeTruthy()
    expect(within(table).queryAllByRole('button', { name: /^Play the recording/ })).toEqual([])
    expect(api.callsTo('matchPreviewRecordings')).toEqual([])
  })
})
