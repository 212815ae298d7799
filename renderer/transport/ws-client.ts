/**
 * The browser's end of the web host: `BulkUploadApi` over one WebSocket. Calls are numbered
 * requests answered by `result` messages; upload events arrive as `event` messages and go to
 * every subscriber. A heartbeat (`ping` every second, answered by `pong`) notices a host that
 * is gone or hung within 5 s, even when no close arrives: `onConnection('lost')` lets the page
 * say so, and its answer on the same socket is `onConnection('connected')`. A socket that closes
 * (or stays silent for 30 s) fails its pending calls with CONNECTION_LOST, and the client
 * reconnects every second until the host answers (subscribers stay subscribed). The
 * session secret is the first message on each socket, never part of its address; a socket the
 * host refuses (it restarted and forgot the secret) ends the session: calls get SESSION_ENDED
 * and `onSessionEnded` runs, so the page can say how to get a new address.
 */
import type { ApiCall, AppErrorPayload, BulkUploadApi, Result, UploadEvent } from '../../src/api'
import { API_CALLS, SESSION_MESSAGES, WS_PATH, type WsHello, type WsPing, type WsServerMessage } from '../../src/api-calls'
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
  /** Called when the host stops answering ('lost') and when a socket is ready again ('connected'). */
  onConnection?: (state: ConnectionState) => void
  /** Heartbeat (and reconnect) period; 0 turns the heartbeat and reconnecting off. @default 1000 */
  heartbeatMs?: number
  /** Silence after which the host counts as lost. @default 4000 */
  lostAfterMs?: number
}

export type ConnectionState = 'connected' | 'lost'

/** Silence after which an open socket is given up and a new one tried. */
const GIVE_UP_MS = 30_000

/** Timers must not keep a Node process (tests) alive; browsers have no unref. */
function unref(timer: ReturnType<typeof setTimeout>): void {
  ;(timer as { unref?: () => void }).unref?.()
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
  let state: ConnectionState | null = null
  let lastHeard = 0
  let heartbeat: ReturnType<typeof setInterval> | null = null
  let retry: ReturnType<typeof setTimeout> | null = null
  // Silence is checked on each beat: a host gone just after a pong is noticed 4 to 5 s later.
  const heartbeatMs = options.heartbeatMs ?? 1000
  const lostAfterMs = options.lostAfterMs ?? 4000

  function setState(next: ConnectionState): void {
    if (state === next) return
    const was = state
    state = next
    // The first 'connected' is not news; only a change after a loss is.
    if (was !== null || next === 'lost') options.onConnection?.(next)
  }

  /** Forgets a socket that closed or went silent: its calls fail, and (unless the session ended) a new one is tried. */
  function drop(ws: WebSocket): void {
    if (socket !== ws) return
    socket = null
    opened = null
    if (heartbeat) clearInterval(heartbeat)
    heartbeat = null
    for (const [id, p] of pending) {
      pending.delete(id)
      p.resolve({ ok: false, error: ended ? ENDED : LOST })
    }
    if (ended || heartbeatMs === 0) return
    setState('lost')
    scheduleReconnect()
  }

  function scheduleReconnect(): void {
    if (retry || ended) return
    retry = setTimeout(() => {
      retry = null
      connect().catch(() => undefined)
    }, heartbeatMs)
    unref(retry)
  }

  /** Watches a socket from its creation: a host that hangs before answering `hello` is noticed too. */
  function startHeartbeat(ws: WebSocket, isReady: () => boolean): void {
    if (heartbeatMs === 0) return
    lastHeard = Date.now()
    heartbeat = setInterval(() => {
      const silent = Date.now() - lastHeard
      if (silent > GIVE_UP_MS) {
        // A network that went away sends no close either: stop waiting for this socket.
        drop(ws)
        ws.close()
        return
      }
      // Silent but open: say so, and keep the socket and its calls: a host busy for a few
      // seconds (or stopped and continued) answers on it again.
      if (silent > lostAfterMs) setState('lost')
      // Pings only once the secret was accepted: before that the host expects `hello` alone.
      if (ws.readyState === 1 && isReady()) ws.send(JSON.stringify({ type: 'ping' } satisfies WsPing))
    }, heartbeatMs)
    unref(heartbeat)
  }

  function connect(): Promise<WebSocket> {
    if (opened) return opened
    opened = new Promise<WebSocket>((resolve, reject) => {
      const ws = createSocket(url)
      socket = ws
      let ready = false
      if (heartbeat) clearInterval(heartbeat)
      startHeartbeat(ws, () => ready)
      ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'hello', secret: options.secret } satisfies WsHello)))
      // Calls wait for the host's 'ready': it answers nothing before the secret is accepted.
      ws.addEventListener('message', (e: MessageEvent) => {
        lastHeard = Date.now()
        if (state === 'lost' && socket === ws && heartbeat) setState('connected')
        onMessage(e.data, () => {
          ready = true
          setState('connected')
          resolve(ws)
        })
      })
      // A refused or failed connection is followed by 'close', which settles everything.
      ws.addEventListener('error', () => undefined)
      ws.addEventListener('close', (e: CloseEvent) => {
        if (e.code === SESSION_CLOSE_CODE && !ended) {
          ended = true
          options.onSessionEnded?.(ENDED)
        }
        reject(new Error('closed'))
        drop(ws)
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
