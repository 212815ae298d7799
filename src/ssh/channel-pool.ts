import { connect, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { SFTPWrapper } from 'ssh2'
import { Connection, type ConnectTarget } from './connection'
import { channelOpen } from '../transfer/sftp-ops'

/** AWS Transfer Family allows at most 10 channels per connection. */
export const MAX_CHANNELS_PER_CONNECTION = 10

/**
 * Gives each upload slot its own SFTP channel, spreading slots over as many connections as
 * the per-connection channel limit needs, and reconnecting a connection that dropped the
 * next time one of its slots asks for a channel.
 */
export class ChannelPool {
  private readonly connections: Array<Promise<Connection> | null> = []
  private readonly channels = new Map<number, Promise<SFTPWrapper>>()
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
      channel = this.connection(Math.floor(slot / this.channelsPerConnection)).then((conn) => conn.openSftp())
      this.channels.set(slot, channel)
      channel.then(
        (sftp) => sftp.once('close', () => this.channels.get(slot) === channel && this.channels.delete(slot)),
        () => this.channels.get(slot) === channel && this.channels.delete(slot),
      )
    }
    return channel
  }

  /** Drops the slot's channel after a failure; a dead connection is replaced on next acquire. */
  invalidate(slot: number): void {
    const channel = this.channels.get(slot)
    this.channels.delete(slot)
    channel?.then((sftp) => sftp.end(), () => undefined)
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
    this.closeAll()
  }

  private connection(index: number): Promise<Connection> {
    const existing = this.connections[index]
    if (existing) return existing
    const opening = Connection.open(this.target, this.closing.signal)
    this.connections[index] = opening
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
