/**
 * Settings → Team ledger in Chromium through the web host (a real `serve` child and core):
 * the field and what it says, at 1280 × 900 and 800 × 600, axe-clean; a refused address's
 * sentence under the field; and an address nobody answers at, saved, then History for the
 * destination: the TEAM_LEDGER_UNREACHABLE sentence on screen, no password, no stack trace.
 * With SCREENSHOTS=docs the dialog's pictures go to docs/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import { mkdir, writeFile } from 'node:fs/promises'
import type { Browser, Page } from 'playwright-core'
import { ERROR_MESSAGES } from '../../src/errors'
import { freePort } from '../helpers/sshd'
import { skipWithReason } from '../helpers/system'
import { buildRenderer, CHROMIUM, launchChromium, screenshotDir, startHost, tempDir, unexpectedAxeViolations, watchPage, type HostProcess } from './harness'

const DESTINATION = 'evaluagent – Leeds team'
const ADDRESS = 'postgresql://qa-leeds@ledger.acme.example:5432/deliveries'

/** The Settings dialog, open and loaded (its first field filled from the host). */
async function openSettings(page: Page) {
  await page.getByRole('button', { name: 'Settings' }).click()
  const dialog = page.getByRole('dialog', { name: 'Settings' })
  await dialog.getByRole('textbox', { name: 'Team ledger' }).waitFor()
  await dialog.getByRole('button', { name: `Known agents of ${DESTINATION}` }).waitFor()
  return dialog
}

describe.skipIf(skipWithReason(CHROMIUM, 'Settings → Team ledger (Chromium)'))('Settings → Team ledger in Chromium through the web host', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let host: HostProcess
  let browser: Browser

  beforeAll(async () => {
    tmp = await tempDir('bu-e2e-team-ledger-')
    const home = path.join(tmp.dir, 'home')
    await mkdir(home, { recursive: true })
    // A destination saved earlier (History and Review read its ledger; nothing connects to it here).
    await writeFile(path.join(home, 'destinations.json'), JSON.stringify({
      version: 1,
      destinations: [{ id: 'leeds-1a2b3c', name: DESTINATION, host: 'sftp.evaluagent.example', port: 22, username: 'acme-leeds', keyName: 'default', remoteDir: '', sandbox: false }],
    }))
    let root: string
    ;[root, browser] = await Promise.all([buildRenderer(path.join(tmp.dir, 'renderer')), launchChromium()])
    host = await startHost({ root, home })
  })
  afterAll(async () => {
    await browser?.close()
    await host?.stop()
    await tmp?.cleanup()
  })

  for (const viewport of [{ width: 1280, height: 900 }, { width: 800, height: 600 }]) {
    it(`shows the field with what it is, in the dialog's width (${viewport.width} × ${viewport.height})`, async () => {
      const context = await browser.newContext({ colorScheme: 'light', viewport })
      const page = await context.newPage()
      const watch = watchPage(page)
      await page.goto(host.url)
      const dialog = await openSettings(page)
      const field = dialog.getByRole('textbox', { name: 'Team ledger' })
      await field.fill(ADDRESS)
      // As a user leaves it: the address shown from its start, the hint under it in view.
      await field.blur()
      const hint = dialog.getByText(/^Leave empty to keep delivery records on this computer\. To share them with other computers/)
      await hint.scrollIntoViewIfNeeded()
      await expect.poll(() => hint.isVisible()).toBe(true)
      // The field, its label and its hint stay inside the dialog (no overflow to the right).
      // (MUI gives the dialog role to the dialog's paper itself.)
      const [box, paper] = await Promise.all([field.boundingBox(), dialog.boundingBox()])
      expect(box!.x + box!.width).toBeLessThanOrEqual(paper!.x + paper!.width)
      expect(await dialog.locator('.MuiDialogContent-root').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true)
      // Only the fields scroll: the title and Save stay on screen however tall the dialog is.
      for (const part of [dialog.getByRole('heading', { name: 'Settings' }), dialog.getByRole('button', { name: 'Save' })]) {
        const b = (await part.boundingBox())!
        expect(b.y).toBeGreaterThanOrEqual(0)
        expect(b.y + b.height).toBeLessThanOrEqual(viewport.height)
      }
      const unexpected = await unexpectedAxeViolations(page, 'settings dialog (team ledger)')
      expect(unexpected, JSON.stringify(unexpected, null, 2)).toEqual([])
      // The window as a user sees it (a full-page picture would add the page below the backdrop).
      await mkdir(screenshotDir(), { recursive: true })
      await page.screenshot({ path: path.join(screenshotDir(), `7-settings-team-ledger-web-host${viewport.width === 1280 ? '' : '-800x600'}-light.png`) })
      expect(watch.errors, host.output()).toEqual([])
      await context.close()
    })
  }

  it('a refused address: the sentence under the field; an unreachable one: History says so, without the password', async () => {
    const context = await browser.newContext({ colorScheme: 'light', viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    const watch = watchPage(page)
    await page.goto(host.url)
    let dialog = await openSettings(page)
    const field = dialog.getByRole('textbox', { name: 'Team ledger' })
    await field.fill('mysql://qa:hunter2@ledger.acme-support.example/deliveries')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.getByText(/^It starts with mysql:\/\/, not postgresql:\/\/\. The team ledger address is not a PostgreSQL address\./).waitFor()
    expect(await field.getAttribute('aria-invalid')).toBe('true')
    expect(await dialog.textContent()).not.toContain('hunter2')

    // Nothing listens on this port: a database that cannot be reached.
    await field.fill(`postgresql://qa:hunter2@127.0.0.1:${await freePort()}/deliveries`)
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'detached' })

    await page.getByRole('button', { name: 'Delivery history' }).click()
    const history = page.getByRole('dialog', { name: 'Delivery history' })
    await history.getByRole('combobox', { name: 'Destination' }).click()
    await page.getByRole('option', { name: DESTINATION }).click()
    const alert = history.getByRole('alert')
    await alert.filter({ hasText: ERROR_MESSAGES.TEAM_LEDGER_UNREACHABLE.slice(0, 60) }).waitFor()
    const text = (await alert.textContent()) ?? ''
    expect(text).toContain('Check the --ledger address (or BULK_UPLOAD_LEDGER, or Settings → Team ledger)')
    expect(text).not.toContain('hunter2')
    expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/)
    expect(await page.textContent('body')).not.toContain('hunter2')
    expect(watch.errors, host.output()).toEqual([])

    // Back in Settings the address is as saved, and emptying it is this computer's ledger again.
    // The dialog's own Close, not the alert's.
    await history.locator('.MuiDialogActions-root').getByRole('button', { name: 'Close' }).click()
    await history.waitFor({ state: 'detached' })
    dialog = await openSettings(page)
    await expect.poll(() => dialog.getByRole('textbox', { name: 'Team ledger' }).inputValue()).toMatch(/^postgresql:\/\/qa:hunter2@127\.0\.0\.1:\d+\/deliveries$/)
    await dialog.getByRole('textbox', { name: 'Team ledger' }).fill('')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'detached' })
    await page.getByRole('button', { name: 'Delivery history' }).click()
    await history.getByRole('combobox', { name: 'Destination' }).click()
    await page.getByRole('option', { name: DESTINATION }).click()
    await history.getByText('Nothing has been delivered to this destination yet.').waitFor()
    expect(await history.getByRole('alert').count()).toBe(0)
    await context.close()
  })
})
