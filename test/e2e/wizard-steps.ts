/**
 * The wizard's steps as a user goes through them, shared by the browser (web host) and the
 * Electron end-to-end tests, with the checks each step gets: axe in light and dark, a
 * screenshot of each, and fitting the window at 125% zoom.
 */
import path from 'node:path'
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { expect } from 'vitest'
import type { Page } from 'playwright-core'
import type { GeneratedBatch } from '../fixtures/generate-batch'
import { startSshd, type SshdServer } from '../helpers/sshd'
import { screenshot, unexpectedAxeViolations } from './harness'

/**
 * Gives a generated batch contact references of its own ("APR-00001" instead of "CR-00001").
 * The generator numbers every batch from CR-00001, and the delivery ledger rightly leaves out
 * references an earlier test already delivered to the same sandbox; a test about another
 * export needs other conversations.
 */
export async function ownReferences(batch: GeneratedBatch, prefix: string): Promise<void> {
  const csv = await readFile(batch.csvPath, 'utf8')
  await writeFile(batch.csvPath, csv.replace(/^CR-(\d+)/gm, `${prefix}-$1`))
}

export const sha256 = async (file: string): Promise<string> => createHash('sha256').update(await readFile(file)).digest('hex')

/** Files on the sandbox server (its root is in the app home), without the server's own dot files. */
export async function serverFiles(home: string): Promise<string[]> {
  const names = await readdir(path.join(home, 'sandbox-server')).catch(() => [] as string[])
  return names.filter((n) => !n.startsWith('.')).sort()
}

export async function expectAxeClean(page: Page, where: string): Promise<void> {
  const unexpected = await unexpectedAxeViolations(page, where)
  expect(unexpected, `${where}: ${JSON.stringify(unexpected, null, 2)}`).toEqual([])
}

/** axe and a screenshot in light and in dark (the theme follows the OS), then back to light. */
export async function checkStep(page: Page, where: string, shot: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    // The theme follows the media query on React's next render; its colour transitions start then.
    await page.waitForTimeout(400)
    await expectAxeClean(page, `${where} (${colorScheme})`)
    await screenshot(page, shot)
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await expectFitsAtZoom(page, where)
}

/**
 * Readable at 125% zoom: on a 1280-pixel-wide window that leaves 1024 CSS pixels, and the
 * step must fit them without scrolling sideways.
 */
export async function expectFitsAtZoom(page: Page, where: string): Promise<void> {
  const size = page.viewportSize()!
  await page.setViewportSize({ width: Math.round(size.width / 1.25), height: Math.round(size.height / 1.25) })
  await page.waitForTimeout(200)
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  await page.setViewportSize(size)
  expect(overflow, `${where} scrolls sideways at 125% zoom`).toBeLessThanOrEqual(0)
}

/** In a browser: "Choose folder…" opens the host's folder browser; walk into `folder` and use it. */
export async function chooseInFolderBrowser(page: Page, folder: string): Promise<void> {
  await page.getByRole('button', { name: 'Choose folder…' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByRole('button', { name: folder }).click()
  await dialog.getByRole('button', { name: 'Use this folder' }).click()
}

/**
 * Steps 1 to 4: folder (chosen by `choose`), mapping, review, destination. Leaves the page on
 * "Destination and key" with the sandbox listed. `alreadyDelivered`: rows of the batch the
 * destination Review checks for (the last used) already has; Review counts them apart and
 * continues with the others (with none left, it says nothing is new and continues anyway).
 */
export async function throughReview(page: Page, choose: () => Promise<void>, batch: GeneratedBatch, shots: string | null, opts: { alreadyDelivered?: number } = {}): Promise<void> {
  await choose()
  await page.getByRole('button', { name: 'Preview CSV' }).and(page.locator(':enabled')).waitFor()
  if (shots) {
    await checkStep(page, 'add files', `${shots}-1-add-files`)
  }
  await page.getByRole('button', { name: 'Preview CSV' }).click()
  await page.getByRole('heading', { name: 'Preview and map' }).waitFor()
  if (shots) {
    await checkStep(page, 'preview and map', `${shots}-2-map`)
  }
  await page.getByRole('button', { name: 'Check the batch' }).click()
  await page.getByRole('heading', { name: 'Review' }).waitFor()
  // Review checks the batch again when an upload ended since (review-step.tsx), with a progress
  // bar: its numbers follow once that check is done. A loaded clean-clone run waited over the
  // 30 s a click waits for Continue there (destinations test, after its first upload): the
  // check gets its own, longer wait.
  await page.getByRole('status').filter({ hasText: /^Checking the batch for / }).waitFor({ state: 'detached', timeout: 120_000 })
  if (shots) {
    await checkStep(page, 'review', `${shots}-3-review`)
  }
  // The review counts exactly the rows the generator spoiled, and names each problem.
  const missing = batch.faultRows.missingRecording.length
  if (missing > 0) await page.getByRole('button', { name: `No recording · ${missing}` }).waitFor()
  const delivered = opts.alreadyDelivered ?? 0
  const going = batch.eligibleRows - delivered
  if (delivered > 0) await page.getByRole('group', { name: 'Already delivered' }).getByText(String(delivered), { exact: true }).waitFor()
  if (going === 0) {
    await page.getByText(/^Nothing new for /).waitFor()
    await page.getByRole('button', { name: 'Continue', exact: true }).click()
  } else await page.getByRole('button', { name: `Continue with ${going} ${going === 1 ? 'row' : 'rows'}` }).click()
  // A batch leaving out more than a tenth of its rows asks first (left-out-dialog.tsx).
  const leftOut = page.getByRole('dialog', { name: /^Leave out \d+% of the rows\?$/ })
  const destinationStep = page.getByRole('heading', { name: 'Destination and key' })
  await leftOut.or(destinationStep).first().waitFor()
  if (await leftOut.isVisible()) await leftOut.getByRole('button', { name: `Continue with ${going} rows` }).click()
  await destinationStep.waitFor()
  await page.getByRole('radio', { name: /Sandbox \(this computer\)/ }).waitFor()
}


/**
 * On "Destination and key": a key made in the app, its public half given to a fresh sshd serving
 * `remote` (as the user pastes it into the platform). The caller closes the server.
 */
export async function sshdForAppKey(page: Page, remote: string): Promise<SshdServer> {
  await page.getByRole('button', { name: 'New SSH key…' }).click()
  await page.getByRole('dialog', { name: 'SSH key' }).getByRole('button', { name: 'Generate key' }).click()
  const publicKey = (await page.getByText(/^ssh-ed25519 AAAA/).first().textContent())!.trim()
  await mkdir(remote)
  return startSshd({ root: remote, authorizedKeys: [publicKey] })
}
