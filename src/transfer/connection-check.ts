/**
 * "Test connection" and "Trust this server" for a destination. The first connection to a
 * server stops at its host key: the UI shows the fingerprint, the user compares it with the one
 * the platform shows, and only then is it pinned, after checking that the server still
 * presents that very key. A changed key is HOST_KEY_CHANGED: a clear stop, never a prompt.
 */
import { Client } from 'ssh2'
import type { ConnectionCheck } from '../api'
import { AppError } from '../errors'
import { Connection, pinnedTarget } from './connection'
import { checkHostKey, hostKeyError, sha256Fingerprint, trustHostKey } from './host-trust'

export interface CheckTarget {
  host: string
  port: number
  username: string
  privateKey: string
  passphrase: string | null
  knownHostsPath: string
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

/** The server's host key as it presents it now (the handshake stops right after). */
export function fetchHostKey(host: string, port: number, timeoutMs = 15_000): Promise<Buffer> {
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
      username: 'host-key-check',
      readyTimeout: timeoutMs,
      hostVerifier: (blob: Buffer, verify: (valid: boolean) => void) => {
        key = Buffer.from(blob)
        // Stop here: we only wanted the key; nothing is authenticated or sent.
        verify(false)
      },
    } as Parameters<Client['connect']>[0])
  })
}

/**
 * Pins the server's key in known_hosts, but only if it is still the one whose fingerprint the
 * user confirmed: if it changed in between, nothing is pinned and HOST_KEY_CHANGED explains.
 */
export async function trustServer(target: { host: string; port: number; knownHostsPath: string }, fingerprint: string): Promise<void> {
  const key = await fetchHostKey(target.host, target.port)
  const now = sha256Fingerprint(key)
  if (now !== fingerprint) {
    throw new AppError('HOST_KEY_CHANGED', `${target.host}:${target.port} now shows ${now}, not the ${fingerprint} you confirmed.`)
  }
  await trustHostKey(target.knownHostsPath, target.host, target.port, key)
}

/**
 * Removes every pinned key of the server from known_hosts: the explicit, warned action that
 * precedes trusting a changed key. Nothing else replaces a pin.
 */
export async function forgetServer(target: { host: string; port: number; knownHostsPath: string }): Promise<void> {
  throw new AppError('INTERNAL', `Forgetting ${target.host}:${target.port} is not built yet.`)
}

/** Whether the server's current key is pinned, without logging in; HOST_KEY_CHANGED is thrown. */
export async function hostKeyStatus(target: { host: string; port: number; knownHostsPath: string }): Promise<ConnectionCheck> {
  const check = await checkHostKey(target.knownHostsPath, target.host, target.port, await fetchHostKey(target.host, target.port))
  if (check.status === 'unknown') return { hostKey: check.hostKey, trusted: false }
  const error = hostKeyError(check)
  if (error) throw error
  return { hostKey: check.hostKey, trusted: true }
}
