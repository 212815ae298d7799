/**
 * The web host's secret in a real browser, against the web host in its own process (the same
 * code path as `bulk-upload serve`): the printed code opens the app once and leaves the address
 * bar; nothing secret lands in cookies, localStorage, the URL, the host's output or its log; a
 * plain server on another 127.0.0.1 port that the browser visits receives nothing; a reused
 * code and a tab outliving a restart get the page that says how to get a new address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { readdir, readFile } from 'node:fs/promises'
import type { Browser, Page } from 'playwright-core'
import { skipWithReason } from '../helpers/system'
import { buildRenderer, CHROMIUM, launchChromium, startHost, tempDir, type HostProcess } from './harness'

const SESSION_KEY = 'bulk-upload-session'

describe.skipIf(skipWithReason(CHROMIUM, 'web host secret (Chromium)'))('web host secret in Chromium', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let root: string
  let host: HostProcess
  let browser: Browser

  beforeAll(async () => {
    tmp = await tempDir('bu-e2e-secret-')
    root = await buildRenderer(path.join(tmp.dir, 'renderer'))
    ;[host, browser] = await Promise.all([startHost({ root, home: path.join(tmp.dir, 'home') }), launchChromium()])
  })
  afterAll(async () => {
    await browser?.close()
    await host?.stop()
    await tmp?.cleanup()
  })

  const appShown = (page: Page) => page.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 20_000 })
  const endedShown = (page: Page) => page.getByRole('alert').filter({ hasText: 'Press Enter' }).waitFor({ timeout: 20_000 })

  async function logText(): Promise<string> {
    const dir = path.join(host.home, 'logs')
    const names = await readdir(dir).catch(() => [] as string[])
    return (await Promise.all(names.map((n) => readFile(path.join(dir, n), 'utf8')))).join('\n')
  }

  it('the code opens the app once, leaves the address bar, and the secret is kept only in sessionStorage', async () => {
    const address = await host.newAddress()
    const code = new URL(address).hash.replace('#code=', '')
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(address)
    await appShown(page)
    expect(page.url()).toBe(`http://127.0.0.1:${host.port}/`)
    const stored = await page.evaluate((key) => ({ secret: sessionStorage.getItem(key), local: localStorage.length, href: location.href, cookie: document.cookie }), SESSION_KEY)
    expect(stored.secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(stored).toMatchObject({ local: 0, cookie: '', href: `http://127.0.0.1:${host.port}/` })
    expect(await context.cookies()).toEqual([])
    // A reload of this tab keeps its session.
    await page.reload()
    await appShown(page)
    await expect.poll(() => page.evaluate(() => document.querySelector('[role=alert][data-code]')?.getAttribute('data-code') ?? null)).toBeNull()
    // The same address a second time, in another tab: spent.
    const again = await context.newPage()
    await again.goto(address)
    await endedShown(again)
    expect(await again.getByRole('alert').getAttribute('data-code')).toBe('ACCESS_CODE_SPENT')
    expect(again.url()).not.toContain(code)
    // Neither the host's output nor its log holds the secret; the log holds no code either.
    const log = await logText()
    expect(host.output()).not.toContain(stored.secret!)
    expect(log).not.toContain(stored.secret!)
    expect(log).not.toContain(code)
    await context.close()
  })

  it('a plain server on another 127.0.0.1 port that the browser visits receives no secret', async () => {
    const seen: string[] = []
    const other = http.createServer((req, res) => {
      seen.push(`${req.method ?? ''} ${req.url ?? ''}\n${JSON.stringify(req.headers)}`)
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>other</title><p>other</p>')
    })
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
    try {
      const address = await host.newAddress()
      const code = new URL(address).hash.replace('#code=', '')
      const context = await browser.newContext()
      const page = await context.newPage()
      await page.goto(address)
      await appShown(page)
      const secret = (await page.evaluate((key) => sessionStorage.getItem(key), SESSION_KEY))!
      // Leaving the app for the other server, then going to it in a new tab of the same browser.
      await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/from-app`)
      const tab = await context.newPage()
      await tab.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/new-tab`)
      expect(seen.length).toBeGreaterThanOrEqual(2)
      for (const request of seen) {
        expect(request).not.toContain(secret)
        expect(request).not.toContain(code)
        expect(request).not.toMatch(/cookie/i)
      }
      await context.close()
    } finally {
      await new Promise((resolve) => other.close(resolve))
    }
  })

  it('after the host restarts, an open tab and its reload get the page saying how to get a new address', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(host.url)
    await appShown(page)
    const port = host.port
    await host.kill()
    host = await startHost({ root, home: host.home, port })
    await page.reload()
    await endedShown(page)
    expect(await page.getByRole('alert').getAttribute('data-code')).toBe('SESSION_ENDED')
    expect(await page.textContent('body')).toMatch(/bulk-upload serve/)
    // The tab's stale secret is forgotten, and a fresh address opens the app again.
    expect(await page.evaluate((key) => sessionStorage.getItem(key), SESSION_KEY)).toBeNull()
    await page.goto(await host.newAddress())
    await appShown(page)
    await context.close()
  })
})
