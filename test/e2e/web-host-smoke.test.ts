/**
 * The app in a real browser through the web host: it loads with its one-time code and without any
 * console error or CSP violation, says how to get an address when opened without one, talks to the
 * core over the WebSocket, and its first screen is axe-clean in light and dark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { skipWithReason } from '../helpers/system'
import { buildRenderer, CHROMIUM, launchChromium, screenshot, startHost, tempDir, unexpectedAxeViolations, watchPage, type HostProcess } from './harness'
import { DEFAULT_LEDGER_RETENTION_DAYS } from '../../src/api'

describe.skipIf(skipWithReason(CHROMIUM, 'web host smoke (Chromium)'))('web host in Chromium', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let host: HostProcess
  let browser: Browser
  let root: string

  beforeAll(async () => {
    tmp = await tempDir('bu-e2e-smoke-')
    root = await buildRenderer(path.join(tmp.dir, 'renderer'))
    ;[host, browser] = await Promise.all([startHost({ root, home: path.join(tmp.dir, 'home') }), launchChromium()])
  })
  afterAll(async () => {
    await browser?.close()
    await host?.stop()
    await tmp?.cleanup()
  })

  it('without a code, the page says how to get an address', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`http://127.0.0.1:${host.port}/`)
    await page.getByRole('alert').filter({ hasText: 'Press Enter' }).waitFor({ timeout: 20_000 })
    expect(await page.textContent('body')).toMatch(/bulk-upload serve/)
    await context.close()
  })

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`loads the first screen with its code, axe-clean (${colorScheme})`, async () => {
      const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 860 } })
      const page = await context.newPage()
      const watch = watchPage(page)
      const response = await page.goto(host.url)
      expect(response?.status()).toBe(200)
      expect(response?.headers()['content-security-policy']).toContain("default-src 'none'")
      // The first step is on screen once the app has asked the host for its capabilities.
      await page.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 20_000 })
      await page.waitForLoadState('networkidle')
      const unexpected = await unexpectedAxeViolations(page, `first screen (${colorScheme})`)
      expect(unexpected, JSON.stringify(unexpected, null, 2)).toEqual([])
      await screenshot(page, 'e2e-first-screen')
      expect(watch.errors, host.output()).toEqual([])
      await context.close()
    })
  }

  it('the page reaches the core over the WebSocket with its session secret, and not without it', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(host.url)
    await page.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 20_000 })
    // A second socket from the page itself: the secret in sessionStorage is its only credential.
    const ask = (withSecret: boolean) => page.evaluate(async (send) => {
      const ws = new WebSocket(`ws://${location.host}/api`)
      return new Promise<string>((resolve) => {
        ws.onopen = () => ws.send(JSON.stringify(send ? { type: 'hello', secret: sessionStorage.getItem('bulk-upload-session') } : { id: 1, call: 'getSettings', args: [] }))
        ws.onmessage = (e) => {
          if ((JSON.parse(String(e.data)) as { type: string }).type === 'ready') ws.send(JSON.stringify({ id: 1, call: 'getSettings', args: [] }))
          else resolve(String(e.data))
        }
        ws.onclose = (e) => resolve(`closed ${e.code}`)
      })
    }, withSecret)
    expect(await ask(false)).toBe('closed 4401')
    const answer = await ask(true)
    expect(JSON.parse(answer)).toEqual({ type: 'result', id: 1, result: { ok: true, value: { concurrency: null, retentionDays: 30, ledgerRetentionDays: DEFAULT_LEDGER_RETENTION_DAYS, bandwidthLimit: '', proxy: 'system', proxyUrl: '', teamLedger: '' } } })
    await context.close()
  })

  it('notices within seconds when the host stops answering, blocks the page, and carries on when it answers again', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(host.url)
    await page.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 20_000 })
    const lost = page.getByRole('dialog', { name: 'Lost contact with the app' })
    host.freeze()
    try {
      // A hung host sends no close: only the heartbeat can tell (designed to notice within 5 s).
      await lost.waitFor({ timeout: 8_000 })
      expect(await lost.getAttribute('aria-modal')).toBe('true')
      expect(await lost.textContent()).toMatch(/Uploads run there, not in this page/)
    } finally {
      host.thaw()
    }
    await lost.waitFor({ state: 'hidden', timeout: 10_000 })
    await page.getByText('Reconnected: what you see is up to date.').waitFor()
    // The page works again: a call goes through.
    await page.getByRole('button', { name: 'Settings' }).click()
    await page.getByRole('dialog', { name: 'Settings' }).waitFor()
    await context.close()
  })

  it('a killed host: the page says so at once; once restarted, it says the session ended and how to get a new address', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(host.url)
    await page.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 20_000 })
    const port = host.port
    await host.kill()
    await page.getByRole('dialog', { name: 'Lost contact with the app' }).waitFor({ timeout: 8_000 })
    // The same port, a new process: it never gave this tab its secret.
    host = await startHost({ root, home: path.join(tmp.dir, 'home'), port })
    await page.getByRole('alert').filter({ hasText: 'Press Enter' }).waitFor({ timeout: 15_000 })
    expect(await page.getByRole('dialog', { name: 'Lost contact with the app' }).count()).toBe(0)
    await context.close()
  })
})
