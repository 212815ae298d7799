/**
 * The Electron main process, loaded with `electron` replaced by a recording fake (the binary
 * cannot be downloaded here): the window's security settings, the private scheme with its CSP,
 * navigation and new windows refused, network and permissions refused, IPC registered, and the
 * Help menu. The same checks against a real Electron run in test/e2e/electron.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import { API_CALLS, ipcChannel } from '../../../src/api-calls'
import { flushLog } from '../../../main/log'

type Handler = (...args: unknown[]) => unknown

const fake = vi.hoisted(() => {
  const appEvents = new Map<string, Handler[]>()
  return {
    appEvents,
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, (req: { url: string }) => Promise<Response>>(),
    windows: [] as Array<{ options: Record<string, unknown>; url: string | null }>,
    ipc: new Map<string, Handler>(),
    beforeRequest: null as null | { filter: { urls: string[] }; fn: Handler },
    permissionRequest: null as null | Handler,
    permissionCheck: null as null | Handler,
    menu: null as unknown,
  }
})

vi.mock('electron', () => {
  class BrowserWindow {
    static all: BrowserWindow[] = []
    static getAllWindows = () => BrowserWindow.all
    record: { options: Record<string, unknown>; url: string | null }
    webContents = { send: () => undefined, on: () => undefined }
    constructor(options: Record<string, unknown>) {
      this.record = { options, url: null }
      fake.windows.push(this.record)
      BrowserWindow.all.push(this)
    }
    once() {}
    on() {}
    maximize() {}
    isMaximized() {
      return false
    }
    isDestroyed() {
      return false
    }
    async loadURL(url: string) {
      this.record.url = url
    }
  }
  return {
    app: {
      isPackaged: false,
      requestSingleInstanceLock: () => true,
      on: (event: string, fn: Handler) => fake.appEvents.set(event, [...(fake.appEvents.get(event) ?? []), fn]),
      whenReady: () => Promise.resolve(),
      quit: () => undefined,
      exit: () => undefined,
    },
    BrowserWindow,
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showErrorBox: () => undefined, showMessageBoxSync: () => 0 },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: (m: unknown) => (fake.menu = m) },
    nativeTheme: { shouldUseDarkColors: false },
    // No keychain, as on a Linux desktop without one: settings keep their passwords in the owner-only file.
    safeStorage: { isEncryptionAvailable: () => false },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => fake.schemes.push(...s),
      handle: (scheme: string, fn: (req: { url: string }) => Promise<Response>) => fake.protocolHandlers.set(scheme, fn),
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    session: {
      defaultSession: {
        webRequest: { onBeforeRequest: (filter: { urls: string[] }, fn: Handler) => (fake.beforeRequest = { filter, fn }) },
        setPermissionRequestHandler: (fn: Handler) => (fake.permissionRequest = fn),
        setPermissionCheckHandler: (fn: Handler) => (fake.permissionCheck = fn),
      },
    },
    shell: { openPath: async () => '', showItemInFolder: () => undefined },
    ipcMain: { handle: (channel: string, fn: Handler) => fake.ipc.set(channel, fn), removeHandler: (channel: string) => fake.ipc.delete(channel) },
  }
})

let home: string
beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'bu-electron-main-'))
  process.env.BULK_UPLOAD_HOME = home
  await import('../../../main/electron-main')
  // start() runs once `whenReady` resolves; wait for the window to load its page.
  for (let i = 0; i < 200 && !fake.windows[0]?.url; i++) await new Promise((r) => setTimeout(r, 10))
})
afterAll(async () => {
  await flushLog()
  await rm(home, { recursive: true, force: true })
})

describe('Electron main process', () => {
  it('opens one window with isolation, sandbox, no Node, and the bundled preload', () => {
    expect(fake.windows).toHaveLength(1)
    const prefs = fake.windows[0]!.options.webPreferences as Record<string, unknown>
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, webSecurity: true, allowRunningInsecureContent: false })
    expect(String(prefs.preload)).toMatch(/preload\.cjs$/)
  })

  it('serves the renderer from app://bundle with a strict CSP, and nothing outside it', async () => {
    // The app's own pages, and the recordings of a checked batch for the Review player (main/electron-media.ts).
    expect(fake.schemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
      { scheme: 'bulk-media', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
    ])
    const handle = fake.protocolHandlers.get('app')!
    const index = await handle({ url: 'app://bundle/index.html' })
    expect(index.status).toBe(200)
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'")
    // URL parsing folds `..` away before the handler sees it; either way nothing outside the build is served.
    expect([403, 404]).toContain((await handle({ url: 'app://bundle/%2e%2e/package.json' })).status)
    expect([403, 404]).toContain((await handle({ url: 'app://bundle/../../package.json' })).status)
    expect((await handle({ url: 'app://other/index.html' })).status).toBe(404)
  })

  it('refuses navigation away, new windows and webviews in every web contents', () => {
    const listeners = new Map<string, Handler>()
    let openHandler: Handler | null = null
    const contents = { on: (e: string, fn: Handler) => listeners.set(e, fn), setWindowOpenHandler: (fn: Handler) => (openHandler = fn) }
    for (const fn of fake.appEvents.get('web-contents-created')!) fn({}, contents)
    const attempt = (event: string, url?: string) => {
      const e = { preventDefault: vi.fn() }
      listeners.get(event)!(e, url)
      return e.preventDefault.mock.calls.length > 0
    }
    expect(attempt('will-navigate', 'https://example.com/')).toBe(true)
    expect(attempt('will-navigate', 'file:///etc/passwd')).toBe(true)
    expect(attempt('will-navigate', 'app://bundle/index.html')).toBe(false)
    expect(attempt('will-redirect', 'https://example.com/')).toBe(true)
    expect(attempt('will-attach-webview')).toBe(true)
    expect(openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' })
  })

  it('cancels every network request and refuses permissions, except clipboard writes from our page', () => {
    expect(fake.beforeRequest!.filter.urls).toEqual(expect.arrayContaining(['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*']))
    const callback = vi.fn()
    fake.beforeRequest!.fn({ url: 'https://tracker.example/' }, callback)
    expect(callback).toHaveBeenCalledWith({ cancel: true })
    const ask = (permission: string, url: string) => {
      let answer: unknown = null
      fake.permissionRequest!({}, permission, (ok: boolean) => (answer = ok), { requestingUrl: url })
      return answer
    }
    expect(ask('media', 'app://bundle/index.html')).toBe(false)
    expect(ask('geolocation', 'app://bundle/index.html')).toBe(false)
    expect(ask('clipboard-sanitized-write', 'app://bundle/index.html')).toBe(true)
    expect(ask('clipboard-sanitized-write', 'https://evil.example/')).toBe(false)
    expect(fake.permissionCheck!({}, 'notifications', 'app://bundle')).toBe(false)
  })

  it('registers one IPC handler per call, and a Help menu that opens the logs', () => {
    expect([...fake.ipc.keys()].sort()).toEqual(API_CALLS.map(ipcChannel).sort())
    const help = (fake.menu as Array<{ role?: string; submenu?: Array<{ label?: string }> }>).find((m) => m.role === 'help')!
    expect(help.submenu!.map((i) => i.label)).toContain('Open Logs Folder')
  })
})
