/**
 * `--proxy`: the SSH connection opened through a SOCKS5 or HTTP CONNECT proxy, as corporate
 * networks require. The result is a plain TCP socket to the SFTP server that ssh2 is handed
 * (`sock`), so the SSH session itself is end to end: the proxy sees only encrypted bytes.
 */
import { lookup } from 'node:dns/promises'
import net from 'node:net'
import { AppError } from '../errors'

export type ProxyKind = 'socks5' | 'socks5h' | 'http'

export interface ProxySpec {
  kind: ProxyKind
  host: string
  port: number
  username?: string
  password?: string
}

const DEFAULT_PORTS: Record<ProxyKind, number> = { socks5: 1080, socks5h: 1080, http: 8080 }

/**
 * `socks5://`, `socks5h://` (the proxy resolves the name) or `http://`, optional
 * `user:password@`. `name` is what the message calls it (`--proxy`, or the desktop setting).
 */
export function parseProxyUrl(text: string, name = '--proxy'): ProxySpec {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw badProxy(text, name)
  }
  const kind = url.protocol.replace(/:$/, '') as ProxyKind
  if (!(kind in DEFAULT_PORTS) || !url.hostname) throw badProxy(text, name)
  const spec: ProxySpec = { kind, host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : DEFAULT_PORTS[kind] }
  if (url.username) spec.username = decodeURIComponent(url.username)
  if (url.password) spec.password = decodeURIComponent(url.password)
  return spec
}

function badProxy(text: string, name: string): AppError {
  return new AppError('BAD_ARGUMENT', `Expected \`${name}\` to be socks5://HOST:PORT, socks5h://HOST:PORT or http://HOST:PORT (optionally user:password@), got \`${redact(text)}\`.`)
}

/** The URL `parseProxyUrl` reads back as `spec` (a saved job stores a proxy this way). */
export function formatProxyUrl(spec: ProxySpec): string {
  const login = spec.username !== undefined ? `${encodeURIComponent(spec.username)}${spec.password !== undefined ? `:${encodeURIComponent(spec.password)}` : ''}@` : ''
  const host = net.isIPv6(spec.host) ? `[${spec.host}]` : spec.host
  return `${spec.kind}://${login}${host}:${spec.port}`
}

/** The proxy URL without its password, for messages and logs. */
export function redact(text: string): string {
  return text.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')
}

/**
 * The proxy password for a proxy URL that names a user but no password: nothing secret on a
 * command line (`ps` shows it to every user) or in a saved job's file. Scheduler entries set it
 * in their environment (systemd's EnvironmentFile=, a 0600 file the job's user owns).
 */
export const PROXY_PASSWORD_ENV = 'BULK_UPLOAD_PROXY_PASSWORD'

/** True when a proxy URL carries a password (which must then not be stored). */
export function hasProxyPassword(text: string): boolean {
  try {
    return new URL(text).password !== ''
  } catch {
    return false
  }
}

/**
 * Where the proxy setting comes from: `--proxy`, else ALL_PROXY, else HTTPS_PROXY (either case);
 * `--no-proxy` ignores them. A URL with a user and no password takes the password from
 * BULK_UPLOAD_PROXY_PASSWORD when it is set.
 */
export function proxyFromOptions(opts: { proxy?: string | false }, env: NodeJS.ProcessEnv = process.env): ProxySpec | null {
  if (opts.proxy === false) return null
  const text = opts.proxy || env.ALL_PROXY || env.all_proxy || env.HTTPS_PROXY || env.https_proxy
  if (!text) return null
  const spec = parseProxyUrl(text)
  const password = env[PROXY_PASSWORD_ENV]
  if (spec.username !== undefined && spec.password === undefined && password) spec.password = password
  return spec
}

/** A TCP socket to `host:port` through the proxy; refusals and failures come back as coded AppErrors. */
export async function connectThroughProxy(proxy: ProxySpec, host: string, port: number, timeoutMs = 20_000): Promise<net.Socket> {
  // socks5:// resolves the server's name here; socks5h:// and http:// let the proxy do it.
  const target = proxy.kind === 'socks5' && net.isIP(host) === 0 ? (await lookup(host).catch((err: unknown) => {
    throw new AppError('HOST_NOT_FOUND', `${host}: ${(err as Error).message}`, { cause: err })
  })).address : host
  const socket = await openSocket(proxy, timeoutMs)
  const reader = new Reader(socket)
  const where = `${proxy.kind}://${proxy.host}:${proxy.port} to ${host}:${port}`
  const timer = setTimeout(() => socket.destroy(new AppError('TIMEOUT', `The proxy ${where} did not answer in time.`)), timeoutMs)
  try {
    if (proxy.kind === 'http') await httpConnect(socket, reader, proxy, target, port, where)
    else await socksConnect(socket, reader, proxy, target, port, where)
    reader.release()
    return socket
  } catch (err) {
    socket.destroy()
    throw err instanceof AppError ? err : new AppError('PROXY_FAILED', `${where}: ${(err as Error).message}`, { cause: err })
  } finally {
    clearTimeout(timer)
  }
}

function openSocket(proxy: ProxySpec, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: proxy.host, port: proxy.port })
    const timer = setTimeout(() => fail(new Error('no answer')), timeoutMs)
    function fail(err: Error) {
      clearTimeout(timer)
      socket.destroy()
      reject(new AppError('PROXY_UNREACHABLE', `${proxy.host}:${proxy.port}: ${err.message}`, { cause: err }))
    }
    socket.once('error', fail)
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.removeListener('error', fail)
      socket.setNoDelay(true)
      resolve(socket)
    })
  })
}

/** Reads exact byte counts (or up to a delimiter) from the socket during the handshake. */
class Reader {
  private buffered = Buffer.alloc(0)
  private waiting: (() => void) | null = null
  private ended: Error | null = null
  private readonly onData = (chunk: Buffer) => {
    this.buffered = Buffer.concat([this.buffered, chunk])
    this.waiting?.()
  }
  private readonly onEnd = (err?: Error) => {
    this.ended = err instanceof Error ? err : new Error('the proxy closed the connection')
    this.waiting?.()
  }

  constructor(private readonly socket: net.Socket) {
    socket.on('data', this.onData)
    socket.on('close', this.onEnd)
    socket.on('error', this.onEnd)
  }

  async bytes(n: number): Promise<Buffer> {
    await this.until(() => this.buffered.length >= n)
    const out = this.buffered.subarray(0, n)
    this.buffered = this.buffered.subarray(n)
    return out
  }

  async upTo(delimiter: string, max = 16 * 1024): Promise<string> {
    await this.until(() => this.buffered.includes(delimiter) || this.buffered.length > max)
    const end = this.buffered.indexOf(delimiter)
    if (end < 0) throw new Error('the proxy sent an over-long reply')
    const out = this.buffered.subarray(0, end).toString('latin1')
    this.buffered = this.buffered.subarray(end + delimiter.length)
    return out
  }

  /** Hands the socket on: listeners off, anything read past the handshake put back. */
  release(): void {
    this.socket.removeListener('data', this.onData)
    this.socket.removeListener('close', this.onEnd)
    this.socket.removeListener('error', this.onEnd)
    this.socket.pause()
    if (this.buffered.length > 0) this.socket.unshift(this.buffered)
  }

  private async until(ready: () => boolean): Promise<void> {
    while (!ready()) {
      if (this.ended) throw this.ended
      await new Promise<void>((resolve) => (this.waiting = resolve))
      this.waiting = null
    }
  }
}

async function httpConnect(socket: net.Socket, reader: Reader, proxy: ProxySpec, host: string, port: number, where: string): Promise<void> {
  const authority = net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`
  const auth = proxy.username !== undefined ? `Proxy-Authorization: Basic ${Buffer.from(`${proxy.username}:${proxy.password ?? ''}`).toString('base64')}\r\n` : ''
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`)
  const head = await reader.upTo('\r\n\r\n')
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]
  if (status === '200') return
  const line = head.split('\r\n')[0] ?? ''
  if (status === '407') throw new AppError('PROXY_REFUSED', `${where}: ${line}`)
  throw new AppError('PROXY_FAILED', `${where}: ${line || 'not an HTTP proxy'}`)
}

/** SOCKS5 reply codes (RFC 1928, section 6). */
const SOCKS_REPLIES: Record<number, string> = {
  1: 'general failure', 2: 'connection not allowed by the proxy\'s rules', 3: 'network unreachable', 4: 'host unreachable',
  5: 'connection refused by the server', 6: 'TTL expired', 7: 'command not supported', 8: 'address type not supported',
}

async function socksConnect(socket: net.Socket, reader: Reader, proxy: ProxySpec, host: string, port: number, where: string): Promise<void> {
  const withLogin = proxy.username !== undefined
  socket.write(Buffer.from(withLogin ? [5, 2, 0, 2] : [5, 1, 0]))
  const [version, method] = await reader.bytes(2)
  if (version !== 5) throw new AppError('PROXY_FAILED', `${where}: not a SOCKS5 proxy`)
  if (method === 0xff) throw new AppError('PROXY_REFUSED', `${where}: the proxy wants ${withLogin ? 'another way of logging in' : 'a user name and password'}`)
  if (method === 2) {
    if (!withLogin) throw new AppError('PROXY_REFUSED', `${where}: the proxy wants a user name and password`)
    const user = Buffer.from(proxy.username!)
    const pass = Buffer.from(proxy.password ?? '')
    socket.write(Buffer.concat([Buffer.from([1, user.length]), user, Buffer.from([pass.length]), pass]))
    const [, status] = await reader.bytes(2)
    if (status !== 0) throw new AppError('PROXY_REFUSED', `${where}: user name or password refused`)
  } else if (method !== 0) {
    throw new AppError('PROXY_FAILED', `${where}: the proxy chose an unknown login method ${method}`)
  }
  const portBytes = Buffer.from([port >> 8, port & 0xff])
  const ipType = net.isIP(host)
  const address = ipType === 4 ? Buffer.from([1, ...host.split('.').map(Number)])
    : ipType === 6 ? Buffer.concat([Buffer.from([4]), ipv6Bytes(host)])
      : Buffer.concat([Buffer.from([3, Buffer.byteLength(host)]), Buffer.from(host)])
  socket.write(Buffer.concat([Buffer.from([5, 1, 0]), address, portBytes]))
  const [, reply, , atyp] = await reader.bytes(4)
  if (reply !== 0) throw new AppError('PROXY_FAILED', `${where}: ${SOCKS_REPLIES[reply!] ?? `reply ${reply}`}`)
  const rest = atyp === 1 ? 4 : atyp === 4 ? 16 : (await reader.bytes(1))[0]!
  await reader.bytes(rest + 2) // the proxy's bound address and port: not needed
}

function ipv6Bytes(host: string): Buffer {
  const [head = '', tail = ''] = host.split('::')
  const h = head ? head.split(':') : []
  const t = tail ? tail.split(':') : []
  const groups = host.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h
  return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]))
}
