// @vitest-environment jsdom
/**
 * Settings while the stored settings are still on their way: nothing can be typed or saved, so
 * neither a value typed early is overwritten when they arrive nor the defaults saved over them
 * (a Chromium test on a busy machine typed before they arrived and saw its value vanish).
 */
import { afterEach, expect, it } from 'vitest'
import { act, cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { FakeApi } from './fake-api'
import { renderApp } from './render-app'

afterEach(cleanup)

it('takes input and Save only once the stored settings are in the fields', async () => {
  const api = new FakeApi()
  api.settings = { ...api.settings, bandwidthLimit: '2M' }
  const stored = api.getSettings.bind(api)
  let release!: () => void
  const arrived = new Promise<void>((resolve) => { release = resolve })
  api.getSettings = async () => { await arrived; return stored() }
  const user = userEvent.setup()
  renderApp(api)
  await user.click(screen.getByRole('button', { name: 'Settings' }))
  const dialog = await screen.findByRole('dialog', { name: 'Settings' })
  const limit = within(dialog).getByRole('textbox', { name: 'Upload speed limit' }) as HTMLInputElement
  const save = within(dialog).getByRole('button', { name: 'Save' }) as HTMLButtonElement
  expect(limit.matches(':disabled')).toBe(true)
  expect(save.disabled).toBe(true)
  await user.type(limit, '500K')
  expect(limit.value).toBe('')

  await act(async () => release())
  await waitFor(() => expect(limit.value).toBe('2M'))
  expect(limit.matches(':disabled')).toBe(false)
  expect(save.disabled).toBe(false)
  await user.clear(limit)
  await user.type(limit, '500K')
  await user.click(save)
  expect(api.callsTo('saveSettings').at(-1)?.[0]).toMatchObject({ bandwidthLimit: '500K' })
})
