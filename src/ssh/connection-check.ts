/**
 * "Test connection" and "Trust this server" for a destination. The first connection to a
 * server stops at its host key: the UI shows the fingerprint, the user compares it with the one
 * the platform shows, and only then is it pinned, after checking that the server still
 * presents that very key. A changed key is HOST_KEY_CHANGED: a clear stop, never a prompt;
 * trusting never replaces a pin, and forgetting one is its own explicit call (forgetServer).
 * Every handshake here offers the pinned key types first, as uploads do, so the key looked at
 * is the key the upload will see, and every connection (the host-key fetch included) goes
 * through the same proxy as the upload: on a network that only lets SSH out through a proxy,
 * a direct fetch would fail, and elsewhere it would show the key of another route.
 */
import { Client } from 'ssh2'
import type { ConnectionCheck } from '../api'
import { AppError } from '../errors'
import { Connection, pinnedTarget } from './connection'
import { connectThroughProxy, type ProxySpec } from './proxy'
import { checkHostKey, forgetHostKeys, hostKeyAlgorithmsFor, hostKeyError, sha256Fingerprint, trustHostKey, type HostKeyAlgorithm } from './host-trust'

export interface CheckTarget {
  host: string
  port: number
  username: string
  privateKey: string
  passphrase: string | null
  knownHostsPath: string
  /** Through this proxy (proxy.ts). @default a direct connection */
  proxy?: ProxySpec | null
}

/** Connects and logs in; an unknown host comes back as `trusted: false` with its key, not as an error. */
export async function checkConnection(target: CheckTarget): Promise<ConnectionCheck> {
  const { target: login, verifier } = pinnedTarget(target)
  let connection: Connection
  try {
    connection = await Connection.open({ ...login, readyTimeoutMs: 15_000 })
  } catch (err) {
    const check = verifier.check
    if (check?.status === 'unknown') return { hostKey: check.hostKey, trusted: false }
    throw err
  }
  try {
    const hostKey = verifier.check?.hostKey
    if (!hostKey) throw new AppError('INTERNAL', 'The server was trusted without showing its key.')
    return { hostKey, trusted: true }
  } finally {
    connection.close()
  }
}

/** Where a server is, the known_hosts file that pins it, and the proxy that reaches it. */
export interface PinTarget {
  host: string
  port: number
  knownHostsPath: string
  /** Through this proxy (proxy.ts). @default a direct connection */
  proxy?: ProxySpec | null
}

export interface FetchHostKeyOptions {
  /** Offered in this order (see host-trust's orderHostKeyAlgorithms). @default ssh2's own order */
  algorithms?: HostKeyAlgorithm[]
  /** @default a direct connection */
  proxy?: ProxySpec | null
  /** @default 15000 */
  timeoutMs?: number
}

/** The server's host key as it presents it now (the handshake stops right after). */
export async function fetchHostKey(host: string, port: number, options: FetchHostKeyOptions = {}): Promise<Buffer> {
  const { algorithms, proxy, timeoutMs = 15_000 } = options
  const sock = proxy ? await connectThroughProxy(proxy, host, port, timeoutMs) : undefined
  return new Promise((resolve, reject) => {
    const client = new Client()
    let key: Buffer | null = null
    const timer = setTimeout(() => finish(new AppError('TIMEOUT', `${host}:${port} did not show its host key in time.`)), timeoutMs)
    const finish = (err: unknown) => {
      clearTimeout(timer)
      client.end()
      if (key) resolve(key)
      else reject(err)
    }
    client.on('error', finish)
    client.on('close', () => finish(new AppError('CONNECTION_LOST', 'The server closed the connection before showing its host key.')))
    client.connect({
      host,
      port,
      ...(sock ? { sock } : {}),
      username: 'host-key-check',
      readyTimeout: timeoutMs,
      ...(algorithms ? { algorithms: { serverHostKey: algorithms } } : {}),
      hostVerifier: (blob: Buffer, verify: (valid: boolean) => void) => {
        key = Buffer.from(blob)
        // Stop here: we only wanted the key; nothing is authenticated or sent.
        verify(false)
      },
    } as Parameters<Client['connect']>[0])
  })
}

/** The key the server presents to a client that offers the pinned types first, as uploads do. */
async function presentedKey(target: PinTarget): Promise<Buffer> {
  const algorithms = await hostKeyAlgorithmsFor(target.knownHostsPath, target.host, target.port)
  return fetchHostKey(target.host, target.port, { algorithms, proxy: target.proxy ?? null })
}

/**
 * Pins the server's key in known_hosts, but only if it is still the one whose fingerprint the
 * user confirmed, and only if the pins do not contradict it: a host with no pin, or whose
 * pinned key type the server no longer offers (the user compared this new key like a first
 * one). A key that differs from the pin of its type is HOST_KEY_CHANGED and nothing is
 * written, whatever fingerprint is passed: accepting a rebuilt server takes forgetServer first.
 */
export async function trustServer(target: PinTarget, fingerprint: string): Promise<void> {
  const key = await presentedKey(target)
  const now = sha256Fingerprint(key)
  if (now !== fingerprint) {
    throw new AppError('HOST_KEY_CHANGED', `${target.host}:${target.port} now shows ${now}, not the ${fingerprint} you confirmed.`)
  }
  await trustHostKey(target.knownHostsPath, target.host, target.port, key)
}

/**
 * Removes every pinned key of the server from known_hosts (plain and hashed lines; other
 * lines and comments kept byte for byte, the file owner-only): the explicit, warned action
 * that lets a user accept a rebuilt server by testing again and confirming its new key.
 * Nothing else replaces a pin. `@revoked` lines stay: a revoked key stays refused.
 */
export async function forgetServer(target: PinTarget): Promise<void> {
  await forgetHostKeys(target.knownHostsPath, target.host, target.port)
}

/** Whether the server's current key is pinned, without logging in; HOST_KEY_CHANGED is thrown. */
export async function hostKeyStatus(target: PinTarget): Promise<ConnectionCheck> {
  const check = await checkHostKey(target.knownHostsPath, target.host, target.port, await presentedKey(target))
  if (check.status === 'unknown') return { hostKey: check.hostKey, trusted: false }
  const error = hostKeyError(check)
  if (error) throw error
  return { hostKey: check.hostKey, trusted: true }
}
