/**
 * Destinations in Chromium through the web host, against OpenSSH's sshd (issue 10, defects 1,
 * 2 and 6): Add destination's Test logs in before anything is saved (a trusted server with the
 * wrong username is shown as refused, never as "Connected"); the saved destination uploads and
 * Done names it; the next batch starts with it preselected, not the sandbox; it can be edited,
 * and its removal asks first and can be undone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import { readdir } from 'node:fs/promises'
import type { Browser } from 'playwright-core'
import { hasSshd, skipWithReason } from '../helpers/system'
import type { SshdServer } from '../helpers/sshd'
import { generateBatch } from '../fixtures/generate-batch'
import { buildRenderer, CHROMIUM, launchChromium, startHost, tempDir, watchPage, type HostProcess } from './harness'
import { sshdForAppKey, chooseInFolderBrowser, expectAxeClean, ownReferences, throughReview } from './wizard-steps'

// Both are needed: the reason printed is the first one missing.
const ready = CHROMIUM.ok ? hasSshd() : CHROMIUM

describe.skipIf(skipWithReason(ready, 'destinations end-to-end (Chromium and OpenSSH sshd)'))('destinations end-to-end in Chromium against sshd', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let browser: Browser
  let host: HostProcess | null = null
  let sshd: SshdServer | null = null

  beforeAll(async () => {
    tmp = await tempDir('bu-e2e-dest-')
    let root: string
    ;[root, browser] = await Promise.all([buildRenderer(path.join(tmp.dir, 'renderer')), launchChromium()])
    host = await startHost({ root, home: path.join(tmp.dir, 'home'), env: { HOME: path.join(tmp.dir, 'files') } })
  })
  afterAll(async () => {
    await browser?.close()
    await host?.stop()
    await sshd?.close()
    await tmp?.cleanup()
  })

  it('tests before saving, uploads to it, preselects it next time, edits it, and undoes its removal', async () => {
    const files = path.join(tmp.dir, 'files')
    const batch = await generateBatch(path.join(files, 'april-calls'), { rows: 6 })
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const watch = watchPage(page)
    await page.goto(host!.url)
    await throughReview(page, () => chooseInFolderBrowser(page, 'april-calls'), batch, null)

    const remote = path.join(tmp.dir, 'server')
    sshd = await sshdForAppKey(page, remote)

    await page.getByRole('button', { name: 'Add destination…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add a destination' })
    await dialog.getByLabel('Name', { exact: false }).first().fill('Leeds team')
    await dialog.getByLabel(/Host name/).fill('127.0.0.1')
    await dialog.getByLabel(/^Port/).fill(String(sshd.port))
    await dialog.getByLabel(/Username/).fill('not-a-user')
    await dialog.getByRole('button', { name: 'Test connection' }).click()
    // First contact: the fingerprint is asked about; trusting it goes on to the login.
    const hostKey = page.getByRole('dialog', { name: 'Is this the right server?' })
    await hostKey.getByRole('button', { name: 'Trust this server' }).click()
    await dialog.getByText(/The server refused the key/).waitFor()
    expect(await dialog.getByText(/Logged in/).count()).toBe(0)
    await dialog.getByLabel(/Username/).fill(sshd.username)
    await dialog.getByRole('button', { name: 'Test connection' }).click()
    await dialog.getByText(`Logged in as ${sshd.username} on 127.0.0.1:${sshd.port}.`, { exact: false }).waitFor()
    await expectAxeClean(page, 'add destination, tested')
    await dialog.getByRole('button', { name: 'Save destination' }).click()
    await dialog.waitFor({ state: 'detached' })
    expect(await page.getByRole('radio', { name: /Leeds team/ }).isChecked()).toBe(true)

    await page.getByRole('button', { name: 'Start upload' }).click()
    await page.getByRole('heading', { name: 'Done' }).waitFor({ timeout: 60_000 })
    await page.getByText(/Leeds team/).first().waitFor()
    const onServer = await readdir(remote)
    expect(onServer.filter((n) => n.endsWith('.csv'))).toHaveLength(1)
    expect(onServer.length).toBe(batch.eligibleRows + 1)

    // The next batch starts with the destination last used, not the sandbox.
    const may = await generateBatch(path.join(files, 'may-calls'), { rows: 4 })
    // Conversations of its own: Review checks it for Leeds, which has april-calls' CR-000000x.
    await ownReferences(may, 'MAY')
    await page.getByRole('button', { name: 'Start another batch' }).click()
    await throughReview(page, () => chooseInFolderBrowser(page, 'may-calls'), may, null)
    await expect.poll(() => page.getByRole('radio', { name: /Leeds team/ }).isChecked()).toBe(true)

    // Edited in place: same destination, new name.
    await page.getByRole('button', { name: 'Edit destination Leeds team' }).click()
    const edit = page.getByRole('dialog', { name: /Edit destination/ })
    await edit.getByLabel('Name', { exact: false }).first().fill('Leeds QA')
    await edit.getByRole('button', { name: 'Save destination' }).click()
    await page.getByRole('radio', { name: /Leeds QA/ }).waitFor()

    // Removal asks, then offers Undo; Undo brings it back as it was.
    await page.getByRole('button', { name: 'Remove destination Leeds QA' }).click()
    await page.getByRole('dialog', { name: 'Remove this destination?' }).getByRole('button', { name: 'Remove destination' }).click()
    await page.getByText('Destination “Leeds QA” removed.').waitFor()
    expect(await page.getByRole('radio', { name: /Leeds QA/ }).count()).toBe(0)
    await page.getByRole('button', { name: 'Undo' }).click()
    await page.getByRole('radio', { name: /Leeds QA/ }).waitFor()
    expect(watch.errors).toEqual([])
    await page.close()
  })
})
