/**
 * Known agents in Chromium through the web host, against OpenSSH's sshd (issue 12): a
 * destination added in the app; its agent list imported in Settings → Known agents from the
 * platform's user export (Windows-1252, semicolons, accented headers), picked with the web
 * host's folder browser, its column chosen; the batch checked for the destination then names
 * the agents off the list on Review with their row counts and a list to copy. With the strict
 * switch on, the same batch leaves those agents' rows out, and the CSV on the server holds only
 * the others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import Papa from 'papaparse'
import type { Browser, Page } from 'playwright-core'
import { hasSshd, skipWithReason } from '../helpers/system'
import type { SshdServer } from '../helpers/sshd'
import { generateBatch, type GeneratedBatch } from '../fixtures/generate-batch'
import { buildRenderer, CHROMIUM, launchChromium, startHost, tempDir, watchPage, type HostProcess } from './harness'
import { chooseInFolderBrowser, expectAxeClean, sshdForAppKey, throughReview } from './wizard-steps'

const ready = CHROMIUM.ok ? hasSshd() : CHROMIUM

// The platform knows agents 1 to 3; the batch also names 4 and 5 (a row each) and 6 (three rows).
const EXPORT = 'Nom;Adresse électronique;Équipe\r\nJosé Núñez;agent1@example.com;Ventes\r\nZoë Müller;AGENT2@example.com;Support\r\nBjörn Ås;agent3@example.com;Support\r\n'
const STRICT = 'Treat agents not on the list as errors (leave their rows out)'

/** Settings → Known agents of the destination: the dialog, open. The caller closes both. */
async function openKnownAgents(page: Page, destination: string) {
  await page.getByRole('button', { name: 'Settings' }).click()
  await page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: `Known agents of ${destination}` }).click()
  return page.getByRole('dialog', { name: `Known agents of ${destination}` })
}

async function closeKnownAgents(page: Page, destination: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: `Known agents of ${destination}` })
  await dialog.getByRole('button', { name: 'Close' }).click()
  await dialog.waitFor({ state: 'detached' })
  await page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Cancel' }).click()
  await page.getByRole('dialog', { name: 'Settings' }).waitFor({ state: 'detached' })
}

describe.skipIf(skipWithReason(ready, 'known agents end-to-end (Chromium and OpenSSH sshd)'))('known agents end-to-end in Chromium against sshd', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let browser: Browser
  let host: HostProcess | null = null
  let sshd: SshdServer | null = null
  let batch: GeneratedBatch

  beforeAll(async () => {
    tmp = await tempDir('bu-e2e-agents-')
    const files = path.join(tmp.dir, 'files')
    batch = await generateBatch(path.join(files, 'may-calls'), { rows: 8 })
    const csv = await readFile(batch.csvPath, 'utf8')
    await writeFile(batch.csvPath, csv.replace(/agent[78]@example\.com/g, 'agent6@example.com'))
    await mkdir(path.join(files, 'platform-users'))
    await writeFile(path.join(files, 'platform-users', 'utilisateurs.csv'), Buffer.from(EXPORT, 'latin1'))
    let root: string
    ;[root, browser] = await Promise.all([buildRenderer(path.join(tmp.dir, 'renderer')), launchChromium()])
    host = await startHost({ root, home: path.join(tmp.dir, 'home'), env: { HOME: files } })
  })
  afterAll(async () => {
    await browser?.close()
    await host?.stop()
    await sshd?.close()
    await tmp?.cleanup()
  })

  it('imports the list, names the unknown agents on Review, and leaves their rows out once strict', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(host!.url).origin })
    const page = await context.newPage()
    const watch = watchPage(page)
    await page.goto(host!.url)
    await throughReview(page, () => chooseInFolderBrowser(page, 'may-calls'), batch, null)

    // A destination added and tested in the app, on a real sshd trusting the app's key.
    const remote = path.join(tmp.dir, 'server')
    sshd = await sshdForAppKey(page, remote)
    await page.getByRole('button', { name: 'Add destination…' }).click()
    const add = page.getByRole('dialog', { name: 'Add a destination' })
    await add.getByLabel('Name', { exact: false }).first().fill('Leeds team')
    await add.getByLabel(/Host name/).fill('127.0.0.1')
    await add.getByLabel(/^Port/).fill(String(sshd.port))
    await add.getByLabel(/Username/).fill(sshd.username)
    await add.getByRole('button', { name: 'Test connection' }).click()
    await page.getByRole('dialog', { name: 'Is this the right server?' }).getByRole('button', { name: 'Trust this server' }).click()
    await add.getByText(`Logged in as ${sshd.username}`, { exact: false }).waitFor()
    await add.getByRole('button', { name: 'Save destination' }).click()
    await add.waitFor({ state: 'detached' })

    // Its agent list, from the platform's user export, through the host's folder browser.
    const agents = await openKnownAgents(page, 'Leeds team')
    await agents.getByRole('status').filter({ hasText: 'No list imported · 0 agents confirmed' }).waitFor()
    expect(await agents.getByRole('switch', { name: STRICT }).isDisabled()).toBe(true)
    await agents.getByRole('button', { name: 'Import from a CSV…' }).click()
    const browse = page.getByRole('dialog', { name: 'Choose the folder of the agent list' })
    await browse.getByRole('button', { name: 'platform-users' }).click()
    await browse.getByRole('button', { name: 'Use this folder' }).click()
    await agents.getByRole('combobox', { name: 'Column with the agent IDs' }).click()
    // The headers decoded from Windows-1252 and split on semicolons.
    expect(await page.getByRole('option').allTextContents()).toEqual(['Nom', 'Adresse électronique', 'Équipe'])
    await page.getByRole('option', { name: 'Adresse électronique' }).click()
    await agents.getByRole('button', { name: 'Import', exact: true }).click()
    await agents.getByRole('status').filter({ hasText: '3 agents on the list · 0 agents confirmed' }).waitFor()
    expect(await agents.getByRole('list', { name: 'Agents on the list' }).getByRole('listitem').allTextContents()).toEqual(['agent1@example.com', 'AGENT2@example.com', 'agent3@example.com'])
    await expectAxeClean(page, 'known agents, list imported')
    await closeKnownAgents(page, 'Leeds team')

    // Sending checks the batch for the destination: the agents off its list are named first.
    await page.getByRole('button', { name: 'Start upload' }).click()
    const before = page.getByRole('dialog', { name: 'Before sending to Leeds team' })
    await before.getByRole('region', { name: 'Agents the platform may not know' }).waitFor()
    await before.getByRole('button', { name: 'Back' }).click()
    await page.getByRole('button', { name: 'Back to review' }).click()
    const panel = page.getByRole('region', { name: 'Agents the platform may not know' })
    await panel.getByText('3 agents not on this destination’s agent list').waitFor()
    expect(await panel.getByRole('list', { name: 'Agents and their rows' }).getByRole('listitem').allTextContents())
      .toEqual(['agent6@example.com · 3 rows', 'agent4@example.com · 1 row', 'agent5@example.com · 1 row'])
    expect(await panel.textContent()).toContain('Their rows are sent, but the platform cannot import them without a user mapping.')
    await panel.getByRole('button', { name: 'Copy list' }).click()
    await panel.getByText('Copied: one agent ID a line.').waitFor()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('agent6@example.com\nagent4@example.com\nagent5@example.com\n')
    await page.getByRole('button', { name: 'Continue with 8 rows' }).waitFor()

    // Strict: switched on for the destination, the same batch checked again leaves them out.
    const again = await openKnownAgents(page, 'Leeds team')
    const strict = again.getByRole('switch', { name: STRICT })
    // The switch follows the saved setting: it turns on once the host has saved it.
    await strict.click()
    await again.getByText('Rows whose agent is not on the list are left out of the upload until the platform knows the agent.').waitFor()
    expect(await strict.isChecked()).toBe(true)
    await closeKnownAgents(page, 'Leeds team')
    await page.getByRole('button', { name: 'Check again' }).click()
    await panel.getByText('Their rows are left out until the platform knows them.').waitFor()
    await page.getByRole('button', { name: 'Agent not known · 5' }).waitFor()
    expect(await page.getByRole('group', { name: 'Left out' }).textContent()).toContain('5')
    await page.getByRole('button', { name: 'Continue with 3 rows' }).click()
    const leftOut = page.getByRole('dialog', { name: /^Leave out \d+% of the rows\?$/ })
    await leftOut.getByRole('button', { name: 'Continue with 3 rows' }).click()
    await page.getByRole('button', { name: 'Start upload' }).click()
    await page.getByRole('dialog', { name: 'Before sending to Leeds team' }).getByRole('button', { name: 'Send 3 rows' }).click()
    await page.getByRole('heading', { name: 'Done' }).waitFor({ timeout: 30_000 })

    // On the server: one CSV with the rows of the agents the platform knows, and their recordings only.
    const onServer = await readdir(remote)
    const csvs = onServer.filter((n) => n.endsWith('.csv'))
    expect(csvs).toHaveLength(1)
    const rows = Papa.parse<Record<string, string>>(await readFile(path.join(remote, csvs[0]!), 'utf8'), { header: true, skipEmptyLines: true }).data
    expect(rows.map((r) => [r[batch.mapping.contactReference], r[batch.mapping.agentId]])).toEqual([
      ['CR-0000001', 'agent1@example.com'], ['CR-0000002', 'agent2@example.com'], ['CR-0000003', 'agent3@example.com'],
    ])
    expect(onServer.filter((n) => !n.endsWith('.csv')).sort()).toEqual(rows.map((r) => r[batch.mapping.audioFilename!]).sort())
    expect(watch.errors).toEqual([])
    await context.close()
  })
})
