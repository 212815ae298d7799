import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { DEFAULT_WINDOW, loadWindowState, MIN_WINDOW, saveWindowState } from '../../../main/window-state'
import { contentSecurityPolicy } from '../../../main/csp'

let home: string
beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'bu-window-'))
})
afterEach(async () => {
  await rm(home, { recursive: true, force: true })
})

const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }]

describe('window state', () => {
  it('starts with the defaults and remembers size, position and maximised state', async () => {
    expect(await loadWindowState(home, screen)).toEqual(DEFAULT_WINDOW)
    await saveWindowState(home, { width: 1400, height: 900, x: 100, y: 50, maximized: true })
    expect(await loadWindowState(home, screen)).toEqual({ width: 1400, height: 900, x: 100, y: 50, maximized: true })
  })

  it('drops a position on a display that is gone, and never goes below the minimum size', async () => {
    await saveWindowState(home, { width: 200, height: 100, x: 3000, y: 40, maximized: false })
    expect(await loadWindowState(home, screen)).toEqual({ width: MIN_WINDOW.width, height: MIN_WINDOW.height, maximized: false })
    await writeFile(path.join(home, 'window-state.json'), 'garbage')
    expect(await loadWindowState(home, screen)).toEqual(DEFAULT_WINDOW)
  })
})

describe('content security policy', () => {
  it('allows only our own scripts, no network beyond what the host names, no frames or plugins', () => {
    const csp = contentSecurityPolicy(['ws://127.0.0.1:8080'])
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toMatch(/script-src[^;]*unsafe/)
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:8080")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("object-src 'none'")
  })
})

describe('openAction', () => {
  it('opens folders and the documents the app writes, and only reveals anything else', async () => {
    const { openAction } = await import('../../../main/open-path')
    expect(openAction('/home/u/batches/abc', true)).toBe('open')
    expect(openAction('/home/u/batches/abc/report.CSV', false)).toBe('open')
    expect(openAction('/home/u/batches/abc/report.json', false)).toBe('open')
    expect(openAction('C:\\Users\\u\\Downloads\\setup.exe', false)).toBe('reveal')
    expect(openAction('/tmp/run.sh', false)).toBe('reveal')
    expect(openAction('/Applications/Evil.app', true)).toBe('reveal')
    expect(openAction('/tmp/noextension', false)).toBe('reveal')
  })
})
