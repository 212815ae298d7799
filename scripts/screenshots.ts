/**
 * Screenshots of every wizard step, light and dark, into docs/screenshots/.
 *
 *   node bin/run-ts.js scripts/screenshots.ts [--no-build] [--only 4-send,6-done [--sizes]]
 *
 * Builds the dev-only fake-host page (the wizard on an in-memory api, see renderer/dev/),
 * serves it on 127.0.0.1 and drives Debian's Chromium with playwright-core. The colour scheme
 * is emulated, as the app follows the operating system's. `--only` takes the shots whose names
 * start with one of the given prefixes (and skips the zoom, 800 x 600 and responsiveness runs;
 * `--sizes` keeps the zoom and 800 x 600 pictures of the shots taken, to check one change in both).
 */
import { execFileSync } from 'node:child_process'
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

const root = path.resolve(import.meta.dirname, '..')
const site = path.join(root, 'build/renderer-dev')
const out = path.join(root, 'docs/screenshots')
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.woff2': 'font/woff2' }

interface Shot {
  name: string
  step: string
  /** What must be on screen before the picture is taken. */
  waitFor: string
  act?: (page: Page) => Promise<void>
}

const shots: Shot[] = [
  { name: '1-add-files', step: 'files', waitFor: 'Found in' },
  { name: '1-add-files-empty', step: 'files-empty', waitFor: 'Choose folder…' },
  {
    name: '1-folder-browser-web-host', step: 'files-web', waitFor: 'computer running the app',
    act: async (page) => {
      await page.getByRole('button', { name: 'Choose folder…' }).click()
      await page.getByText('In /home/qa').waitFor()
    },
  },
  { name: '2-preview-and-map', step: 'map', waitFor: 'so the day comes first' },
  { name: '3-review', step: 'review', waitFor: 'No recording with this file name' },
  {
    name: '3-review-agents-and-player', step: 'review-recordings', waitFor: 'not on this destination’s agent list',
    act: async (page) => {
      await page.getByRole('button', { name: /^Play the recording of CR-2024-00003, row 3/ }).click()
      await page.getByTestId('recording-player').evaluate((el: HTMLAudioElement) => new Promise((resolve) => (el.readyState >= 3 ? resolve(null) : el.addEventListener('canplay', () => resolve(null), { once: true }))))
    },
  },
  { name: '3-review-already-delivered', step: 'review-delivered', waitFor: 'and will be left out' },
  { name: '4-send-check', step: 'send-check', waitFor: 'Keep the platform’s layout' },
  { name: '4-send-check-resend-adopt', step: 'send-check-adopt', waitFor: 'Update the mapping in the platform' },
  { name: '4-destination-and-key', step: 'destination', waitFor: 'Copy public key' },
  {
    name: '4-host-key-dialog', step: 'hostkey', waitFor: 'Copy public key',
    act: async (page) => {
      await page.getByRole('button', { name: 'Test connection' }).click()
      await page.getByText('Is this the right server?').waitFor()
    },
  },
  {
    name: '4-host-key-changed', step: 'hostkey-changed', waitFor: 'Copy public key',
    act: async (page) => {
      await page.getByRole('button', { name: 'Test connection' }).click()
      await page.getByText('Stopped: the server’s identity has changed').waitFor()
    },
  },
  {
    name: '4-key-dialog', step: 'files-empty', waitFor: 'Choose folder…',
    act: async (page) => {
      await page.goto(page.url().replace('step=files-empty', 'step=destination'))
      await page.getByRole('button', { name: 'New SSH key…' }).click()
      await page.getByRole('dialog', { name: 'SSH key' }).waitFor()
    },
  },
  {
    name: '7-settings', step: 'files-empty', waitFor: 'Choose folder…',
    act: async (page) => {
      await page.getByRole('button', { name: 'Settings' }).click()
      await page.getByLabel('Files sent at once').waitFor()
    },
  },
  {
    name: '7-settings-proxy', step: 'files-empty', waitFor: 'Choose folder…',
    act: async (page) => {
      await page.getByRole('button', { name: 'Settings' }).click()
      const dialog = page.getByRole('dialog', { name: 'Settings' })
      await dialog.getByRole('textbox', { name: 'Upload speed limit' }).fill('08:00,1M 18:00,off')
      await dialog.getByRole('radio', { name: 'Through this proxy' }).check()
      await dialog.getByRole('textbox', { name: 'Proxy address' }).fill('socks5://proxy.acme.example:1080')
    },
  },
  {
    name: '7-settings-known-agents', step: 'agents', waitFor: 'Choose folder…',
    act: async (page) => {
      await page.getByRole('button', { name: 'Settings' }).click()
      await page.getByRole('button', { name: 'Known agents of evaluagent – Leeds team' }).click()
      await page.getByRole('dialog', { name: 'Known agents of evaluagent – Leeds team' }).getByRole('list', { name: 'Agents on the list' }).waitFor()
    },
  },
  {
    name: '6-done-automate', step: 'done-automate', waitFor: 'Start another batch',
    act: async (page) => {
      await page.getByRole('button', { name: 'Do this automatically…' }).click()
      await page.getByRole('dialog', { name: 'Do this automatically' }).getByRole('textbox', { name: 'Job name' }).waitFor()
    },
  },
  {
    name: '6-done-automate-saved', step: 'done-automate', waitFor: 'Start another batch',
    act: async (page) => {
      await page.getByRole('button', { name: 'Do this automatically…' }).click()
      await page.getByRole('button', { name: 'Save job' }).click()
      await page.getByText('To run it every night at 02:00').waitFor()
    },
  },
  {
    name: '9-saved-jobs', step: 'jobs', waitFor: 'Choose folder…',
    act: async (page) => {
      await page.getByRole('button', { name: 'Saved jobs' }).click()
      await page.getByRole('listitem', { name: 'leeds-nightly' }).getByRole('button', { name: 'How to schedule' }).click()
      await page.getByLabel('Schedule for leeds-nightly').waitFor()
    },
  },
  { name: '5-upload', step: 'upload', waitFor: '% sent', act: async (page) => {
    // Where files are in flight: the top of a running batch is all "Done".
    await page.getByRole('button', { name: /^In progress/ }).click()
  } },
  { name: '5-upload-cancelled', step: 'upload-cancelled', waitFor: 'Upload cancelled' },
  { name: '5-upload-lost-host', step: 'lost-host', waitFor: 'Lost contact with the app' },
  { name: '6-done', step: 'done', waitFor: 'Start another batch' },
  { name: '6-done-nothing-new', step: 'done-nothing-new', waitFor: 'Nothing was sent' },
  {
    name: '8-history', step: 'history', waitFor: 'Choose folder…',
    act: async (page) => {
      await page.getByRole('button', { name: 'Delivery history' }).click()
      await page.getByText('calls-2024-05-31-0240.csv').waitFor()
    },
  },
  { name: '0-interrupted', step: 'interrupted', waitFor: 'An upload did not finish' },
]

const onlyArg = process.argv.indexOf('--only')
const only = onlyArg > 0 ? (process.argv[onlyArg + 1] ?? '').split(',').filter(Boolean) : null
const chosen = only ? shots.filter((s) => only.some((p) => s.name.startsWith(p))) : shots
const withSizes = !only || process.argv.includes('--sizes')

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** Runs axe-core in the page (real layout, so colour contrast is checked too); returns problems. */
async function axeProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource })
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe
    const r = await axe.run(document, { resultTypes: ['violations'] })
    return r.violations.map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)
  })
  return violations
}

/**
 * The upload screen with 100,000 files while about 30,000 file events a second pour in: how
 * long until the list shows, and the longest main-thread task (what makes a window freeze).
 */
async function responsiveness(browser: Browser, url: string) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  await page.goto(`${url}/dev/fake-host.html?step=upload-stream&files=100000`)
  await page.waitForFunction(() => (window as unknown as { stream?: { done: boolean } }).stream?.done === true, null, { timeout: 60_000 })
  const r = await page.evaluate(() => (window as unknown as { stream: object }).stream)
  console.log(`responsiveness, 100,000 files: ${JSON.stringify(r)}`)
  await page.close()
}

function serve(): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    const file = path.join(site, path.normalize(rel))
    if (!file.startsWith(site) || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404).end(); return }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' })
    createReadStream(file).pipe(res)
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() })
  }))
}

async function main() {
  if (!process.argv.includes('--no-build')) {
    execFileSync('npx', ['vite', 'build', '--mode', 'fake-host', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
  }
  mkdirSync(out, { recursive: true })
  const { url, close } = await serve()
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
  let failures = 0
  try {
    for (const scheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme })
      for (const shot of chosen) {
        const page = await context.newPage()
        await page.goto(`${url}/dev/fake-host.html?step=${shot.step}`)
        await page.getByText(shot.waitFor).first().waitFor({ timeout: 15_000 })
        await shot.act?.(page)
        await page.waitForTimeout(400) // let transitions and the throttled store settle
        await page.screenshot({ path: path.join(out, `${shot.name}-${scheme}.png`), fullPage: true })
        const problems = await axeProblems(page)
        console.log(`${shot.name}-${scheme}.png  axe: ${problems.length ? problems.join('\n    ') : 'clean'}`)
        failures += problems.length
        await page.close()
      }
      await context.close()
    }
    // 125% zoom on a small laptop (1280 px at 125% = 1024 CSS px) for the busiest steps, and
    // every shot in the smallest window the app supports (800 x 600).
    const sizes = [
      { label: 'zoom125', width: 1024, height: 720, scale: 1.25, of: chosen.filter((s) => ['map', 'destination', 'upload'].includes(s.step)) },
      { label: '800x600', width: 800, height: 600, scale: 1, of: chosen },
    ]
    for (const { label, width, height, scale, of } of withSizes ? sizes : []) {
      const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: scale })
      for (const shot of of) {
        const page = await context.newPage()
        await page.goto(`${url}/dev/fake-host.html?step=${shot.step}`)
        await page.getByText(shot.waitFor).first().waitFor({ timeout: 15_000 })
        await shot.act?.(page)
        await page.waitForTimeout(400)
        // A dialog is drawn over the window, not the page: a full-page picture would misplace its backdrop.
        const fullPage = (await page.getByRole('dialog').count()) === 0
        await page.screenshot({ path: path.join(out, `${shot.name}-${label}-light.png`), fullPage })
        console.log(`${shot.name}-${label}-light.png`)
        await page.close()
      }
      await context.close()
    }
    if (!only) await responsiveness(browser, url)
  } finally {
    await browser.close()
    close()
  }
  if (failures) {
    console.error(`${failures} accessibility problem(s) found by axe`)
    process.exitCode = 1
  }
}

await main()
