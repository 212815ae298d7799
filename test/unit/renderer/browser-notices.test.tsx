// @vitest-environment jsdom
/**
 * The web host's notifications (renderer/browser-notices.ts): permission is asked when the user
 * starts an upload, never on load; a batch that ends while the tab is in the background gets a
 * notification with the desktop app's words; a visible tab, a refusal or a cancel gets none.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { BatchSummary } from '../../../src/api'
import { browserNotices, type NoticeEnvironment } from '../../../renderer/browser-notices'
import { FakeApi } from './fake-api'
import { button, dataAt, renderApp } from './render-app'

afterEach(cleanup)

/** A stand-in for the browser's Notification API and the tab's visibility. */
function fakeBrowser(permission: NotificationPermission, visibility: DocumentVisibilityState) {
  const shown: Array<{ title: string; body?: string }> = []
  let asked = 0
  const state = { permission, visibility }
  class FakeNotification {
    static get permission() { return state.permission }
    static async requestPermission() { asked++; state.permission = 'granted'; return state.permission }
    constructor(title: string, options?: NotificationOptions) { shown.push({ title, body: options?.body }) }
  }
  const env: NoticeEnvironment = { Notification: FakeNotification, document: { get visibilityState() { return state.visibility } } }
  return { env, shown, asked: () => asked, state }
}

const summary: BatchSummary = { batchId: 'b1', uploaded: 40, skipped: 2, excluded: 0, failed: 0, csv: 'x.csv', bytes: 1, seconds: 1, reportCsv: '', reportJson: '' }

describe('browser notifications', () => {
  it('asks for permission on Start upload, not before', async () => {
    const user = userEvent.setup()
    const browser = fakeBrowser('default', 'visible')
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'destination'), { notices: browserNotices(browser.env) })
    await screen.findByRole('radio', { name: /Sandbox \(this computer\)/ })
    expect(browser.asked()).toBe(0)
    await user.click(button('Start upload'))
    await screen.findByRole('heading', { name: 'Upload' })
    expect(browser.asked()).toBe(1)
  })

  it('notifies a batch that ends while the tab is hidden, once, with where it went', () => {
    const browser = fakeBrowser('granted', 'hidden')
    const api = new FakeApi()
    browserNotices(browser.env)!.follow(api, () => 'Leeds team')
    api.emit({ kind: 'batch-started', batchId: 'b1', files: [], csvName: 'x.csv' })
    api.emit({ kind: 'batch-done', batchId: 'b1', summary })
    // A page back from a lost host is sent the final event again: no second notification.
    api.emit({ kind: 'batch-done', batchId: 'b1', summary })
    expect(browser.shown).toEqual([{ title: 'Upload finished', body: '42 recordings and the CSV are on the server to Leeds team.' }])
  })

  it('says nothing to a user looking at the tab, one who refused, or one who cancelled', () => {
    for (const [permission, visibility, code] of [['granted', 'visible', 'CONNECTION_LOST'], ['denied', 'hidden', 'CONNECTION_LOST'], ['granted', 'hidden', 'CANCELLED']] as const) {
      const browser = fakeBrowser(permission, visibility)
      const api = new FakeApi()
      browserNotices(browser.env)!.follow(api, () => null)
      api.emit({ kind: 'batch-started', batchId: 'b2', files: [], csvName: 'x.csv' })
      api.emit({ kind: 'batch-failed', batchId: 'b2', error: { code, message: 'Stopped.' } })
      expect(browser.shown, `${permission} ${visibility} ${code}`).toEqual([])
    }
  })

  it('a stopped batch is announced with its sentence', () => {
    const browser = fakeBrowser('granted', 'hidden')
    const api = new FakeApi()
    browserNotices(browser.env)!.follow(api, () => null)
    api.emit({ kind: 'batch-started', batchId: 'b3', files: [], csvName: 'x.csv' })
    api.emit({ kind: 'batch-failed', batchId: 'b3', error: { code: 'AUTH_REFUSED', message: 'The server refused the key.' } })
    expect(browser.shown).toEqual([{ title: 'Upload stopped', body: 'The server refused the key.' }])
  })

  it('is absent where the browser has no Notification API', () => {
    expect(browserNotices({ document: { visibilityState: 'visible' } })).toBeUndefined()
  })
})
