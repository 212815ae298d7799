/**
 * The web host: the renderer build and the contract over a WebSocket, on 127.0.0.1 only,
 * for machines with no desktop and for browser tests. The page's files are public (the build
 * holds no secret); the socket needs a session secret, got once for a one-time code (see
 * auth.ts); files come only from the renderer build (static-files.ts);
 * calls are validated and dispatched exactly as Electron's IPC does (dispatch.ts); upload
 * events are pushed to every connected socket.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, WebSocket, type RawData } from 'ws'
import type { BulkUploadApi, UploadEvent } from '../../src/api'
import { AppError } from '../../src/errors'
import { CODE_PARAM, SESSION_PATH, WS_PATH, type WsServerMessage } from '../../src/api-calls'
import { dispatch } from '../dispatch'
import { contentSecurityPolicy } from '../csp'
import { log } from '../log'
import { allowedHost, allowedOrigin, SESSION_CLOSE_CODE, SessionKeeper } from './auth'
import { resolveStatic } from './static-files'
import { isMediaRequest, serveMedia } from './media-route'
import type { MediaFile } from '../batch-media'

export interface WebServerOptions {
  /** The renderer build folder (build/renderer). */
  root: string
  /** The contract's implementation, normally a CoreService. */
  api: BulkUploadApi
  /** 0 (the default) picks a free port. */
  port?: number
  /** How long an unused address stays valid (tests); auth.ts's CODE_TTL_MS otherwise. */
  codeTtlMs?: number
  /** The recordings the page may play (CoreService.mediaFile); without it /media/ is 404. */
  media?: (handle: string) => Promise<MediaFile | null>
}

export interface WebServer {
  port: number
  /** The first address to open, with its one-time code. */
  url: string
  /** A fresh address with a new one-time code (`serve` prints one on demand). */
  newAddress(): string
  close(): Promise<void>
}

/** Largest message a renderer may send (a pasted key is the biggest legitimate one). */
const MAX_MESSAGE_BYTES = 1024 * 1024
/** A socket this far behind is sent no more progress events until it catches up. */
const SLOW_SOCKET_BYTES = 4 * 1024 * 1024
const PROGRESS_KINDS = new Set<UploadEvent['kind']>(['file-progress', 'batch-progress'])

/** A socket has this long to send its secret. */
const HELLO_TIMEOUT_MS = 10_000
/** A session exchange body is `{"code":"…"}`: anything much larger is not one. */
const MAX_SESSION_BODY = 4096

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const sessions = new SessionKeeper(options.codeTtlMs)
  let port = 0
  const server = http.createServer((req, res) => {
    handleHttp(req, res).catch((err: unknown) => {
      log('error', `web host: ${req.method ?? ''} ${req.url ?? ''} failed`, err)
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'Internal error; see the log.')
      else res.destroy()
    })
  })
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })

  function securityHeaders(res: ServerResponse): void {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]))
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'no-referrer')
    res.setHeader('X-Frame-Options', 'DENY')
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
    res.setHeader('Cache-Control', 'no-store')
  }

  function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
    securityHeaders(res)
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) })
    res.end(body)
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHost(req.headers.host, port)) return send(res, 403, 'text/plain; charset=utf-8', 'Forbidden host.')
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
    if (url.pathname === SESSION_PATH) return exchangeCode(req, res)
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed.')
    }
    // The raw path, not url.pathname: URL parsing would quietly fold `..` away and hide the attempt.
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/'
    if (options.media && isMediaRequest(rawPath)) {
      const media = options.media
      return serveMedia(req, res, rawPath, { validSecret: (s) => sessions.validSecret(s), media, securityHeaders })
    }
    const found = await resolveStatic(options.root, rawPath)
    // Browsers ask for a favicon on their own; a build without one answers "no content", not an error.
    if (found.status === 404 && rawPath === '/favicon.ico') return send(res, 204, 'image/x-icon', '')
    if (found.status !== 200) return send(res, found.status, 'text/plain; charset=utf-8', found.status === 404 ? 'Not found.' : 'Refused.')
    if (req.method === 'HEAD') {
      securityHeaders(res)
      res.writeHead(200, { 'Content-Type': found.contentType, 'Content-Length': found.body.length })
      return void res.end()
    }
    send(res, 200, found.contentType, found.body)
  }

  /** POST /session {code} → {secret}, once per code; only from our own page (Origin required). */
  async function exchangeCode(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const json = (status: number, body: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(body))
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST')
      return json(405, { error: new AppError('UNAUTHORIZED').toPayload() })
    }
    const origin = req.headers.origin
    if (origin === undefined || !allowedOrigin(origin, port) || !(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return json(403, { error: new AppError('UNAUTHORIZED').toPayload() })
    }
    let body = ''
    for await (const chunk of req) {
      body += String(chunk)
      if (body.length > MAX_SESSION_BODY) return json(413, { error: new AppError('UNAUTHORIZED').toPayload() })
    }
    let code: unknown
    try {
      code = (JSON.parse(body) as { code?: unknown }).code
    } catch {
      code = undefined
    }
    const secret = sessions.exchange(code)
    if (secret === null) return json(403, { error: new AppError('ACCESS_CODE_SPENT').toPayload() })
    json(200, { secret })
  }

  function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    if (!allowedHost(req.headers.host, port)) return refuseUpgrade(socket, 403, 'Forbidden')
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
    if (url.pathname !== WS_PATH) return refuseUpgrade(socket, 404, 'Not Found')
    if (!allowedOrigin(req.headers.origin, port)) return refuseUpgrade(socket, 403, 'Forbidden')
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  /** Sockets that sent a valid secret; only they get results and events. */
  const authed = new WeakSet<WebSocket>()

  wss.on('connection', (ws: WebSocket) => {
    const timer = setTimeout(() => ws.close(SESSION_CLOSE_CODE, 'SESSION_ENDED'), HELLO_TIMEOUT_MS)
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (authed.has(ws)) return onMessage(ws, data, isBinary)
      clearTimeout(timer)
      onHello(ws, data, isBinary)
    })
    ws.on('close', () => clearTimeout(timer))
    ws.on('error', (err) => log('warn', 'web host: socket error', err))
  })

  /** The first message must be `{type:'hello', secret}` with a secret this process handed out. */
  function onHello(ws: WebSocket, data: RawData, isBinary: boolean): void {
    let hello: unknown
    try {
      hello = isBinary ? null : JSON.parse(data.toString())
    } catch {
      hello = null
    }
    const { type, secret } = (typeof hello === 'object' && hello !== null ? hello : {}) as Record<string, unknown>
    if (type !== 'hello' || !sessions.validSecret(secret)) return ws.close(SESSION_CLOSE_CODE, 'SESSION_ENDED')
    authed.add(ws)
    ws.send(JSON.stringify({ type: 'ready' } satisfies WsServerMessage))
  }

  function onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    let message: unknown
    try {
      if (isBinary) throw new Error('binary frame')
      message = JSON.parse(data.toString())
    } catch {
      ws.close(1003, 'Expected JSON text messages')
      return
    }
    const { id, call, args, type } = (typeof message === 'object' && message !== null ? message : {}) as Record<string, unknown>
    // The page's heartbeat: answered at once, so a page notices within seconds when the host is gone.
    if (type === 'ping') {
      ws.send(JSON.stringify({ type: 'pong' } satisfies WsServerMessage))
      return
    }
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
      ws.close(1008, 'Expected a numeric request id')
      return
    }
    void dispatch(options.api, call, args).then((result) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'result', id, result } satisfies WsServerMessage))
    })
  }

  const unsubscribe = options.api.onUploadEvent((event) => {
    const text = JSON.stringify({ type: 'event', event } satisfies WsServerMessage)
    for (const client of wss.clients) {
      if (client.readyState !== WebSocket.OPEN || !authed.has(client)) continue
      // Progress is throttled at the source and superseded by the next one: a slow tab may miss some.
      if (PROGRESS_KINDS.has(event.kind) && client.bufferedAmount > SLOW_SOCKET_BYTES) continue
      client.send(text)
    }
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  }).catch((err: unknown) => {
    unsubscribe()
    // Ports below 1024 need administrator rights: say so instead of "a file could not be read".
    if ((err as NodeJS.ErrnoException).code === 'EACCES') {
      throw new AppError('PORT_IN_USE', String(options.port), { cause: err, message: `Port ${String(options.port)} needs administrator rights. Choose a port above 1024, or leave --port out to get a free one.` })
    }
    throw err
  })
  port = (server.address() as AddressInfo).port

  const newAddress = () => `http://127.0.0.1:${port}/#${CODE_PARAM}=${sessions.newCode()}`
  return {
    port,
    url: newAddress(),
    newAddress,
    close: async () => {
      unsubscribe()
      for (const client of wss.clients) client.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
