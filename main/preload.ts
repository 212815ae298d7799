/**
 * The preload: exposes exactly the contract to the page as `window.bulkUpload`, one method per
 * call of the shared list (each an `ipcRenderer.invoke` on its own channel), the upload-event
 * subscription (returning its unsubscribe), and `pathForFile` for dropped files. Never
 * `ipcRenderer` itself. Runs sandboxed: bundled to CommonJS with only `electron` external.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import type { ApiCall, BulkUploadApi, UploadEvent } from '../src/api'
import { API_CALLS, IPC_EVENT_CHANNEL, ipcChannel, MEDIA_PROTOCOL, type ElectronBridge } from '../src/api-calls'

function invoker<K extends ApiCall>(call: K): BulkUploadApi[K] {
  const channel = ipcChannel(call)
  return ((...args: unknown[]) => ipcRenderer.invoke(channel, ...args)) as BulkUploadApi[K]
}

const calls = Object.fromEntries(API_CALLS.map((call) => [call, invoker(call)])) as Omit<BulkUploadApi, 'onUploadEvent'>

const bridge: ElectronBridge = {
  ...calls,
  onUploadEvent(listener: (event: UploadEvent) => void): () => void {
    const handler = (_event: IpcRendererEvent, payload: UploadEvent) => listener(payload)
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler)
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler)
    }
  },
  // The main process serves bulk-media:// (electron-media.ts): the URL is all the page needs.
  mediaUrl(media: string) {
    return Promise.resolve({ ok: true as const, value: `${MEDIA_PROTOCOL}://recording/${encodeURIComponent(media)}` })
  },
  pathForFile(file: File): string {
    return webUtils.getPathForFile(file)
  },
}

contextBridge.exposeInMainWorld('bulkUpload', bridge)
