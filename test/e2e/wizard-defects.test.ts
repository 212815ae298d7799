/**
 * Issue 10's defects that only a browser shows, in Chromium through the web host:
 * 7. a binary file named .csv is refused with a sentence, never previewed as "Windows-1252 · 1 column";
 * 9. a folder dropped on the page explains why it cannot be read, and the folder browser does not
 *    open over that explanation (only when asked);
 * 10. when the link to the server drops mid-upload (a relay in front of sshd cuts every
 *    connection), the overall bar and its percentage never go back, and the batch still arrives
 *    whole (sha256 on the server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import type { Browser, Page } from 'playwright-core'
import { hasSshd, skipWithReason } from '../helpers/system'
import type { SshdServer } from '../helpers/sshd'
import { startCuttableRelay, type CuttableRelay } from '../helpers/cuttable-relay'
import { generateBatch } from '../fixtures/generate-batch'
import { wavBytes } from '../fixtures/audio-bytes'
import { buildRenderer, CHROMIUM, launchChromium, startHost, tempDir, watchPage, type HostProcess } from './harness'
import { sshdForAppKey, chooseInFolderBrowser, ownReferences, sha256, throughReview } from './wizard-steps'

/** Every value the overall bar and the headline percentage take, in order, recorded in the page. */
async function recordProgress(page: Page): Promise<() => Promise<{ bar: number[]; headline: number[] }>> {
  await page.evaluate(() => {
    const seen = { bar: [] as number[], headline: [] as number[] }
    ;(window as unknown as { __progress: typeof seen }).__progress = seen
    const sample = () => {
      const bar = document.querySelector('[aria-label="Overall progress"]')?.getAttribute('aria-valuenow')
      if (bar != null && Number(bar) !== seen.bar.at(-1)) seen.bar.push(Number(bar))
      for (const live of document.querySelectorAll('[aria-live="polite"]')) {
        const m = /^(\d+)% sent$/.exec(live.textContent ?? '')
        if (m && Number(m[1]) !== seen.headline.at(-1)) seen.headline.push(Number(m[1]))
      }
    }
    new MutationObserver(sample).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true })
  })
  return () => page.evaluate(() => (window as unknown as { __progress: { bar: number[]; headline: number[] } }).__progress)
}

const nonDecreasing = (values: number[]) => values.every((v, i) => i === 0 || v >= values[i - 1]!)

// Limits, not budgets: every step waits for a state of the page, and these only bound how long
// a busy machine (another `npm test` beside this one, on two cores) may take to reach it.
/** How long one step may wait for the page to reach its next state. */
const STEP_MS = 60_000
/** A whole test: the dropped link's upload sends 48 MiB through a relay and waits out a reconnect. */
const TEST_MS = 300_000

describe.skipIf(skipWithReason(CHROMIUM, 'wizard defects end-to-end (Chromium)'))('wizard defects in Chromium', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let files: string
  let browser: Browser
  let host: HostProcess
  let sshd: SshdServer | null = null
  let relay: CuttableRelay | null = null

  beforeAll(async () => {
    tmp = await tempDir('bu-e2e-defects-')
    files = path.join(tmp.dir, 'files')
    await mkdir(files)
    let root: string
    ;[root, browser] = await Promise.all([buildRenderer(path.join(tmp.dir, 'renderer')), launchChromium()])
    host = await startHost({ root, home: path.join(tmp.dir, 'home'), env: { HOME: files } })
  }, TEST_MS)
  afterAll(async () => {
    await browser?.close()
    await host?.stop()
    await relay?.close()
    await sshd?.close()
    await tmp?.cleanup()
  }, TEST_MS)

  async function newPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.setDefaultTimeout(STEP_MS)
    return page
  }

  it('7: a binary file named .csv is refused with what to do, not previewed as one column of gibberish', async () => {
    const folder = path.join(files, 'excel-export')
    await mkdir(path.join(folder, 'recordings'), { recursive: true })
    // An .xlsx renamed .csv: a zip archive.
    await writeFile(path.join(folder, 'calls.csv'), Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x06\x00', 'latin1'), randomBytes(4000)]))
    await writeFile(path.join(folder, 'recordings', 'call-1.wav'), wavBytes(4000))
    const page = await newPage()
    const watch = watchPage(page)
    await page.goto(host.url)
    await chooseInFolderBrowser(page, 'excel-export')
    await page.getByRole('button', { name: 'Preview CSV' }).and(page.locator(':enabled')).click()
    await page.getByText(/This file is not text, so it is not a CSV/).waitFor()
    expect(await page.getByText(/save it as CSV/).count()).toBeGreaterThan(0)
    expect(await page.getByRole('heading', { name: 'Preview and map' }).count()).toBe(0)
    expect(await page.getByText(/Windows-1252/).count()).toBe(0)
    expect(watch.errors).toEqual([])
    await page.close()
  }, TEST_MS)

  it('9: a dropped folder gets its explanation, and the folder browser opens only when asked', async () => {
    const page = await newPage()
    const watch = watchPage(page)
    await page.goto(host.url)
    const zone = page.getByRole('group', { name: 'Drop zone for a folder of recordings and its CSV' })
    await zone.waitFor()
    // What Chromium hands a page for a dropped folder: a File with its name and no path.
    await zone.evaluate((el) => {
      const data = new DataTransfer()
      data.items.add(new File([], 'march-calls'))
      for (const type of ['dragenter', 'dragover', 'drop']) el.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }))
    })
    await page.getByText('In the browser the app cannot see where dropped files are (“march-calls”). Choose the folder on this computer instead.').waitFor()
    expect(await page.getByRole('dialog').count()).toBe(0)
    // The explanation carries its own way on: choosing the folder in the host's folder browser.
    await page.getByRole('alert').getByRole('button', { name: 'Choose folder…' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Use this folder' }).waitFor()
    expect(watch.errors).toEqual([])
    await page.close()
  }, TEST_MS)

  it.skipIf(skipWithReason(hasSshd(), 'dropped link end-to-end (OpenSSH sshd)'))('10: a link that drops mid-upload never sends the bar back, and the batch arrives whole', async () => {
    const batch = await generateBatch(path.join(files, 'july-calls'), { rows: 24, recordingBytes: 2 * 1024 * 1024 })
    await ownReferences(batch, 'JUL')
    const page = await newPage()
    const watch = watchPage(page)
    await page.goto(host.url)
    await throughReview(page, () => chooseInFolderBrowser(page, 'july-calls'), batch, null)

    const remote = path.join(tmp.dir, 'server')
    sshd = await sshdForAppKey(page, remote)
    // The link drops once about a third of the recordings' bytes have gone through.
    relay = await startCuttableRelay(sshd.port, Math.round(batch.recordingBytesTotal / 3))

    await page.getByRole('button', { name: 'Add destination…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add a destination' })
    await dialog.getByLabel('Name', { exact: false }).first().fill('Office link')
    await dialog.getByLabel(/Host name/).fill('127.0.0.1')
    await dialog.getByLabel(/^Port/).fill(String(relay.port))
    await dialog.getByLabel(/Username/).fill(sshd.username)
    await dialog.getByRole('button', { name: 'Save destination' }).click()
    await dialog.waitFor({ state: 'detached' })

    const progress = await recordProgress(page)
    await page.getByRole('button', { name: 'Start upload' }).click()
    await page.getByRole('dialog', { name: 'Is this the right server?' }).getByRole('button', { name: 'Trust this server' }).click()
    await relay.cut
    // The state that ends the upload; the reconnect's backoff and 48 MiB on a loaded machine
    // may take minutes, so only the test's own limit bounds it.
    await page.getByRole('heading', { name: 'Done' }).waitFor({ timeout: TEST_MS })

    const seen = await progress()
    expect(relay.connections, 'the app reconnected after the cut').toBeGreaterThan(1)
    expect(seen.bar.length, 'the bar moved').toBeGreaterThan(1)
    expect(nonDecreasing(seen.bar), `bar: ${seen.bar.join(' → ')}`).toBe(true)
    expect(nonDecreasing(seen.headline), `headline: ${seen.headline.join(' → ')}`).toBe(true)

    const onServer = await readdir(remote)
    expect(onServer.filter((n) => n.endsWith('.csv'))).toHaveLength(1)
    const recordings = onServer.filter((n) => !n.endsWith('.csv'))
    expect(recordings).toHaveLength(batch.eligibleRows)
    for (const name of recordings) expect(await sha256(path.join(remote, name)), name).toBe(await sha256(path.join(batch.dir, 'recordings', name)))
    expect(watch.errors, host.output()).toEqual([])
    await page.close()
  }, TEST_MS)
})
