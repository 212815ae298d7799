/**
 * Starts the web host: a CoreService with the web adapter (no native dialogs; the browser
 * walks the host's folders with `browse`) behind the HTTP + WebSocket server (one-time codes, session secrets: auth.ts).
 * `bulk-upload serve` and the browser tests call this.
 */
import path from 'node:path'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { AppError } from '../../src/errors'
import { CoreService, WEB_HOST_ADAPTER } from '../core-service'
import { log } from '../log'
import { startWebServer, type WebServer } from './server'

/** Where `vite build` puts the renderer (see vite.config.ts). */
export const DEFAULT_RENDERER_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../build/renderer')

export interface WebHostOptions {
  /** The renderer build; defaults to build/renderer. */
  root?: string
  /** 0 (the default) picks a free port. */
  port?: number
  /** The app home; defaults to BULK_UPLOAD_HOME or the OS data folder. */
  home?: string
  /** How long an unused address stays valid (tests); a few minutes otherwise. */
  codeTtlMs?: number
}

export interface WebHost extends WebServer {
  service: CoreService
}

export async function startWebHost(options: WebHostOptions = {}): Promise<WebHost> {
  const root = options.root ?? DEFAULT_RENDERER_ROOT
  if (!existsSync(path.join(root, 'index.html'))) {
    throw new AppError('FILE_NOT_FOUND', `The app's web files are not built: ${path.join(root, 'index.html')} is missing. Run \`npx vite build\` (or \`npm run web\`) first.`)
  }
  const service = new CoreService({ host: WEB_HOST_ADAPTER, ...(options.home === undefined ? {} : { home: options.home }) })
  let server: WebServer
  try {
    server = await startWebServer({ root, api: service, port: options.port ?? 0, media: (handle) => service.mediaFile(handle), ...(options.codeTtlMs === undefined ? {} : { codeTtlMs: options.codeTtlMs }) })
  } catch (err) {
    await service.close()
    throw err
  }
  log('info', `web host listening on 127.0.0.1:${server.port}`)
  return {
    ...server,
    service,
    close: async () => {
      await server.close()
      await service.close()
    },
  }
}
