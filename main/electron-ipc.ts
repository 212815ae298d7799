/**
 * Electron's transport of the contract: one `ipcMain.handle` per call of the shared list, and
 * upload events pushed to the window. Every handler first checks that the message comes from
 * our window showing our own page; anything else gets UNAUTHORIZED and nothing runs.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron'
import type { BulkUploadApi, Result } from '../src/api'
import { AppError } from '../src/errors'
import { API_CALLS, IPC_EVENT_CHANNEL, ipcChannel } from '../src/api-calls'
import { dispatch } from './dispatch'
import { log } from './log'

/** The origin our page is served from (see electron-main.ts, `protocol.handle`). */
export const APP_ORIGIN = 'app://bundle'

export function isOurPage(url: string): boolean {
  return url === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`)
}

/** Registers the handlers; returns a function that removes them (and the event forwarding). */
export function registerIpc(api: BulkUploadApi, getWindow: () => BrowserWindow | null): () => void {
  const trusted = (event: IpcMainInvokeEvent): boolean => {
    const win = getWindow()
    const frame = event.senderFrame
    return win !== null && !win.isDestroyed() && event.sender === win.webContents && frame !== null && frame.parent === null && isOurPage(frame.url)
  }
  for (const call of API_CALLS) {
    ipcMain.handle(ipcChannel(call), async (event, ...args: unknown[]): Promise<Result<unknown>> => {
      if (!trusted(event)) {
        log('warn', `refused IPC ${call} from ${event.senderFrame?.url ?? 'an unknown frame'}`)
        return { ok: false, error: new AppError('UNAUTHORIZED').toPayload() }
      }
      return dispatch(api, call, args)
    })
  }
  const unsubscribe = api.onUploadEvent((event) => {
    const win = getWindow()
    if (win && !win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, event)
  })
  return () => {
    unsubscribe()
    for (const call of API_CALLS) ipcMain.removeHandler(ipcChannel(call))
  }
}
