/**
 * The one list of call names, shared by both transports of the contract (Electron IPC and
 * the web host's WebSocket) and by both of their ends. It is derived from the contract type:
 * the mapped type below makes the compiler reject a missing call, an extra one, or a wrong
 * argument count, so the list cannot drift from `BulkUploadApi`.
 *
 * Plain constants and type imports only: the preload, the main process, the web host and the
 * browser all import this file.
 */
import type { ApiCall, BulkUploadApi } from './api'
import { ERROR_MESSAGES } from './errors'

/** How many arguments each call takes (what the transports send and check). */
export const CALL_ARITY: { readonly [K in ApiCall]: Parameters<BulkUploadApi[K]>['length'] } = {
  capabilities: 0,
  scan: 1,
  browse: 1,
  pickFolder: 0,
  previewCsv: 1,
  checkProfile: 2,
  convertDateExample: 3,
  proposeDateFormat: 2,
  parseMapping: 1,
  saveMapping: 1,
  validate: 1,
  listIssues: 2,
  exportIssues: 1,
  listRecordings: 3,
  listKeys: 0,
  generateKey: 3,
  importKey: 3,
  listDestinations: 0,
  saveDestination: 1,
  removeDestination: 1,
  testConnection: 2,
  trustHost: 2,
  forgetHostKey: 1,
  listHistory: 1,
  writeSampleCsv: 2,
  startUpload: 3,
  pauseUpload: 2,
  cancelUpload: 1,
  listInterrupted: 0,
  resumeInterrupted: 2,
  discardInterrupted: 1,
  resyncUpload: 1,
  openPath: 1,
  getSettings: 0,
  saveSettings: 1,
  saveJob: 1,
  listJobs: 0,
  removeJob: 1,
  getKnownAgents: 1,
  previewAgentList: 1,
  importAgentList: 3,
  saveAgentList: 2,
  setStrictAgents: 2,
  confirmAgents: 2,
  matchPreviewRecordings: 1,
}

/** Every request/response call of the contract, in declaration order. */
export const API_CALLS = Object.keys(CALL_ARITY) as ApiCall[]

export function isApiCall(name: unknown): name is ApiCall {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(CALL_ARITY, name)
}

/** Electron IPC channel of a call (`ipcRenderer.invoke` / `ipcMain.handle`). */
export function ipcChannel(call: ApiCall): `bulk-upload:${ApiCall}` {
  return `bulk-upload:${call}`
}

/** Electron IPC channel the main process pushes upload events on. */
export const IPC_EVENT_CHANNEL = 'bulk-upload:upload-event'

/** Path of the web host's WebSocket endpoint. */
export const WS_PATH = '/api'

/**
 * Fragment parameter of the printed address carrying the one-time access code. A fragment is
 * never sent in a request, so the code reaches no server log, Referer or proxy.
 */
export const CODE_PARAM = 'code'

/** Where the page exchanges the one-time code for its session secret (POST, JSON). */
export const SESSION_PATH = '/session'

/** The sentences the page itself shows when it has no session (their one source: errors.ts). */
export const SESSION_MESSAGES = {
  ACCESS_CODE_SPENT: ERROR_MESSAGES.ACCESS_CODE_SPENT,
  SESSION_ENDED: ERROR_MESSAGES.SESSION_ENDED,
} as const

/** The first message a page sends on the socket: its session secret. */
export interface WsHello {
  type: 'hello'
  secret: string
}

/** The page's heartbeat: the host answers `pong` at once, so a silent host is noticed within seconds. */
export interface WsPing {
  type: 'ping'
}

/** Messages on the web host's WebSocket. */
export interface WsRequest {
  id: number
  call: ApiCall
  args: unknown[]
}
export type WsServerMessage =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'event'; event: unknown }
  /** The socket's secret was accepted: calls may follow. */
  | { type: 'ready' }
  /** The answer to a `ping`. */
  | { type: 'pong' }

/** What the Electron preload exposes as `window.bulkUpload`: the contract, plus real paths of dropped files. */
export interface ElectronBridge extends BulkUploadApi {
  /** The real path of a dropped file or folder (Electron's `webUtils.getPathForFile`); '' when it has none. */
  pathForFile(file: File): string
}

/**
 * The web host's route for playing a checked batch's recordings: `/media/<handle>` (a
 * RecordingRow's `media`), with the session's secret in `Authorization: Bearer …` and an
 * optional `Range` header.
 */
export const MEDIA_PATH = '/media/'

/** The custom protocol Electron serves the same recordings under: `bulk-media://recording/<handle>`. */
export const MEDIA_PROTOCOL = 'bulk-media'
