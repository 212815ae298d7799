/**
 * The Electron main process: one window showing the renderer build from a private `app://`
 * scheme with a strict CSP, the core service behind IPC (electron-ipc.ts), native pickers,
 * single instance, remembered window size, and an app menu with Help → Open Logs Folder.
 *
 * Security (DESIGN.md, "Electron security"): contextIsolation, sandbox, no nodeIntegration,
 * no remote content (every http/ws request is cancelled), navigation and new windows denied,
 * permission requests denied, webviews refused.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { stat } from 'node:fs/promises'
import { app, BrowserWindow, dialog, Menu, nativeImage, nativeTheme, Notification, powerSaveBlocker, protocol, safeStorage, screen, session, shell, Tray } from 'electron'
import { AppError } from '../src/errors'
import { CoreService, type HostAdapter } from './core-service'
import type { SecretSealer } from './settings-secrets'
import { systemProxyFor } from './system-proxy'
import { APP_ORIGIN, isOurPage, registerIpc } from './electron-ipc'
import { buildAppMenu } from './app-menu'
import { contentSecurityPolicy } from './csp'
import { loadWindowState, MIN_WINDOW, saveWindowState } from './window-state'
import { resolveStatic } from './web-host/static-files'
import { log } from './log'
import { MEDIA_SCHEME, registerMediaProtocol } from './electron-media'
import { openAction } from './open-path'
import { desktopManners, type DesktopShell } from './desktop-manners'
import { CloseGuard, trayTooltip, type CloseShell } from './close-guard'

const here = path.dirname(fileURLToPath(import.meta.url))
/** build/main/ holds this file once bundled; the renderer build sits next to it. */
const RENDERER_ROOT = path.join(here, '..', 'renderer')
const PRELOAD = path.join(here, 'preload.cjs')
/** assets/ sits two levels above build/main/, in the checkout and in the packed app. */
const TRAY_ICON = path.join(here, '..', '..', 'assets', 'icon.png')

// Must happen before `ready`: our scheme behaves like https (secure, standard URLs, fetch).
protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }, MEDIA_SCHEME])

let mainWindow: BrowserWindow | null = null
/** The tray icon, only while the window is hidden during an upload. */
let tray: Tray | null = null
let runningUploads = (): number => 0
let lastPercent: number | null = null

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    showWindow()
  })
  void app.whenReady().then(start).catch((err: unknown) => {
    log('error', 'the app failed to start', err)
    dialog.showErrorBox('Bulk upload could not start', `${new AppError('INTERNAL').message}\n\n${err instanceof Error ? err.message : String(err)}`)
    app.exit(1)
  })
}

// Every web contents, present and future: no navigation away, no new windows, no webviews.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!isOurPage(url)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isOurPage(url)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
})

const electronHost: HostAdapter = {
  capabilities: { kind: 'electron', nativeDialogs: true },
  async pickFolder() {
    const options = { title: 'Choose the folder with the recordings and the CSV', properties: ['openDirectory' as const] }
    const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options)
    return result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0]!
  },
  async pickSavePath(suggestedName) {
    // The native dialog asks before replacing a file (showOverwriteConfirmation is for Linux; macOS and Windows always ask).
    const options = { defaultPath: path.join(app.getPath('documents'), suggestedName), properties: ['showOverwriteConfirmation' as const, 'createDirectory' as const] }
    const result = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options)
    return result.canceled || !result.filePath ? null : result.filePath
  },
  async openPath(target) {
    const info = await stat(target)
    if (openAction(target, info.isDirectory()) === 'reveal') {
      shell.showItemInFolder(target)
      return { kind: 'opened' }
    }
    const error = await shell.openPath(target)
    if (error) throw new AppError('FILE_NOT_FOUND', `${target}: ${error}`)
    return { kind: 'opened' }
  },
  // Settings' "the system's proxy": what the OS (PAC, WPAD or its settings) gives for the SFTP server.
  systemProxy: (host, port) => systemProxyFor(session.defaultSession, host, port),
}

/** The desktop behind desktop-manners.ts: stay awake, taskbar/dock progress, notifications. */
const electronShell: DesktopShell = {
  preventSleep: () => powerSaveBlocker.start('prevent-app-suspension'),
  allowSleep: (handle) => powerSaveBlocker.stop(handle),
  setProgress: (fraction, paused) => {
    mainWindow?.setProgressBar(fraction ?? -1, { mode: paused ? 'paused' : 'normal' })
    lastPercent = fraction === null ? null : Math.floor(fraction * 100)
    tray?.setToolTip(trayTooltip(runningUploads(), lastPercent))
  },
  notify: (title, body) => {
    if (Notification.isSupported()) new Notification({ title, body }).show()
  },
}

/** Shows the hidden window again and takes the tray icon away. */
function showWindow(): void {
  tray?.destroy()
  tray = null
  mainWindow?.show()
  mainWindow?.focus()
}

/** The desktop behind close-guard.ts: the native question, and hiding to the tray. */
const closeShell: CloseShell = {
  runningUploads: () => runningUploads(),
  ask: (q) => {
    const options = { type: 'question' as const, title: 'An upload is running', message: q.message, detail: q.detail, buttons: q.buttons, defaultId: q.defaultIndex, cancelId: q.cancelIndex, noLink: true }
    return mainWindow ? dialog.showMessageBoxSync(mainWindow, options) : dialog.showMessageBoxSync(options)
  },
  hideToTray: () => {
    if (!tray) {
      tray = new Tray(nativeImage.createFromPath(TRAY_ICON).resize({ width: 16, height: 16 }))
      tray.on('click', showWindow)
      tray.setContextMenu(Menu.buildFromTemplate([
        { label: 'Show Bulk Upload', click: showWindow },
        { label: 'Pause and quit', click: () => { closeGuard.quitFromTray(); app.quit() } },
      ]))
    }
    tray.setToolTip(trayTooltip(runningUploads(), lastPercent))
    mainWindow?.hide()
  },
}
// Linux desktops without a status area show no tray icon: there the window only hides.
const closeGuard = new CloseGuard(closeShell, process.platform !== 'linux' || !!process.env.XDG_CURRENT_DESKTOP)

/**
 * The OS keychain through Electron's safeStorage, for the passwords in the settings' addresses
 * (issue 23, item 6). Null where it is not available (a Linux desktop with no keyring: there
 * safeStorage would fall back to a hard-coded key, no better than the owner-only file).
 */
function keychainSealer(): SecretSealer | null {
  if (!safeStorage.isEncryptionAvailable()) return null
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text') return null
  return {
    seal: (plain) => safeStorage.encryptString(plain).toString('base64'),
    open: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  }
}

async function start(): Promise<void> {
  const service = new CoreService({ host: electronHost, sealer: keychainSealer() })
  runningUploads = () => service.runningUploads
  const ses = session.defaultSession
  // No remote content: the page has only our own files, so any network request is a bug or an attack.
  ses.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] }, (details, callback) => {
    log('warn', `blocked a network request to ${details.url}`)
    callback({ cancel: true })
  })
  // Every permission is refused except writing to the clipboard from our own page ("Copy public key").
  const allowed = (permission: string, url: string | undefined): boolean => permission === 'clipboard-sanitized-write' && url !== undefined && isOurPage(url)
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => callback(allowed(permission, details.requestingUrl)))
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) => allowed(permission, requestingOrigin))

  const csp = contentSecurityPolicy()
  protocol.handle('app', async (request) => {
    const url = new URL(request.url)
    if (`${url.protocol}//${url.host}` !== APP_ORIGIN) return new Response('Not found', { status: 404 })
    const found = await resolveStatic(RENDERER_ROOT, url.pathname)
    if (found.status !== 200) return new Response(null, { status: found.status })
    return new Response(new Uint8Array(found.body), {
      status: 200,
      headers: { 'Content-Type': found.contentType, 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff' },
    })
  })

  service.onUploadEvent(desktopManners(electronShell))
  registerMediaProtocol((handle) => service.mediaFile(handle))

  Menu.setApplicationMenu(buildAppMenu())
  const unregister = registerIpc(service, () => mainWindow)
  await createWindow(service)

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow(service)
    else if (mainWindow && !mainWindow.isVisible()) showWindow()
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  // Quitting waits for running uploads to stop cleanly, so their journals are complete and
  // the next start offers to finish them.
  let closed = false
  app.on('before-quit', (event) => {
    if (closed) return
    event.preventDefault()
    if (!closeGuard.appQuitting()) return
    closed = true
    unregister()
    void service.close().catch((err: unknown) => log('error', 'closing the core failed', err)).finally(() => app.quit())
  })
}

async function createWindow(service: CoreService): Promise<void> {
  const home = service.home
  const state = await loadWindowState(home, screen.getAllDisplays().map((d) => d.workArea))
  const win = new BrowserWindow({
    ...(state.x === undefined || state.y === undefined ? {} : { x: state.x, y: state.y }),
    width: state.width,
    height: state.height,
    minWidth: MIN_WINDOW.width,
    minHeight: MIN_WINDOW.height,
    title: 'Bulk Upload',
    show: false,
    // The theme follows the OS; paint the matching background before the page's first frame.
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#121212' : '#ffffff',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  })
  mainWindow = win
  if (state.maximized) win.maximize()
  win.once('ready-to-show', () => win.show())
  win.on('close', (event) => {
    if (!closeGuard.windowClosing()) {
      event.preventDefault()
      return
    }
    const bounds = win.getNormalBounds()
    void saveWindowState(home, { ...bounds, maximized: win.isMaximized() }).catch((err: unknown) => log('warn', 'could not save the window size', err))
  })
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null
  })
  await win.loadURL(`${APP_ORIGIN}/index.html`)
}
