/**
 * The only file that touches the bridge to the core. In Electron the preload exposes the
 * contract as `window.bulkUpload` (plus `pathForFile` for dropped files); in a browser served
 * by `bulk-upload serve` the same contract runs over a WebSocket, once the page has exchanged
 * its address's one-time code for a session secret (transport/web-session.ts). The rest of the
 * renderer gets the contract from `connectApi()` and cannot tell the two apart.
 */
import type { AppErrorPayload, BulkUploadApi } from '../src/api'
import type { ElectronBridge } from '../src/api-calls'
import { createWsApi, defaultSocketUrl } from './transport/ws-client'
import { forgetWebSession, openWebSession } from './transport/web-session'
import { createConnectionWatch, type ConnectionWatch } from './transport/connection-watch'

declare global {
  interface Window {
    bulkUpload?: ElectronBridge
  }
}

export type ConnectResult = { ok: true; api: BulkUploadApi; connection?: ConnectionWatch } | { ok: false; error: AppErrorPayload }

/**
 * The contract's implementation for this page. `onSessionEnded` runs when the web host later
 * refuses this tab's secret (it restarted): the page then says how to get a new address.
 */
export async function connectApi(onSessionEnded: (error: AppErrorPayload) => void): Promise<ConnectResult> {
  if (window.bulkUpload) return { ok: true, api: window.bulkUpload }
  const session = await openWebSession({ location: window.location, history: window.history, storage: window.sessionStorage, fetch: window.fetch.bind(window) })
  if (!session.ok) return session
  const connection = createConnectionWatch()
  const api = createWsApi({
    url: defaultSocketUrl(window.location),
    secret: session.secret,
    onConnection: connection.set,
    onSessionEnded: (error) => {
      forgetWebSession(window.sessionStorage)
      onSessionEnded(error)
    },
  })
  return { ok: true, api, connection }
}

/**
 * How to get the real path of a dropped file, where the host can tell it (Electron: pass it as
 * `<ApiProvider pathForFile>`). Undefined in a browser, which never reveals paths: there the
 * wizard offers the host's folder browser (`api.browse`) instead.
 */
export function getPathForFile(): ((file: File) => string | null) | undefined {
  const bridge = window.bulkUpload
  if (!bridge) return undefined
  return (file: File) => {
    const p = bridge.pathForFile(file)
    return p === '' ? null : p
  }
}
