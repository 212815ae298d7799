/**
 * The sandbox SFTP server: ssh2's SSH server fed by our own TCP listener (so a fault can cut
 * a connection's socket), public-key authentication, one SFTP subsystem per session, and in
 * s3 mode the AWS limit of channels per connection.
 */
import { createServer, type Socket } from 'node:net'
import { mkdir, realpath, rm } from 'node:fs/promises'
import path from 'node:path'
import ssh2, { type Connection } from 'ssh2'
import { findKey, loadAuthorizedKeys } from './authorized-keys'
import { FaultState } from './faults'
import { loadOrCreateHostKey } from './host-key'
import { PathJail } from './path-jail'
import { serveSftp } from './sftp-session'
import type { ServerContext } from './session-context'
import type { SandboxOptions, SandboxServer, SandboxStats } from './types'
import { sha256Fingerprint } from '../ssh/host-trust'
import { formatKnownHostsLine } from '../ssh/known-hosts'

/** Top-level folder of the served root where s3-mode uploads wait for CLOSE; never listed. */
export const S3_STAGING_NAME = '.sandbox-s3-staging'

interface Live {
  stats: SandboxStats
  ctx: ServerContext
  options: SandboxOptions
  username: string
}

function handleClient(client: Connection, socket: Socket | undefined, live: Live): void {
  let channels = 0
  const closers = new Set<() => void>()
  client.once('close', () => {
    for (const close of closers) close()
  })
  // A client vanishing mid-handshake is normal for a test server: never crash on it.
  client.on('error', () => undefined)
  client.on('authentication', (auth) => {
    if (auth.method !== 'publickey' || auth.username !== live.username) {
      auth.reject(['publickey'])
      return
    }
    loadAuthorizedKeys(live.options.authorizedKeys).then(
      (keys) => {
        const key = findKey(keys, auth.key.data)
        if (key === null) return auth.reject(['publickey'])
        // Without a signature the client only asks whether this key would do.
        if (auth.signature === undefined || auth.blob === undefined) return auth.accept()
        // Like AWS Transfer Family, s3 mode takes RSA only with SHA-2 signatures (not ssh-rsa/SHA-1).
        if (live.ctx.mode === 's3' && auth.key.algo === 'ssh-rsa' && auth.hashAlgo !== 'sha256' && auth.hashAlgo !== 'sha512') return auth.reject(['publickey'])
        if (key.verify(auth.blob, auth.signature, auth.hashAlgo) !== true) return auth.reject(['publickey'])
        auth.accept()
      },
      () => auth.reject(['publickey']),
    )
  })
  client.on('ready', () => {
    client.on('session', (accept, reject) => {
      if (live.ctx.mode === 's3' && channels >= live.ctx.s3.maxChannels) {
        reject()
        return
      }
      channels++
      live.stats.openChannels++
      const session = accept()
      let open = true
      const closed = (): void => {
        if (!open) return
        open = false
        closers.delete(closed)
        channels--
        live.stats.openChannels--
      }
      closers.add(closed)
      session.on('close', closed)
      session.on('sftp', (acceptSftp) => {
        serveSftp(acceptSftp(), live.ctx, () => socket?.destroy())
      })
    })
  })
}

/** Starts the sandbox; see SandboxOptions. Resolves once it listens. */
export async function startSandbox(options: SandboxOptions): Promise<SandboxServer> {
  const mode = options.mode ?? 'posix'
  await mkdir(options.root, { recursive: true })
  const root = await realpath(options.root)
  const stagingDir = path.join(root, S3_STAGING_NAME)
  if (mode === 's3') {
    await rm(stagingDir, { recursive: true, force: true })
    await mkdir(stagingDir, { mode: 0o700 })
  }
  const hostKey = await loadOrCreateHostKey(options.hostKeyPath)
  const faults = new FaultState()
  const counters = { bytesReceived: 0, bytesStored: 0 }
  faults.set(options.faults ?? {}, 0)
  const stats: SandboxStats = { bytesReceived: 0, openChannels: 0, connections: 0, activeConnections: 0 }
  const ctx: ServerContext = {
    mode,
    s3: { ignoreSetstat: false, allowRename: true, maxChannels: 10, ...options.s3 },
    jail: new PathJail(root, mode === 's3' ? [S3_STAGING_NAME] : []),
    faults,
    counters,
    stagingDir,
  }
  const username = options.username ?? 'sandbox'
  const live: Live = { stats, ctx, options, username }

  const ssh = new ssh2.Server({ hostKeys: [hostKey.privateKey] })
  const sockets = new Map<string, Socket>()
  ssh.on('connection', (client, info) => handleClient(client, sockets.get(`${info.ip}:${info.port}`), live))
  const tcp = createServer((socket) => {
    const id = `${socket.remoteAddress}:${socket.remotePort}`
    sockets.set(id, socket)
    stats.connections++
    stats.activeConnections++
    socket.on('error', () => undefined)
    // SFTP replies are small and each waits on the last: Nagle would delay every one.
    socket.setNoDelay(true)
    socket.once('close', () => {
      sockets.delete(id)
      stats.activeConnections--
    })
    ssh.injectSocket(socket)
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject)
    tcp.listen(options.port ?? 0, host, () => {
      tcp.off('error', reject)
      // Later listener errors must not crash the host process; connections report their own.
      tcp.on('error', () => undefined)
      resolve()
    })
  })
  const address = tcp.address()
  const port = typeof address === 'object' && address ? address.port : 0

  return {
    host,
    port,
    username,
    mode,
    root,
    hostKeyFingerprint: sha256Fingerprint(hostKey.publicBlob),
    knownHostsLine: formatKnownHostsLine(host, port, hostKey.publicBlob),
    get stats() {
      return { ...stats, bytesReceived: counters.bytesReceived }
    },
    setFaults(partial) {
      faults.set(partial, counters.bytesReceived)
    },
    async close() {
      const closed = new Promise<void>((resolve) => tcp.close(() => resolve()))
      for (const socket of sockets.values()) socket.destroy()
      await closed
      if (mode === 's3') await rm(stagingDir, { recursive: true, force: true })
    },
  }
}
