import { connect, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { SFTPWrapper } from 'ssh2'
import { AppError } from '../errors'
import { Connection, type ConnectTarget } from './connection'
import { OpenSshConnection, OpenSshNotUsable } from './openssh-transport'
import { channelOpen } from '../transfer/sftp-ops'

/** What the pool needs of a connection, over ssh2 (Connection) or OpenSSH's ssh (OpenSshConnection). */
type PoolConnection = Pick<Connection, 'isClosed' | 'openSftp' | 'onClose' | 'close'> & { sharesChannel?: boolean; abort?: () => void }

/** AWS Transfer Family allows at most 10 channels per connection. */
export const MAX_CHANNELS_PER_CONNECTION = 10

/**
 * Gives each upload slot its own SFTP channel, spreading slots over as many connections as
 * the per-connection channel limit needs, and reconnecting a connection that dropped the
 * next time one of its slots asks for a channel.
 */
export class ChannelPool {
  private readonly connections: Array<Promise<PoolConnection> | null> = []
  /** Connections that opened, for abort(): OpenSSH's are dropped by ending their ssh process. */
  private readonly live = new Set<PoolConnection>()
  /** Set once ssh could not carry a login: later connections of this pool use ssh2 at once. */
  private openSshRefused: string | null = null
  private readonly channels = new Map<number, Promise<SFTPWrapper>>()
  /** Slots whose channel is their connection's one channel (OpenSSH), shared with other slots. */
  private readonly sharedChannels = new Set<number>()
  /** Aborted by closeAll: logins still under way are abandoned. */
  private closing = new AbortController()
  /** The sockets under the connections, so that abort() can drop them without a goodbye. */
  private readonly sockets = new Set<Duplex>()
  private readonly target: ConnectTarget

  constructor(
    target: ConnectTarget,
    private readonly channelsPerConnection: number,
  ) {
    if (!Number.isInteger(channelsPerConnection) || channelsPerConnection < 1 || channelsPerConnection > MAX_CHANNELS_PER_CONNECTION) {
      throw new TypeError(`Expected \`channelsPerConnection\` to be a number from 1 to ${MAX_CHANNELS_PER_CONNECTION}, got \`${channelsPerConnection}\``)
    }
    const openSocket = target.openSocket ?? (async () => connect({ host: target.host, port: target.port }))
    this.target = {
      ...target,
      openSocket: async () => {
        const sock = await openSocket()
        this.sockets.add(sock)
        sock.once('close', () => this.sockets.delete(sock))
        return sock
      },
    }
  }

  /** The slot's channel, opening a connection and channel when needed. */
  async acquire(slot: number): Promise<SFTPWrapper> {
    const cached = this.channels.get(slot)
    if (cached) {
      const sftp = await cached.catch(() => null)
      if (sftp && channelOpen(sftp)) return sftp
      if (this.channels.get(slot) === cached) this.channels.delete(slot)
    }
    let channel = this.channels.get(slot)
    if (!channel) {
      channel = this.connection(Math.floor(slot / this.channelsPerConnection)).then((conn) => {
        if (conn.sharesChannel) this.sharedChannels.add(slot)
        return conn.openSftp()
      })
      this.channels.set(slot, channel)
      channel.then(
        (sftp) => sftp.once('close', () => this.channels.get(slot) === channel && this.channels.delete(slot)),
        () => this.channels.get(slot) === channel && this.channels.delete(slot),
      )
    }
    return channel
  }

  /**
   * Drops the slot's channel after a failure; a dead connection is replaced on next acquire.
   * A channel shared with other slots (OpenSSH) is ended only if it is no longer open: the
   * other slots' files are still on it.
   */
  invalidate(slot: number): void {
    const channel = this.channels.get(slot)
    this.channels.delete(slot)
    const shared = this.sharedChannels.has(slot)
    this.sharedChannels.delete(slot)
    channel?.then((sftp) => (shared && channelOpen(sftp) ? undefined : sftp.end()), () => undefined)
  }

  /** Which transport carried the connections: for reports and benchmarks. */
  get transport(): 'openssh' | 'ssh2' | 'none' {
    const first = [...this.live][0]
    return first === undefined ? 'none' : first instanceof OpenSshConnection ? 'openssh' : 'ssh2'
  }

  /** Why ssh2 carries this pool's connections although OpenSSH was asked for, or null. */
  get openSshFallback(): string | null {
    return this.openSshRefused
  }

  /** Opens the first connection: refusals (auth, host key) surface before any file starts. */
  async connectFirst(): Promise<void> {
    await this.connection(0)
  }

  /** Closes every connection, abandoning logins still under way. */
  closeAll(): void {
    this.closing.abort()
    this.closing = new AbortController()
    for (const conn of this.connections) conn?.then((c) => c.close(), () => undefined)
    this.connections.length = 0
    this.channels.clear()
  }

  /**
   * Drops every connection at once (a cancel): what is still queued to send is discarded, not
   * flushed as a closing connection would (16 files' pipelines are a minute on a 1 MB/s line),
   * and the server closes the open handles as the session ends. TCP sockets are reset, so the
   * kernel does not keep sending what it had buffered either. The pool opens new connections
   * when asked again (to remove half-sent files).
   */
  abort(): void {
    for (const sock of this.sockets) {
      const tcp = sock as Partial<Socket>
      try {
        if (typeof tcp.resetAndDestroy === 'function' && tcp.readyState === 'open') tcp.resetAndDestroy()
        else sock.destroy()
      } catch {
        sock.destroy()
      }
    }
    this.sockets.clear()
    for (const conn of this.live) conn.abort?.()
    this.closeAll()
  }

  /**
   * Opens one connection: over the system's ssh where the target allows it, else (or once ssh
   * could not carry this login) over ssh2, which then gives the app's own answer to a refusal.
   */
  private async open(signal: AbortSignal): Promise<PoolConnection> {
    const openssh = this.target.openssh
    if (openssh && this.openSshRefused === null) {
      try {
        return await OpenSshConnection.open({ ...this.target, spec: openssh }, signal)
      } catch (err) {
        if (!(err instanceof OpenSshNotUsable)) throw err instanceof AppError ? err : new AppError('CONNECTION_LOST', String(err), { cause: err })
        this.openSshRefused = err.message
      }
    }
    return Connection.open(this.target, signal)
  }

  private connection(index: number): Promise<PoolConnection> {
    const existing = this.connections[index]
    if (existing) return existing
    const opening = this.open(this.closing.signal)
    this.connections[index] = opening
    opening.then(
      (conn) => {
        this.live.add(conn)
        conn.onClose(() => this.live.delete(conn))
      },
      () => undefined,
    )
    opening.then(
      (conn) => conn.onClose(() => {
        if (this.connections[index] === opening) this.connections[index] = null
        for (const [slot] of this.channels) {
          if (Math.floor(slot / this.channelsPerConnection) === index) this.channels.delete(slot)
        }
      }),
      () => {
        if (this.connections[index] === opening) this.connections[index] = null
      },
    )
    return opening
  }
}
