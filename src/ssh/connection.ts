import { connect } from 'node:net'
import type { Duplex } from 'node:stream'
import { Client, type SFTPWrapper } from 'ssh2'
import { AppError } from '../errors'
import { createHostVerifier, hostKeyAlgorithmsFor, type HostKeyAlgorithm, type HostTrustPolicy, type HostVerifier } from './host-trust'
import { drawPaddingInBulk } from './bulk-padding'
import { corkEachTick } from './cork-each-tick'
import { findSsh, openSshUnavailable, transportFromEnv, type OpenSshSpec, type TransportChoice } from './openssh-transport'
import { connectThroughProxy, type ProxySpec } from './proxy'
import { sftpError } from '../transfer/sftp-errors'

/** Where and as whom to connect, and how to decide whether the server is the one we trust. */
export interface ConnectTarget {
  host: string
  port: number
  username: string
  privateKey: string | Buffer
  passphrase?: string
  /** ssh2 host verifier (host-trust's createHostVerifier): accepts only the pinned key. */
  verifyHostKey: (key: Buffer, verify: (valid: boolean) => void) => void
  /** Why the verifier refused, if it did: HOST_KEY_UNKNOWN or HOST_KEY_CHANGED. */
  hostKeyError?: () => AppError | null
  /**
   * The host key algorithms to offer, in order, read when each connection opens (pins made
   * since count). Pinned types first, as OpenSSH does, so a server with several host keys
   * presents the pinned one. @default ssh2's own order
   */
  hostKeyAlgorithms?: () => Promise<HostKeyAlgorithm[]>
  /** @default 20000 */
  readyTimeoutMs?: number
  /**
   * Keepalive period. AWS Transfer drops connections idle for 30 minutes, and a paused
   * upload is idle: keepalives keep it open. @default 15000
   */
  keepaliveIntervalMs?: number
  /**
   * Opens the TCP connection to the server (e.g. through a proxy); ssh2 runs the session over
   * it. Refusals come back as coded AppErrors. @default a direct connection to host:port
   */
  openSocket?: () => Promise<Duplex>
  /**
   * Set when the system's OpenSSH client may carry this login (openssh-transport.ts): the pool
   * then runs `ssh` for each connection, and ssh2 where ssh cannot (host not pinned yet, a key
   * ssh refuses). Unset: ssh2 only. @default unset
   */
  openssh?: OpenSshSpec
}

/** Who logs in where, and the known_hosts file that says which server to trust. */
export interface LoginDetails {
  host: string
  port: number
  username: string
  privateKey: string | Buffer
  passphrase?: string | null
  knownHostsPath: string
  /** @default 'strict' */
  policy?: HostTrustPolicy
  /** `--proxy` (proxy.ts). @default a direct connection */
  proxy?: ProxySpec | null
  /**
   * The encrypted transport (openssh-transport.ts): 'openssh' runs the system's ssh where it
   * can carry the login, ssh2 elsewhere. @default BULK_UPLOAD_TRANSPORT, else 'ssh2'
   */
  transport?: TransportChoice
}

/**
 * The ConnectTarget every caller wants: the server must present the key pinned in
 * known_hosts (or, with 'trust-new', is pinned on first sight). The verifier says afterwards
 * what the server showed, for prompts and coded refusals.
 */
export function pinnedTarget(login: LoginDetails): { target: ConnectTarget; verifier: HostVerifier } {
  const verifier = createHostVerifier({ host: login.host, port: login.port, knownHostsPath: login.knownHostsPath, policy: login.policy ?? 'strict' })
  const target: ConnectTarget = {
    host: login.host,
    port: login.port,
    username: login.username,
    privateKey: login.privateKey,
    ...(login.passphrase ? { passphrase: login.passphrase } : {}),
    verifyHostKey: verifier.hostVerifier,
    hostKeyError: () => verifier.error,
    hostKeyAlgorithms: () => hostKeyAlgorithmsFor(login.knownHostsPath, login.host, login.port),
  }
  const proxy = login.proxy
  if (proxy) target.openSocket = () => connectThroughProxy(proxy, login.host, login.port)
  if ((login.transport ?? transportFromEnv()) === 'openssh') {
    const sshPath = findSsh()
    if (sshPath && openSshUnavailable(login, sshPath) === null) target.openssh = { knownHostsPath: login.knownHostsPath, sshPath }
  }
  return { target, verifier }
}

/** One SSH connection; SFTP channels are opened on it (at most 10 on AWS Transfer). */
export class Connection {
  private closed = false
  private readonly closeListeners = new Set<(err: AppError) => void>()

  private constructor(private readonly client: Client) {
    client.on('close', () => this.markClosed(new AppError('CONNECTION_LOST', 'The SSH connection closed.')))
    client.on('error', (err) => this.markClosed(sftpError(err)))
  }

  /**
   * Opens and authenticates a connection; refusals come back as coded AppErrors. `signal`
   * abandons a login still under way (a pool closed before its connection is ready), so a
   * server that never answers does not keep the process alive until the ready timeout.
   */
  static async open(target: ConnectTarget, signal?: AbortSignal): Promise<Connection> {
    let serverHostKey: HostKeyAlgorithm[] | undefined
    try {
      serverHostKey = await target.hostKeyAlgorithms?.()
    } catch (err) {
      throw new AppError('NOT_READABLE', `known_hosts could not be read: ${String(err)}`, { cause: err })
    }
    // The socket is ours (ssh2 waits for a connecting one as for its own): its writes are
    // gathered per turn of the event loop (cork-each-tick.ts).
    const sock = target.openSocket ? await target.openSocket() : connect({ host: target.host, port: target.port })
    corkEachTick(sock)
    return new Promise((resolve, reject) => {
      const client = new Client()
      let settled = false
      const abandon = () => {
        if (settled) return
        settled = true
        sock.destroy()
        client.end()
        reject(new AppError('CANCELLED', 'The login was abandoned: the upload no longer needed this connection.'))
      }
      const fail = (err: unknown) => {
        if (settled) return
        settled = true
        signal?.removeEventListener('abort', abandon)
        client.end()
        reject(target.hostKeyError?.() ?? sftpError(err))
      }
      if (signal?.aborted) return abandon()
      signal?.addEventListener('abort', abandon, { once: true })
      client.once('ready', () => {
        if (settled) return
        settled = true
        signal?.removeEventListener('abort', abandon)
        client.removeListener('error', fail)
        drawPaddingInBulk(client)
        resolve(new Connection(client))
      })
      // `on`, not `once`: after a failed login the socket may still report a reset, and an
      // 'error' with no listener would crash the process.
      client.on('error', fail)
      client.once('close', () => fail(new AppError('CONNECTION_LOST', 'The server closed the connection during login.')))
      client.connect({
        host: target.host,
        port: target.port,
        sock,
        username: target.username,
        privateKey: target.privateKey,
        ...(target.passphrase ? { passphrase: target.passphrase } : {}),
        hostVerifier: target.verifyHostKey,
        ...(serverHostKey ? { algorithms: { serverHostKey } } : {}),
        readyTimeout: target.readyTimeoutMs ?? 20_000,
        keepaliveInterval: target.keepaliveIntervalMs ?? 15_000,
        keepaliveCountMax: 4,
        // Key authentication only: the platform accepts nothing else, and a password prompt
        // would hang an unattended upload.
        tryKeyboard: false,
      })
      // SFTP is request/response: Nagle's algorithm would hold each small request (open,
      // close, stat) until the previous one is acknowledged, adding a delay per file.
      client.setNoDelay(true)
    })
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Opens one SFTP channel (SFTP v3, which is all AWS Transfer speaks). */
  openSftp(): Promise<SFTPWrapper> {
    if (this.closed) return Promise.reject(new AppError('CONNECTION_LOST', 'The SSH connection is closed.'))
    return new Promise((resolve, reject) => {
      // ssh2 throws "Not connected" at once when the socket closed before its 'close' event.
      try {
        this.client.sftp((err, sftp) => (err ? reject(sftpError(err)) : resolve(sftp)))
      } catch (err) {
        reject(sftpError(err))
      }
    })
  }

  /** Called once when the connection ends for any reason. */
  onClose(listener: (err: AppError) => void): () => void {
    this.closeListeners.add(listener)
    return () => this.closeListeners.delete(listener)
  }

  close(): void {
    this.client.end()
    this.markClosed(new AppError('CONNECTION_LOST', 'The SSH connection was closed by the app.'))
  }

  private markClosed(err: AppError): void {
    if (this.closed) return
    this.closed = true
    for (const listener of this.closeListeners) listener(err)
    this.closeListeners.clear()
  }
}
