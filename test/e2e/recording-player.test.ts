/**
 * Playing a batch's recordings in the app (issue 12), in Chromium through the web host: Review
 * shows the audio to send and each row's duration; a row's play button (pressed from the
 * keyboard) plays its recording, whose audio element reaches `canplay` with the file's
 * duration. The media route serves only the checked batch's files to the session: no secret is
 * 401, a handle that is no recording is 403, and a recording swapped for a symlink leaving the
 * batch after the check is 403 (the page says it cannot be played).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import type { Browser } from 'playwright-core'
import { skipWithReason } from '../helpers/system'
import { buildRenderer, CHROMIUM, launchChromium, startHost, tempDir, watchPage, type HostProcess } from './harness'
import { chooseInFolderBrowser } from './wizard-steps'

const AGENT = 'amira.khan@example.com'

describe.skipIf(skipWithReason(CHROMIUM, 'recording player (Chromium)'))('playing recordings in Review', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let host: HostProcess
  let browser: Browser
  let files: string

  beforeAll(async () => {
    tmp = await tempDir('bu-e2e-player-')
    files = path.join(tmp.dir, 'files')
    const batch = path.join(files, 'calls')
    await mkdir(batch, { recursive: true })
    const sox = (file: string, seconds: number) => execFileSync('sox', ['-n', '-r', '8000', '-c', '1', file, 'synth', String(seconds), 'sine', '440'])
    sox(path.join(batch, 'c1.wav'), 3)
    sox(path.join(batch, 'c2.wav'), 7.25)
    sox(path.join(batch, 'c3.wav'), 2)
    sox(path.join(tmp.dir, 'outside.wav'), 2)
    const rows = [1, 2, 3].map((n) => `CR190011${n},${AGENT},2024-05-03T09:27:23+00:00,c${n}.wav`)
    await writeFile(path.join(batch, 'calls.csv'), ['Contact Reference,Agent ID,Contact Date,Audio filename', ...rows].join('\n') + '\n')
    const root = await buildRenderer(path.join(tmp.dir, 'renderer'))
    ;[host, browser] = await Promise.all([startHost({ root, home: path.join(tmp.dir, 'home'), env: { HOME: files } }), launchChromium()])
  })
  afterAll(async () => {
    await browser?.close()
    await host?.stop()
    await tmp?.cleanup()
  })

  it('plays a row\'s recording from the keyboard with its duration; other files are refused', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const watch = watchPage(page)
    await page.goto(host.url)
    await chooseInFolderBrowser(page, 'calls')
    await page.getByRole('button', { name: 'Preview CSV' }).click()
    await page.getByRole('button', { name: 'Check the batch' }).click()
    await page.getByRole('heading', { name: 'Review' }).waitFor()
    await expect(page.getByRole('group', { name: 'Audio to send' }).textContent()).resolves.toContain('in 3 recordings')
    const table = page.getByRole('table', { name: 'Rows to send, with their recordings' })
    await expect(table.getByRole('row').filter({ hasText: 'CR1900112' }).textContent()).resolves.toContain('0:07')

    const play = page.getByRole('button', { name: `Play the recording of CR1900112, row 2, agent ${AGENT}` })
    const mediaRequest = page.waitForRequest((r) => r.url().includes('/media/'))
    await play.focus()
    await page.keyboard.press('Enter')
    const handleUrl = (await mediaRequest).url()
    const player = page.getByTestId('recording-player')
    await expect(player.getAttribute('aria-label')).resolves.toBe(`Recording of CR1900112, agent ${AGENT}`)
    const duration = await player.evaluate((el: HTMLAudioElement) => new Promise<number>((resolve, reject) => {
      if (el.readyState >= 3) return resolve(el.duration)
      el.addEventListener('canplay', () => resolve(el.duration), { once: true })
      el.addEventListener('error', () => reject(new Error(`audio error ${el.error?.code}`)), { once: true })
    }))
    expect(duration).toBeCloseTo(7.25, 1)

    // The route itself: the session's secret is needed, and only the batch's recordings are served, in ranges.
    const secret = await page.evaluate(() => sessionStorage.getItem('bulk-upload-session'))
    const status = (url: string, headers: Record<string, string>) => page.evaluate(async ([u, h]) => {
      const r = await fetch(u!, { headers: h as Record<string, string> })
      return { status: r.status, range: r.headers.get('content-range'), bytes: (await r.arrayBuffer()).byteLength }
    }, [url, headers] as const)
    const auth = { Authorization: `Bearer ${secret}` }
    expect((await status(handleUrl, {})).status).toBe(401)
    expect(await status(handleUrl, { ...auth, Range: 'bytes=0-99' })).toEqual({ status: 206, range: expect.stringMatching(/^bytes 0-99\/\d+$/), bytes: 100 })
    const [base, handle] = [handleUrl.slice(0, handleUrl.lastIndexOf('/') + 1), decodeURIComponent(handleUrl.slice(handleUrl.lastIndexOf('/') + 1))]
    expect((await status(`${base}${encodeURIComponent(handle.replace(/\.\d+$/, '.99'))}`, auth)).status).toBe(403)
    expect((await status(`${base}..%2F..%2F..%2Fetc%2Fpasswd`, auth)).status).toBe(403)

    // A recording replaced, after the check, by a link to a file outside the batch is not served.
    await rm(path.join(files, 'calls', 'c3.wav'))
    await symlink(path.join(tmp.dir, 'outside.wav'), path.join(files, 'calls', 'c3.wav'))
    const refused = page.waitForResponse((r) => r.url().includes('/media/'))
    await page.getByRole('button', { name: `Play the recording of CR1900113, row 3, agent ${AGENT}` }).click()
    expect((await refused).status()).toBe(403)
    await page.getByRole('alert').filter({ hasText: 'This recording cannot be played' }).waitFor()
    // The refusals asked for above are the only failed loads; nothing else went wrong on the page.
    expect(watch.errors.filter((e) => !/^40[13] \/media\//.test(e))).toEqual([])
  })
})
