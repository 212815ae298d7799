/**
 * The only file that touches the bridge to the core. In Electron the preload exposes the
 * contract as `window.bulkUpload` (plus `pathForFile` for dropped files); in a browser served
 * by `bulk-upload serve` the same contract runs over a WebSocket. The rest of the renderer
 * calls `getApi()` and cannot tell the two apart.
 */
import type { BulkUploadApi } from '../src/api'
import type { ElectronBridge } from '../src/api-calls'
import { createWsApi } from './transport/ws-client'

declare global {
  interface Window {
    bulkUpload?: ElectronBridge
  }
}

let api: BulkUploadApi | null = null

/** The contract's implementation for this page (created once). */
export function getApi(): BulkUploadApi {
  api ??= window.bulkUpload ?? createWsApi()
  return api
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

