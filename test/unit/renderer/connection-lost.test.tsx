// @vitest-environment jsdom
/**
 * A page that loses its web host says so and blocks the screen; when the host answers again
 * the block goes, a note says so, and an upload on screen is resynced from the host.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { act, cleanup, screen, waitFor } from '@testing-library/react'
import { createConnectionWatch } from '../../../renderer/transport/connection-watch'
import { FakeApi } from './fake-api'
import { dataAt, renderApp } from './render-app'

afterEach(cleanup)

describe('lost host', () => {
  it('blocks the upload screen while the host is silent, and resyncs the upload when it is back', async () => {
    const api = new FakeApi()
    const connection = createConnectionWatch()
    renderApp(api, { ...dataAt(api, 'upload'), batchId: 'batch-1' }, { connection })
    act(() => connection.set('lost'))
    const dialog = await screen.findByRole('dialog', { name: 'Lost contact with the app' })
    expect(dialog.textContent).toMatch(/Uploads run there, not in this page/)
    expect(api.callsTo('resyncUpload')).toEqual([])
    act(() => connection.set('connected'))
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Lost contact with the app' })).toBeNull())
    expect(await screen.findByText('Reconnected: what you see is up to date.')).toBeTruthy()
    expect(api.callsTo('resyncUpload')).toEqual([['batch-1']])
  })

  it('asks nothing to resync when no upload is on screen', async () => {
    const api = new FakeApi()
    const connection = createConnectionWatch()
    renderApp(api, dataAt(api, 'review'), { connection })
    act(() => connection.set('lost'))
    await screen.findByRole('dialog', { name: 'Lost contact with the app' })
    act(() => connection.set('connected'))
    await screen.findByText('Reconnected: what you see is up to date.')
    expect(api.callsTo('resyncUpload')).toEqual([])
  })
})
