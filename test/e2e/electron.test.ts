/**
 * The desktop app through Playwright's Electron support: the window's security settings, the
 * bridge exposing exactly the contract, a call reaching the core, and the wizard's whole flow to
 * the sandbox (the native folder picker answered through `app.evaluate`, the way Playwright
 * mocks native dialogs: no test hook is compiled into the app). Runs where an Electron
 * binary exists; elsewhere (`npm install` never downloads it, see README) it reports itself
 * skipped with the reason and the one command that fetches the binary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core'
import { API_CALLS } from '../../src/api-calls'
import { generateBatch } from '../fixtures/generate-batch'
import { ROOT, tempDir } from './harness'
import { serverFiles, sha256, throughReview } from './wizard-steps'

/** The Electron binary's path, or why there is none. */
function findElectron(): { path: string | null; reason: string | null } {
  try {
    const binary = createRequire(import.meta.url)('electron') as unknown
    if (typeof binary === 'string' && existsSync(binary)) return { path: binary, reason: null }
    return { path: null, reason: `require('electron') gave ${String(binary)}, which does not exist` }
  } catch (err) {
    return { path: null, reason: `no Electron binary (${(err as Error).message.split('\n')[0]}). npm install does not download it; to run these tests, fetch it once with \`node node_modules/electron/install.js\` (README, "npm install")` }
  }
}

const found = findElectron()
if (!found.path) console.warn(`SKIPPED Electron end-to-end: ${found.reason ?? ''}`)

describe.skipIf(!found.path)('desktop app (Electron)', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let app: ElectronApplication
  let page: Page

  beforeAll(async () => {
    tmp = await tempDir('bu-e2e-electron-')
    const run = promisify(execFile)
    // NODE_ENV=production: vitest's NODE_ENV=test would give a development React build.
    await run('npm', ['run', 'build'], { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' } })
    app = await electron.launch({
      executablePath: found.path!,
      args: [ROOT],
      env: { ...process.env, BULK_UPLOAD_HOME: path.join(tmp.dir, 'home') },
    })
    page = await app.firstWindow()
    await page.waitForLoadState('domcontentloaded')
  }, 180_000)
  afterAll(async () => {
    await app?.close()
    await tmp?.cleanup()
  })

  it('opens one window with isolation, sandbox and no Node in the page', async () => {
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const win = BrowserWindow.getAllWindows()[0]!
      // Not in Electron's typings, but present at run time (Electron's own tests use it).
      const p = (win.webContents as unknown as { getLastWebPreferences(): { contextIsolation: boolean; sandbox: boolean; nodeIntegration: boolean } }).getLastWebPreferences()
      return { count: BrowserWindow.getAllWindows().length, contextIsolation: p.contextIsolation, sandbox: p.sandbox, nodeIntegration: p.nodeIntegration, url: win.webContents.getURL() }
    })
    expect(prefs).toEqual({ count: 1, contextIsolation: true, sandbox: true, nodeIntegration: false, url: 'app://bundle/index.html' })
    expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined')
    expect(await page.evaluate(() => typeof (window as unknown as { process?: unknown }).process)).toBe('undefined')
  })

  it('exposes exactly the contract, and calls reach the core', async () => {
    const keys = await page.evaluate(() => Object.keys((window as unknown as { bulkUpload: object }).bulkUpload).sort())
    expect(keys).toEqual([...API_CALLS, 'onUploadEvent', 'pathForFile'].sort())
    const settings = await page.evaluate(() => (window as unknown as { bulkUpload: { getSettings(): Promise<unknown> } }).bulkUpload.getSettings())
    expect(settings).toEqual({ ok: true, value: { concurrency: null, retentionDays: 30 } })
    const caps = await page.evaluate(() => (window as unknown as { bulkUpload: { capabilities(): Promise<unknown> } }).bulkUpload.capabilities())
    expect(caps).toEqual({ ok: true, value: { kind: 'electron', nativeDialogs: true } })
  })

  it('denies new windows and navigation away from the app', async () => {
    await page.evaluate(() => window.open('https://example.com'))
    await page.evaluate(() => {
      window.location.href = 'https://example.com'
    }).catch(() => undefined)
    await page.waitForTimeout(500)
    const state = await app.evaluate(({ BrowserWindow }) => ({ count: BrowserWindow.getAllWindows().length, url: BrowserWindow.getAllWindows()[0]!.webContents.getURL() }))
    expect(state).toEqual({ count: 1, url: 'app://bundle/index.html' })
  })

  it('goes through the wizard to the sandbox; the files arrive intact', async () => {
    const home = path.join(tmp.dir, 'home')
    const batch = await generateBatch(path.join(tmp.dir, 'files', 'june-calls'), { rows: 20, faults: { missingRecording: 1 } })
    await app.evaluate(({ dialog }, folder) => {
      dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [folder] })) as typeof dialog.showOpenDialog
    }, batch.dir)
    await page.reload()
    await throughReview(page, () => page.getByRole('button', { name: 'Choose folder…' }).click(), batch, null)
    await page.getByRole('button', { name: 'Start upload' }).click()
    await page.getByRole('dialog', { name: 'Is this the right server?' }).getByRole('button', { name: 'Trust this server' }).click()
    await page.getByRole('heading', { name: 'Done' }).waitFor({ timeout: 60_000 })
    const onServer = await serverFiles(home)
    expect(onServer.filter((n) => n.endsWith('.csv'))).toHaveLength(1)
    const recordings = onServer.filter((n) => !n.endsWith('.csv'))
    expect(recordings).toHaveLength(batch.eligibleRows)
    for (const name of recordings) {
      expect(await sha256(path.join(home, 'sandbox-server', name)), name).toBe(await sha256(path.join(batch.dir, 'recordings', name)))
    }
  })
})
