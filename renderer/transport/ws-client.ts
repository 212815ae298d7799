/**
 * The browser's end of the web host: `BulkUploadApi` over one WebSocket. Calls are numbered
 * requests answered by `result` messages; upload events arrive as `event` messages and go to
 * every subscriber. If the socket drops (host restarted, laptop slept), pending calls get a
 * CONNECTION_LOST result and the next call reconnects; subscribers stay subscribed. The
 * session secret is the first message on each socket, never part of its address; a socket the
 * host refuses (it restarted and forgot the secret) ends the session: calls get SESSION_ENDED
 * and `onSessionEnded` runs, so the page can say how to get a new address.
 */
import type { ApiCall, AppErrorPayload, BulkUploadApi, Result, UploadEvent } from '../../src/api'
import { API_CALLS, SESSION_MESSAGES, WS_PATH, type WsHello, type WsServerMessage } from '../../src/api-calls'
import { createMediaFetcher } from './media-fetch'

/** The host's close code for "no valid session" (main/web-host/auth.ts SESSION_CLOSE_CODE). */
const SESSION_CLOSE_CODE = 4401

type Pending = { resolve: (result: Result<unknown>) => void }

/** The error a call gets when the host cannot be reached (same sentence as the core's). */
const LOST: AppErrorPayload = {
  code: 'CONNECTION_LOST',
  message: 'The connection to the app was lost. Check that `bulk-upload serve` is still running, then try again.',
}

export interface WsClientOptions {
  /** ws:// address of the host's socket; defaults to this page's host. */
  url?: string
  /** Factory for tests; the browser's WebSocket otherwise. */
  createSocket?: (url: string) => WebSocket
  /** The session secret got for the address's one-time code (web-session.ts). */
  secret: string
  /** Called once when the host refuses the secret. */
  onSessionEnded?: (error: AppErrorPayload) => void
}

const ENDED: AppErrorPayload = { code: 'SESSION_ENDED', message: SESSION_MESSAGES.SESSION_ENDED }

/** The socket address for this page: same host; no secret in it. */
export function defaultSocketUrl(location: Pick<Location, 'host' | 'protocol'>): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${location.host}${WS_PATH}`
}

export function createWsApi(options: WsClientOptions): BulkUploadApi {
  const url = options.url ?? defaultSocketUrl(window.location)
  const createSocket = options.createSocket ?? ((u: string) => new WebSocket(u))
  const pending = new Map<number, Pending>()
  const listeners = new Set<(event: UploadEvent) => void>()
  let nextId = 1
  let socket: WebSocket | null = null
  let opened: Promise<WebSocket> | null = null
  let ended = false

  function connect(): Promise<WebSocket> {
    if (opened) return opened
    opened = new Promise<WebSocket>((resolve, reject) => {
      const ws = createSocket(url)
      socket = ws
      ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'hello', secret: options.secret } satisfies WsHello)))
      // Calls wait for the host's 'ready': it answers nothing before the secret is accepted.
      ws.addEventListener('message', (e: MessageEvent) => onMessage(e.data, () => resolve(ws)))
      // A refused or failed connection is followed by 'close', which settles everything.
      ws.addEventListener('error', () => undefined)
      ws.addEventListener('close', (e: CloseEvent) => {
        if (socket === ws) {
          socket = null
          opened = null
        }
        if (e.code === SESSION_CLOSE_CODE && !ended) {
          ended = true
          options.onSessionEnded?.(ENDED)
        }
        reject(new Error('closed'))
        for (const [id, p] of pending) {
          pending.delete(id)
          p.resolve({ ok: false, error: ended ? ENDED : LOST })
        }
      })
    })
    // A failed connection is reported per call, not as an unhandled rejection.
    opened.catch(() => undefined)
    return opened
  }

  function onMessage(data: unknown, onReady: () => void): void {
    if (typeof data !== 'string') return
    let message: WsServerMessage
    try {
      message = JSON.parse(data) as WsServerMessage
    } catch {
      return
    }
    if (message.type === 'ready') {
      onReady()
    } else if (message.type === 'result') {
      const p = pending.get(message.id)
      if (p) {
        pending.delete(message.id)
        p.resolve(message.result as Result<unknown>)
      }
    } else if (message.type === 'event') {
      for (const listener of [...listeners]) listener(message.event as UploadEvent)
    }
  }

  async function call(name: ApiCall, args: unknown[]): Promise<Result<unknown>> {
    if (ended) return { ok: false, error: ENDED }
    let ws: WebSocket
    try {
      ws = await connect()
    } catch {
      return { ok: false, error: ended ? ENDED : LOST }
    }
    const id = nextId++
    return new Promise<Result<unknown>>((resolve) => {
      pending.set(id, { resolve })
      ws.send(JSON.stringify({ id, call: name, args }))
    })
  }

  const api = {
    onUploadEvent(listener: (event: UploadEvent) => void): () => void {
      listeners.add(listener)
      // Events only flow on an open socket: subscribing opens it.
      void connect()
      return () => {
        listeners.delete(listener)
      }
    },
    mediaUrl: createMediaFetcher(options.secret),
  } as Partial<Record<ApiCall | 'onUploadEvent' | 'mediaUrl', unknown>>
  for (const name of API_CALLS) api[name] = (...args: unknown[]) => call(name, args)
  return api as BulkUploadApi
}
