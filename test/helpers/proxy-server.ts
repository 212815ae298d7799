/**
 * A small SOCKS5 (RFC 1928/1929) and HTTP CONNECT proxy for tests, on 127.0.0.1 and a free
 * port. It logs each CONNECT it is asked for and only ever connects to 127.0.0.1 (a name
 * other than localhost is refused), so tests never send traffic elsewhere.
 */
import net from 'node:net'

export interface TestProxy {
  kind: 'socks5' | 'http'
  port: number
  /** The proxy URL with the configured credentials (if any). */
  url: string
  /** Every CONNECT asked for, as `host:port`, with whether it was let through. */
  connects: Array<{ target: string; allowed: boolean }>
  /** Bytes relayed from client to server (all connections). */
  bytesUp: number
  close(): Promise<void>
}

export interface ProxyOptions {
  kind: 'socks5' | 'http'
  username?: string
  password?: string
}

export async function startProxy(opts: ProxyOptions): Promise<TestProxy> {
  const sockets = new Set<net.Socket>()
  const proxy: TestProxy = { kind: opts.kind, port: 0, url: '', connects: [], bytesUp: 0, close: async () => undefined }
  const server = net.createServer((client) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => client.destroy())
    const handle = opts.kind === 'http' ? httpSession : socksSession
    handle(client, opts, proxy, sockets).catch(() => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxy.port = (server.address() as net.AddressInfo).port
  const login = opts.username !== undefined ? `${encodeURIComponent(opts.username)}:${encodeURIComponent(opts.password ?? '')}@` : ''
  proxy.url = `${opts.kind}://${login}127.0.0.1:${proxy.port}`
  proxy.close = async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return proxy
}

/** Reads from a socket until `enough` says the buffer holds a full message. */
function readUntil(socket: net.Socket, state: { buf: Buffer }, enough: (b: Buffer) => number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const n = enough(state.buf)
      if (n < 0) return false
      socket.removeListener('data', onData)
      socket.removeListener('close', onClose)
      const out = state.buf.subarray(0, n)
      state.buf = state.buf.subarray(n)
      resolve(out)
      return true
    }
    const onData = (chunk: Buffer) => {
      state.buf = Buffer.concat([state.buf, chunk])
      check()
    }
    const onClose = () => reject(new Error('closed'))
    if (check()) return
    socket.on('data', onData)
    socket.once('close', onClose)
  })
}

function allowed(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost'
}

function relay(client: net.Socket, host: string, port: number, proxy: TestProxy, sockets: Set<net.Socket>, rest: Buffer, onReady: (ok: boolean) => void): void {
  const upstream = net.connect({ host: '127.0.0.1', port })
  sockets.add(upstream)
  upstream.on('close', () => sockets.delete(upstream))
  upstream.once('error', () => {
    onReady(false)
    client.destroy()
  })
  upstream.once('connect', () => {
    onReady(true)
    // A relay adds no batching of its own: without this, Nagle holds small SSH packets (window
    // adjusts, acks) on each side of the hop and the proxy measures slower than it is.
    client.setNoDelay(true)
    upstream.setNoDelay(true)
    if (rest.length) {
      proxy.bytesUp += rest.length
      upstream.write(rest)
    }
    client.on('data', (d: Buffer) => (proxy.bytesUp += d.length))
    client.pipe(upstream)
    upstream.pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  void host
}

async function httpSession(client: net.Socket, opts: ProxyOptions, proxy: TestProxy, sockets: Set<net.Socket>): Promise<void> {
  const state = { buf: Buffer.alloc(0) }
  const head = (await readUntil(client, state, (b) => { const i = b.indexOf('\r\n\r\n'); return i < 0 ? -1 : i + 4 })).toString('latin1')
  const m = /^CONNECT (\S+):(\d+) HTTP\/1\.[01]\r\n/.exec(head)
  if (!m) return void client.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n')
  const host = m[1]!.replace(/^\[|\]$/g, '')
  const target = `${host}:${m[2]}`
  if (opts.username !== undefined) {
    const want = `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}`
    if (!head.split('\r\n').some((l) => l.toLowerCase() === `proxy-authorization: ${want.toLowerCase()}`)) {
      proxy.connects.push({ target, allowed: false })
      return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n')
    }
  }
  proxy.connects.push({ target, allowed: allowed(host) })
  if (!allowed(host)) return void client.end('HTTP/1.1 403 Forbidden\r\n\r\n')
  relay(client, host, Number(m[2]), proxy, sockets, state.buf, (ok) => client.write(ok ? 'HTTP/1.1 200 Connection established\r\n\r\n' : 'HTTP/1.1 502 Bad Gateway\r\n\r\n'))
}

async function socksSession(client: net.Socket, opts: ProxyOptions, proxy: TestProxy, sockets: Set<net.Socket>): Promise<void> {
  const state = { buf: Buffer.alloc(0) }
  const hello = await readUntil(client, state, (b) => (b.length >= 2 && b.length >= 2 + b[1]! ? 2 + b[1]! : -1))
  const methods = [...hello.subarray(2)]
  const wantLogin = opts.username !== undefined
  if (wantLogin ? !methods.includes(2) : !methods.includes(0)) return void client.end(Buffer.from([5, 0xff]))
  client.write(Buffer.from([5, wantLogin ? 2 : 0]))
  if (wantLogin) {
    const auth = await readUntil(client, state, (b) => {
      if (b.length < 2) return -1
      const ulen = b[1]!
      if (b.length < 3 + ulen) return -1
      const plen = b[2 + ulen]!
      return b.length >= 3 + ulen + plen ? 3 + ulen + plen : -1
    })
    const ulen = auth[1]!
    const user = auth.subarray(2, 2 + ulen).toString()
    const pass = auth.subarray(3 + ulen).toString()
    if (user !== opts.username || pass !== (opts.password ?? '')) {
      proxy.connects.push({ target: '(login refused)', allowed: false })
      return void client.end(Buffer.from([1, 1]))
    }
    client.write(Buffer.from([1, 0]))
  }
  const req = await readUntil(client, state, (b) => {
    if (b.length < 5) return -1
    const len = b[3] === 1 ? 4 : b[3] === 4 ? 16 : 1 + b[4]!
    return b.length >= 4 + len + 2 ? 4 + len + 2 : -1
  })
  const atyp = req[3]
  const host = atyp === 1 ? [...req.subarray(4, 8)].join('.') : atyp === 3 ? req.subarray(5, 5 + req[4]!).toString() : '::'
  const port = req.readUInt16BE(req.length - 2)
  const target = `${host}:${port}`
  proxy.connects.push({ target, allowed: allowed(host) })
  const reply = (code: number) => Buffer.from([5, code, 0, 1, 127, 0, 0, 1, 0, 0])
  if (!allowed(host)) return void client.end(reply(2))
  relay(client, host, port, proxy, sockets, state.buf, (ok) => client.write(reply(ok ? 0 : 5)))
}
