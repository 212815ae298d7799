/**
 * Issue 11's desktop parts in Chromium through the web host, as a QA manager meets them:
 * Settings takes an upload speed limit and a proxy (refusing what the CLI would refuse, the
 * reason under the field) and keeps them; a finished batch is saved with "Do this
 * automatically" under a name the user edits, and the dialog shows how to schedule it; the
 * command line sees the same job (`job list`, `job run`), the Saved jobs dialog shows its last
 * run, and removing it asks first. Each dialog gets axe and a screenshot, light and dark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import { readFile, stat } from 'node:fs/promises'
import type { Browser } from 'playwright-core'
import { skipWithReason } from '../helpers/system'
import { generateBatch } from '../fixtures/generate-batch'
import { startProxy, type TestProxy } from '../helpers/proxy-server'
import { runCli } from '../integration/upload/cli'
import { setFileTimes } from '../integration/unattended/file-times'
import { buildRenderer, CHROMIUM, launchChromium, screenshot, startHost, tempDir, watchPage, type HostProcess } from './harness'
import { checkStep, ownReferences, throughReview } from './wizard-steps'

describe.skipIf(skipWithReason(CHROMIUM, 'unattended settings and jobs (Chromium)'))('settings, "Do this automatically" and saved jobs in Chromium', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let root: string
  let browser: Browser
  let host: HostProcess | null = null
  let proxy: TestProxy | null = null

  beforeAll(async () => {
    tmp = await tempDir('bu-e2e-unattended-')
    ;[root, browser] = await Promise.all([buildRenderer(path.join(tmp.dir, 'renderer')), launchChromium()])
    proxy = await startProxy({ kind: 'socks5' })
  })
  afterAll(async () => {
    await browser?.close()
    await host?.stop()
    await proxy?.close()
    await tmp?.cleanup()
  })

  it('sets a speed limit and a proxy, saves a finished batch as a job, shows its schedule and last run, and removes it', async () => {
    const files = path.join(tmp.dir, 'files')
    const home = path.join(tmp.dir, 'home')
    const batch = await generateBatch(path.join(files, 'exports', 'day-1'), { rows: 12 })
    await ownReferences(batch, 'AUTO')
    host = await startHost({ root, home, env: { HOME: files, ALL_PROXY: '', HTTPS_PROXY: '' } })
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const watch = watchPage(page)
    await page.goto(host.url)

    // Settings: what the CLI refuses is refused, with the reason under the field.
    await page.getByRole('button', { name: 'Settings' }).click()
    const settings = page.getByRole('dialog', { name: 'Settings' })
    const limit = settings.getByRole('textbox', { name: 'Upload speed limit' })
    await limit.fill('08:00,1M 18:00,slow')
    await settings.getByRole('button', { name: 'Save' }).click()
    await settings.getByText('Expected `settings.bandwidthLimit` to be a rate such as 2M or 500K, or a timetable such as "08:00,1M 18:00,off", got `08:00,1M 18:00,slow`: K, M and G are KiB, MiB and GiB per second (500K, 2M, 1.5M); off means no limit.').waitFor()
    await limit.fill('08:00,1M 18:00,off')
    await settings.getByRole('radio', { name: 'Through this proxy' }).check()
    const address = settings.getByRole('textbox', { name: 'Proxy address' })
    await address.fill('ftp://proxy.example.com:21')
    await settings.getByRole('button', { name: 'Save' }).click()
    await settings.getByText(/^Expected `settings.proxyUrl` to be socks5:\/\//).waitFor()
    await address.fill(proxy!.url)
    await checkStep(page, 'settings dialog', 'e2e-unattended-1-settings')
    await settings.getByRole('button', { name: 'Save' }).click()
    await settings.waitFor({ state: 'hidden' })
    // Kept: the dialog opens again with them.
    await page.getByRole('button', { name: 'Settings' }).click()
    await expect.poll(() => limit.inputValue()).toBe('08:00,1M 18:00,off')
    expect(await settings.getByRole('radio', { name: 'Through this proxy' }).isChecked()).toBe(true)
    expect(await address.inputValue()).toBe(proxy!.url)
    await settings.getByRole('button', { name: 'Cancel' }).click()

    // A batch to the sandbox, to the end.
    await throughReview(page, async () => {
      await page.getByRole('button', { name: 'Choose folder…' }).click()
      const dialog = page.getByRole('dialog')
      await dialog.getByRole('button', { name: 'exports' }).click()
      await dialog.getByRole('button', { name: 'day-1' }).click()
      await dialog.getByRole('button', { name: 'Use this folder' }).click()
    }, batch, null)
    await page.getByRole('button', { name: 'Start upload' }).click()
    const hostKey = page.getByRole('dialog', { name: 'Is this the right server?' })
    await hostKey.getByRole('button', { name: 'Trust this server' }).click()
    await page.getByRole('heading', { name: 'Done' }).waitFor({ timeout: 30_000 })

    // "Do this automatically": the name is the user's, the folder the one exports land in.
    await page.getByRole('button', { name: 'Do this automatically…' }).click()
    const automate = page.getByRole('dialog', { name: 'Do this automatically' })
    const name = automate.getByRole('textbox', { name: 'Job name' })
    expect(await name.inputValue()).toBe('day-1-nightly')
    await name.fill('bad name')
    await automate.getByText(/^Use letters, digits, dot, dash or underscore/).waitFor()
    expect(await automate.getByRole('button', { name: 'Save job' }).isDisabled()).toBe(true)
    await name.fill('nightly-calls')
    const folder = automate.getByRole('textbox', { name: 'Folder to send from' })
    expect(await folder.inputValue()).toBe(batch.dir)
    await folder.fill(path.join(files, 'exports'))
    await checkStep(page, 'do this automatically', 'e2e-unattended-2-automate')
    await automate.getByRole('button', { name: 'Save job' }).click()
    const savedDialog = page.getByRole('dialog', { name: 'Saved job nightly-calls' })
    const schedule = savedDialog.getByLabel('Schedule for nightly-calls')
    await schedule.waitFor().catch(async (err: unknown) => {
      await screenshot(page, 'e2e-unattended-FAILED')
      throw err
    })
    expect(await schedule.textContent()).toContain('job run nightly-calls')
    expect(await schedule.textContent()).toContain(`BULK_UPLOAD_HOME=${home}`)
    await checkStep(page, 'job saved with its schedule', 'e2e-unattended-3-scheduled')
    await savedDialog.getByRole('button', { name: 'Close' }).click()

    // The command line sees the same job, with the settings the app had, and runs it.
    const env = { BULK_UPLOAD_HOME: home, ALL_PROXY: '', HTTPS_PROXY: '' }
    const listed = await runCli(['job', 'list', '--json'], env)
    expect(JSON.parse(listed.stdout)).toMatchObject([{ name: 'nightly-calls', root: path.join(files, 'exports'), lastRun: null }])
    const job = JSON.parse(await readFile(path.join(home, 'jobs', 'nightly-calls.json'), 'utf8')) as { options: Record<string, unknown> }
    expect(job.options).toMatchObject({ bwlimit: '08:00,1M 18:00,off', key: 'default', user: 'sandbox', proxy: false })
    // The export was written moments ago: as a scheduler's run would next night, the job
    // takes it once settled (--settle 60), so its files are dated two minutes back.
    await setFileTimes(path.join(files, 'exports'), 120)
    const ran = await runCli(['job', 'run', 'nightly-calls'], env)
    expect(ran.code, ran.stdout + ran.stderr).toBe(0)
    expect(ran.stdout).toMatch(/Nothing new in .*day-1: all 12 rows were delivered earlier/)

    // Saved jobs, from the app bar: the last run, the schedule, and removal after a confirmation.
    await page.getByRole('button', { name: 'Saved jobs' }).click()
    const jobs = page.getByRole('dialog', { name: 'Saved jobs' })
    const item = jobs.getByRole('listitem', { name: 'nightly-calls' })
    await item.getByText(/^Last run .*: all delivered, 1 folder, 0 rows uploaded\.$/).waitFor()
    await item.getByRole('button', { name: 'How to schedule' }).click()
    await item.getByLabel('Schedule for nightly-calls').waitFor()
    await checkStep(page, 'saved jobs', 'e2e-unattended-4-jobs')
    await item.getByRole('button', { name: 'Remove nightly-calls…' }).click()
    const confirm = page.getByRole('dialog', { name: 'Remove the job nightly-calls?' })
    await confirm.getByRole('button', { name: 'Keep it' }).click()
    expect(await stat(path.join(home, 'jobs', 'nightly-calls.json')).then(() => true)).toBe(true)
    await item.getByRole('button', { name: 'Remove nightly-calls…' }).click()
    await confirm.getByRole('button', { name: 'Remove job' }).click()
    await jobs.getByText(/^No saved jobs\./).waitFor()
    expect(await stat(path.join(home, 'jobs', 'nightly-calls.json')).then(() => true, () => false)).toBe(false)
    expect(watch.errors, host.output()).toEqual([])
    await page.close()
  })
})
