/**
 * The whole wizard in Chromium through the web host, as a QA manager would go: choose the
 * folder (the host's folder browser), see the CSV and the suggested mapping, review the
 * flagged rows, pick the built-in sandbox, confirm its host key, upload, watch the files go,
 * finish; then the files on the server are checked byte for byte (sha256). Then an upload is
 * paused, found again by a reloaded tab, interrupted by killing the host mid-way, the host is
 * started again, and the app offers the batch for resume and finishes it without sending
 * anything twice.
 *
 * Every step gets an axe check and a screenshot in light and dark (build/e2e-screenshots, or
 * docs/screenshots with SCREENSHOTS=docs), and must fit the window at 125% zoom.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import { readdir, readFile, rm } from 'node:fs/promises'
import type { Browser, Page } from 'playwright-core'
import Papa from 'papaparse'
import { skipWithReason } from '../helpers/system'
import { generateBatch, type GeneratedBatch } from '../fixtures/generate-batch'
import { buildRenderer, CHROMIUM, launchChromium, screenshot, startHost, tempDir, watchPage, type HostProcess } from './harness'
import { checkStep, chooseInFolderBrowser, ownReferences, serverFiles, sha256, throughReview } from './wizard-steps'

/** Records of a CSV the app wrote (RFC 4180, CRLF). */
function parseCsv(text: string): string[][] {
  return Papa.parse<string[]>(text.trim(), { delimiter: ',' }).data
}

/**
 * Review of an export every row of which already reached the destination: counted as
 * delivered, none to upload, no audio to send, and no red "fix the CSV or the folder".
 */
async function expectReviewOfDelivered(page: Page, rows: number): Promise<void> {
  await page.getByRole('heading', { name: 'Review' }).waitFor()
  await page.getByText('Nothing new for Sandbox (this computer)').waitFor()
  expect(await page.getByRole('group', { name: 'Already delivered' }).textContent()).toContain(`${rows}rows · left out`)
  expect(await page.getByRole('group', { name: 'Will be uploaded' }).textContent()).toBe('Will be uploaded0rows · 0 bytes of recordings')
  expect(await page.getByRole('group', { name: 'Audio to send' }).count()).toBe(0)
  expect(await page.getByText(/fix the CSV or the folder|No row can be uploaded yet/).count()).toBe(0)
  expect(await page.getByRole('button', { name: 'Continue', exact: true }).isEnabled()).toBe(true)
}

describe.skipIf(skipWithReason(CHROMIUM, 'wizard end-to-end (Chromium)'))('wizard end-to-end in Chromium', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let root: string
  let home: string
  let files: string
  let browser: Browser
  let host: HostProcess | null = null

  beforeAll(async () => {
    tmp = await tempDir('bu-e2e-wizard-')
    files = path.join(tmp.dir, 'files')
    home = path.join(tmp.dir, 'home')
    ;[root, browser] = await Promise.all([buildRenderer(path.join(tmp.dir, 'renderer')), launchChromium()])
  })
  afterAll(async () => {
    await browser?.close()
    await host?.stop()
    await tmp?.cleanup()
  })

  const start = async () => {
    host = await startHost({ root, home, env: { HOME: files } })
    return host
  }

  it('maps, reviews, trusts the sandbox, uploads and finishes; the files arrive intact', async () => {
    const batch: GeneratedBatch = await generateBatch(path.join(files, 'march-calls'), { rows: 40, faults: { missingRecording: 2, invalidDate: 1, orphanRecording: 1 } })
    const h = await start()
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const watch = watchPage(page)
    await page.goto(h.url)
    await throughReview(page, () => chooseInFolderBrowser(page, 'march-calls'), batch, 'e2e-wizard')

    // A key for the platform, generated in the app: its public half is shown to copy.
    await page.getByRole('button', { name: 'New SSH key…' }).click()
    const keyDialog = page.getByRole('dialog', { name: 'SSH key' })
    await keyDialog.getByRole('textbox', { name: 'Key name' }).fill('platform')
    await checkStep(page, 'new key dialog', 'e2e-wizard-4a-new-key')
    await keyDialog.getByRole('button', { name: /^Generate/ }).click()
    const card = page.getByRole('group', { name: 'Public key platform' })
    await card.waitFor()
    expect(await card.getByLabel('Public key text').textContent()).toMatch(/^ssh-ed25519 AAAA/)
    await checkStep(page, 'destination and key', 'e2e-wizard-4-destination')
    await page.getByRole('button', { name: 'Start upload' }).click()
    const hostKey = page.getByRole('dialog', { name: 'Is this the right server?' })
    await hostKey.waitFor()
    await expect.poll(() => hostKey.getByText(/SHA256:/).count()).toBeGreaterThan(0)
    await checkStep(page, 'host key dialog', 'e2e-wizard-4b-host-key')
    await hostKey.getByRole('button', { name: 'Trust this server' }).click()

    await page.getByRole('heading', { name: /^(Upload|Done)$/ }).waitFor()
    await page.getByRole('heading', { name: 'Done' }).waitFor({ timeout: 20_000 }).catch(async (err: unknown) => {
      await screenshot(page, 'e2e-wizard-FAILED')
      throw err
    })
    await checkStep(page, 'done', 'e2e-wizard-6-done')
    expect(watch.errors, h.output()).toEqual([])

    // "Open report" in a browser hands the report over as a download: the page cannot open the host's files.
    const [report] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Open report (CSV)' }).click()])
    expect(report.suggestedFilename()).toMatch(/^report-\d{8}T\d{6}Z\.csv$/)
    const reportRows = parseCsv(await readFile((await report.path())!, 'utf8'))
    expect(reportRows[0]).toEqual(['row', 'contactReference', 'recording', 'status', 'code'])
    expect(reportRows.filter((r) => r[3] === 'uploaded')).toHaveLength(batch.eligibleRows)
    expect(await page.getByText(/browser cannot open/).count()).toBe(0)

    // On the server: the CSV (written by the app) and every recording an eligible row names, intact.
    const onServer = await serverFiles(home)
    const csvs = onServer.filter((n) => n.endsWith('.csv'))
    expect(csvs).toHaveLength(1)
    const recordings = onServer.filter((n) => !n.endsWith('.csv'))
    expect(recordings.length).toBe(batch.eligibleRows)
    for (const name of recordings) {
      expect(await sha256(path.join(home, 'sandbox-server', name)), name).toBe(await sha256(path.join(batch.dir, 'recordings', name)))
    }
    const csv = await readFile(path.join(home, 'sandbox-server', csvs[0]!), 'utf8')
    expect(csv.split('\r\n')[0]).toBe(batch.headers.join(','))

    // The delivery history, from Done, lists this batch: its CSV and the rows it carried.
    await page.getByRole('main').getByRole('button', { name: 'Delivery history' }).click()
    const history = page.getByRole('dialog', { name: 'Delivery history' })
    const delivered = history.getByRole('row').filter({ hasText: csvs[0]! })
    await delivered.waitFor()
    expect(await delivered.getByRole('cell').nth(3).textContent()).toBe(String(batch.eligibleRows))
    await checkStep(page, 'delivery history', 'e2e-wizard-7-history')
    await history.getByRole('button', { name: 'Close' }).click()

    // The same export again (issue 22, item 3): Review, checked for the destination last used,
    // already counts every row as delivered there, with nothing to send and nothing wrong;
    // Start upload then sends nothing and Done shows the earlier delivery.
    await page.getByRole('button', { name: 'Start another batch' }).click()
    await throughReview(page, () => chooseInFolderBrowser(page, 'march-calls'), batch, null, { alreadyDelivered: batch.eligibleRows })
    await page.getByRole('button', { name: 'Back to review' }).click()
    await expectReviewOfDelivered(page, batch.eligibleRows)
    await checkStep(page, 'review of a delivered export', 'e2e-wizard-3b-review-delivered')
    await page.getByRole('button', { name: 'Continue', exact: true }).click()
    await page.getByRole('button', { name: 'Start upload' }).click()
    await page.getByText(/^Nothing was sent: every row of this batch had already reached Sandbox/).waitFor({ timeout: 20_000 })
    await page.getByText(`in the CSV ${csvs[0]!}`).waitFor()
    await checkStep(page, 'nothing new', 'e2e-wizard-6b-nothing-new')
    expect((await serverFiles(home)).filter((n) => n.endsWith('.csv'))).toEqual(csvs)
    // Back to Review agrees with that run: nothing to send, and nothing to fix.
    await page.getByRole('button', { name: 'Back to review' }).click()
    await expectReviewOfDelivered(page, batch.eligibleRows)
    expect(watch.errors, h.output()).toEqual([])
    await page.close()
    await h.stop()
    host = null
  })

  it('an export overlapping one already sent: the check before sending names the delivered rows, and only the new ones go', async () => {
    // The first test delivered march-calls (references CR-0000001 to CR-0000040, 37 of them
    // eligible). This later export holds those and 10 more, with no spoiled rows.
    const batch = await generateBatch(path.join(files, 'march-late'), { rows: 50 })
    const earlier = (await serverFiles(home)).filter((n) => n.endsWith('.csv'))
    const delivered = new Set<string>()
    for (const name of earlier) for (const row of parseCsv(await readFile(path.join(home, 'sandbox-server', name), 'utf8')).slice(1)) delivered.add(row[0]!)
    const h = await start()
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const watch = watchPage(page)
    await page.goto(h.url)
    await throughReview(page, () => chooseInFolderBrowser(page, 'march-late'), batch, null, { alreadyDelivered: delivered.size })
    await page.getByRole('button', { name: 'Start upload' }).click()
    const dialog = page.getByRole('dialog', { name: /^Before sending to Sandbox/ })
    await dialog.waitFor()
    await dialog.getByText(new RegExp(`^${delivered.size} rows were already delivered`)).waitFor()
    await checkStep(page, 'check before sending', 'e2e-wizard-4d-send-check')
    await dialog.getByRole('button', { name: `Send ${50 - delivered.size} rows` }).click()
    await page.getByRole('heading', { name: 'Done' }).waitFor({ timeout: 30_000 })
    const added = (await serverFiles(home)).filter((n) => n.endsWith('.csv') && !earlier.includes(n))
    expect(added).toHaveLength(1)
    const sent = parseCsv(await readFile(path.join(home, 'sandbox-server', added[0]!), 'utf8')).slice(1).map((r) => r[0]!)
    expect(sent).toHaveLength(50 - delivered.size)
    expect(sent.filter((ref) => delivered.has(ref))).toEqual([])
    expect(watch.errors, h.output()).toEqual([])
    await page.close()
    await h.stop()
    host = null
  })

  it('cancelled mid-upload: says how many recordings are on the server, sends no CSV, and "Upload again to finish" completes it once', async () => {
    // Recordings of a size no other test uses: the generator names every batch's files alike,
    // and files already on the server (same name and size, same bytes) are rightly skipped.
    const batch = await generateBatch(path.join(files, 'june-calls'), { rows: 40, recordingBytes: 3 * 1024 * 1024 })
    await ownReferences(batch, 'JUN')
    const before = new Set(await serverFiles(home))
    const h = await start()
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const watch = watchPage(page)
    await page.goto(h.url)
    await throughReview(page, () => chooseInFolderBrowser(page, 'june-calls'), batch, null)
    await page.getByRole('button', { name: 'Start upload' }).click()
    await page.getByText('Uploading', { exact: true }).first().waitFor()
    // Paused first, so the cancel lands mid-batch however fast the sandbox is.
    await page.getByRole('button', { name: 'Pause' }).click()
    await page.getByRole('button', { name: 'Resume' }).waitFor()
    await page.getByRole('button', { name: 'Cancel upload' }).click()
    await page.getByRole('dialog', { name: 'Cancel this upload?' }).getByRole('button', { name: 'Cancel upload' }).click()
    const said = page.getByText(/Cancelled: \d+ of 40 recordings are on the server\. The CSV was not sent/)
    await said.waitFor({ timeout: 30_000 }).catch(async (err: unknown) => {
      await screenshot(page, 'e2e-wizard-FAILED-cancel')
      throw err
    })
    expect(await page.getByText(/Upload complete|Finished/).count()).toBe(0)
    expect((await serverFiles(home)).filter((n) => !before.has(n) && (n.endsWith('.csv') || n.endsWith('.part')))).toEqual([])

    await page.getByRole('button', { name: 'Upload again to finish' }).click()
    await page.getByRole('heading', { name: 'Done' }).waitFor({ timeout: 60_000 })
    const added = (await serverFiles(home)).filter((n) => !before.has(n))
    expect(added.filter((n) => n.endsWith('.csv'))).toHaveLength(1)
    for (const name of added.filter((n) => n.endsWith('.wav') || n.endsWith('.mp3'))) {
      expect(await sha256(path.join(home, 'sandbox-server', name)), name).toBe(await sha256(path.join(batch.dir, 'recordings', name)))
    }
    expect(watch.errors, h.output()).toEqual([])
    await page.close()
    await h.stop()
    host = null
  })

  it('offers an upload interrupted by a host crash for resume, and finishes it without sending anything twice', async () => {
    // Big enough that the upload is still running when it is paused and the host is killed.
    const batch = await generateBatch(path.join(files, 'april-calls'), { rows: 60, recordingBytes: 2 * 1024 * 1024 })
    await ownReferences(batch, 'APR')
    const before = new Set(await serverFiles(home))
    let h = await start()
    let page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(h.url)
    // An earlier test's batch may be offered for resume; this test is about another one.
    await page.getByRole('dialog', { name: /did not finish/ }).getByRole('button', { name: 'Decide later' }).click({ timeout: 3_000 }).catch(() => undefined)
    await throughReview(page, () => chooseInFolderBrowser(page, 'april-calls'), batch, null)
    await page.getByRole('button', { name: 'Start upload' }).click()
    await page.getByRole('heading', { name: 'Upload' }).waitFor()
    // Each file has its own row with its state while it goes.
    await page.getByText('Uploading', { exact: true }).first().waitFor()
    await page.getByRole('button', { name: 'Pause' }).click()
    await page.getByRole('button', { name: 'Resume' }).waitFor()
    await screenshot(page, 'e2e-wizard-5-upload-paused')
    // A reloaded tab finds the running upload again, as it was (paused, with what was sent).
    await page.reload()
    await page.getByRole('dialog', { name: 'An upload did not finish' }).getByRole('button', { name: 'Resume' }).click()
    await page.getByRole('heading', { name: 'Upload' }).waitFor()
    await page.getByText('Paused', { exact: true }).waitFor()
    expect(await page.getByText(/of 60$/).first().textContent()).toMatch(/^\d+ of 60$/)
    await h.kill() // a crash: no clean shutdown, the journal is all that is left
    await page.close()

    h = await start()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const watch = watchPage(page)
    await page.goto(h.url)
    const offer = page.getByRole('dialog', { name: 'An upload did not finish' })
    await offer.waitFor()
    await checkStep(page, 'interrupted upload dialog', 'e2e-wizard-0-resume-offer')
    await offer.getByRole('button', { name: 'Resume' }).click()
    await page.getByRole('heading', { name: 'Done' }).waitFor({ timeout: 90_000 })
    expect(watch.errors, h.output()).toEqual([])

    // Exactly one new CSV (each batch has its own name), and every recording intact on the server.
    const added = (await serverFiles(home)).filter((n) => !before.has(n))
    expect(added.filter((n) => n.endsWith('.csv'))).toHaveLength(1)
    const recordings = (await readdir(path.join(batch.dir, 'recordings'), { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name)
    expect(recordings).toHaveLength(batch.eligibleRows)
    for (const name of recordings) {
      expect(await sha256(path.join(home, 'sandbox-server', name)), name).toBe(await sha256(path.join(batch.dir, 'recordings', name)))
    }
    // Nothing twice: what the crashed run sent counts as sent earlier by this batch, the rest
    // was uploaded once. Each run keeps its report; the newest is the resumed run's.
    const batches = await readdir(path.join(home, 'batches'))
    const newestReport = async (b: string) => {
      const names = (await readdir(path.join(home, 'batches', b))).filter((n) => /^report-.*\.json$/.test(n)).sort()
      return names.length ? path.join(home, 'batches', b, names[names.length - 1]!) : null
    }
    const reports = (await Promise.all(batches.map(newestReport))).filter((f): f is string => f !== null)
    const summaries = await Promise.all(reports.map(async (f) => JSON.parse(await readFile(f, 'utf8')).summary as { uploaded: number; sentEarlier?: number; skipped: number; failed: number; csv: string }))
    const resumed = summaries.find((x) => added.includes(x.csv))!
    expect(resumed.failed).toBe(0)
    expect(resumed.sentEarlier ?? 0).toBeGreaterThan(0)
    expect(resumed.skipped).toBe(0)
    expect(resumed.uploaded + (resumed.sentEarlier ?? 0)).toBe(batch.eligibleRows)
    await page.close()
  })

  it('stops with a clear explanation when the server identity changed, and sends nothing', async () => {
    // The sandbox makes a new host key when its key file is gone: to the app, a different server.
    await host?.stop()
    host = null
    await rm(path.join(home, 'sandbox-host-key'))
    const batch = await generateBatch(path.join(files, 'may-calls'), { rows: 5 })
    await ownReferences(batch, 'MAY')
    const before = await serverFiles(home)
    const h = await start()
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(h.url)
    // An earlier batch may be offered for resume; this test is about another one.
    await page.getByRole('dialog', { name: /did not finish/ }).getByRole('button', { name: 'Decide later' }).click({ timeout: 3_000 }).catch(() => undefined)
    await throughReview(page, () => chooseInFolderBrowser(page, 'may-calls'), batch, null)
    await page.getByRole('button', { name: 'Test connection' }).click()
    const stop = page.getByRole('alert').filter({ hasText: 'Stopped: the server’s identity has changed' })
    await stop.waitFor()
    expect(await stop.textContent()).toMatch(/Nothing was sent/)
    expect(await page.getByRole('button', { name: 'Start upload' }).isDisabled()).toBe(true)
    await checkStep(page, 'host key changed', 'e2e-wizard-4c-host-key-changed')
    expect(await serverFiles(home)).toEqual(before)
    await page.close()
  })

  it('hands the mapping and the problem list to the browser as downloads, and loads a mapping from a file the user picks', async () => {
    const batch = await generateBatch(path.join(files, 'july-calls'), { rows: 12, faults: { missingRecording: 3 } })
    if (!host) await start()
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const watch = watchPage(page)
    await page.goto(host!.url)
    await page.getByRole('dialog', { name: /did not finish/ }).getByRole('button', { name: 'Decide later' }).click({ timeout: 3_000 }).catch(() => undefined)
    await chooseInFolderBrowser(page, 'july-calls')
    await page.getByRole('button', { name: 'Preview CSV' }).and(page.locator(':enabled')).click()
    await page.getByRole('heading', { name: 'Preview and map' }).waitFor()

    const [saved] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save mapping…' }).click()])
    expect(saved.suggestedFilename()).toBe('mapping.json')
    const mappingFile = (await saved.path())!
    expect(JSON.parse(await readFile(mappingFile, 'utf8'))).toMatchObject({ contactReference: batch.mapping.contactReference, agentId: batch.mapping.agentId })
    await page.getByText('The mapping was downloaded as mapping.json').waitFor()

    // Loading it back: the page reads the picked file; the host never reads a path for it.
    await page.getByLabel('Mapping file to load').setInputFiles(mappingFile)
    await page.getByText(/Loaded the mapping from .*\. This CSV fits it\./).waitFor()

    await page.getByRole('button', { name: 'Check the batch' }).click()
    await page.getByRole('heading', { name: 'Review' }).waitFor()
    const [problems] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export problems as CSV…' }).click()])
    expect(problems.suggestedFilename()).toBe(`${path.basename(batch.csvPath, '.csv')}-problems.csv`)
    const rows = parseCsv(await readFile((await problems.path())!, 'utf8'))
    expect(rows[0]).toEqual(['row', 'contact reference', 'agent', 'contact date', 'file', 'code', 'severity', 'message'])
    const missing = rows.filter((r) => r[5] === 'MISSING_RECORDING')
    expect(missing.map((r) => Number(r[0]))).toEqual(batch.faultRows.missingRecording)
    // Each line says which conversation it is about, and the file the row expects.
    for (const r of missing) {
      expect(r[1]).toMatch(/^CR-/)
      expect(r[2]).toContain('@')
      expect(r[4]).not.toBe('')
    }
    // Nothing was written into the batch folder: the next scan still finds one CSV.
    expect((await readdir(batch.dir)).filter((n) => n.endsWith('.csv'))).toEqual([path.basename(batch.csvPath)])
    expect(watch.errors, host!.output()).toEqual([])
    await page.close()
  })
})
