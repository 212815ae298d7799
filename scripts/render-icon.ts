/**
 * Renders assets/icon.svg to assets/icon.png (1024×1024, transparent corners) with the
 * system's Chromium, the source electron-builder makes every platform's icon from.
 * Usage: node bin/run-ts.js scripts/render-icon.ts
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readFile } from 'node:fs/promises'
import { chromium } from 'playwright-core'

const assets = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'assets')
const svg = await readFile(path.join(assets, 'icon.svg'), 'utf8')
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] })
try {
  const page = await browser.newPage({ viewport: { width: 1024, height: 1024 } })
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`)
  await page.locator('svg').screenshot({ path: path.join(assets, 'icon.png'), omitBackground: true })
} finally {
  await browser.close()
}
console.log('Wrote assets/icon.png')
