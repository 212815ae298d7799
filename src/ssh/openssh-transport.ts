/**
 * The system's OpenSSH client as the encrypted transport under the engine's SFTP (DESIGN.md,
 * "Transports"; STYLE.md, "From lftp and rclone"): `ssh -s … sftp` runs in a child process and
 * carries the SFTP stream over its standard input and output, as lftp's connect-program and
 * rclone's --sftp-ssh do. The SFTP requests are still framed here, by ssh2's SFTP client, so the
 * engine cannot tell the transports apart; the encryption runs in OpenSSH's C on another core.
 *
 * What stays the app's: host trust (the host's keys pinned in the app's known_hosts are copied
 * to a private file that ssh checks strictly, with the pinned key types asked for first; ssh
 * never writes to it), the key (the app's private key in a private 0600 file that is removed
 * once the session is up; never on a command line, no agent, no ~/.ssh/config), and the rest
 * of the login (keepalives, timeouts). Where the app's own code must run inside the connection
 * (a passphrase to ask for, a proxy, a host not pinned yet), the pool uses ssh2 instead
 * (openSshUnavailable says why).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { EventEmitter } from 'node:events'
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { SFTPWrapper } from 'ssh2'
import { AppError } from '../errors'
import { algorithmsForKeyType, HOST_KEY_ALGORITHMS } from './host-trust'
import { corkEachTick } from './cork-each-tick'
import { entriesForHost, hostToken, parseKnownHosts, readKnownHostsFile } from './known-hosts'

// ssh2's SFTP client, which frames requests over any byte stream given a channel-like object
// (ssh2 exports it only through its SSH client: the third place that reads ssh2's insides).
const { SFTP } = createRequire(import.meta.url)('ssh2/lib/protocol/SFTP.js') as { SFTP: new (client: unknown, chanInfo: unknown, cfg: unknown) => SFTPWrapper & EventEmitter & SftpInternals }

interface SftpInternals {
  _init(): void
  push(data: Buffer | null): void
  outgoing: { state: string }
  readable: boolean
}

/** The ciphers offered, fastest first where AES-NI exists (every x86 and ARMv8 computer of the last decade). */
const CIPHERS = 'aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr'

/** Where the OpenSSH transport finds what it needs beyond the ConnectTarget. */
export interface OpenSshSpec {
  /** The app's known_hosts: this host's pins are what ssh checks against. */
  knownHostsPath: string
  /** The ssh program. @default `ssh` found on PATH */
  sshPath?: string
}

let foundSsh: string | null | undefined

/** The `ssh` program on PATH (`ssh.exe` on Windows 10 and later), or null. */
export function findSsh(): string | null {
  if (foundSsh !== undefined) return foundSsh
  const names = process.platform === 'win32' ? ['ssh.exe'] : ['ssh']
  foundSsh = null
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const name of names) {
      const candidate = path.join(dir, name)
      try {
        accessSync(candidate, constants.X_OK)
        foundSsh = candidate
        return foundSsh
      } catch {
        // not here
      }
    }
  }
  return foundSsh
}

/**
 * The encrypted transport. 'ssh2' is the default, chosen by measurement: on loopback, on 2
 * cores shared with the server, OpenSSH's client cost 29-51% more client CPU than ssh2 with
 * direct writes (src/ssh/direct-write.ts), every byte crossing a pipe to it, and was slower
 * (bench/RESULTS.md, 2026-12-06). 'openssh'
 * runs ssh wherever it can carry the login (openSshUnavailable), ssh2 elsewhere.
 */
export type TransportChoice = 'ssh2' | 'openssh'

/** `BULK_UPLOAD_TRANSPORT=openssh|ssh2`: the transport, for a user or a benchmark. @default 'ssh2' */
export function transportFromEnv(): TransportChoice {
  return (process.env.BULK_UPLOAD_TRANSPORT ?? '').trim().toLowerCase() === 'openssh' ? 'openssh' : 'ssh2'
}

/** Why the OpenSSH transport cannot carry a login, or null when it can. */
export function openSshUnavailable(login: { passphrase?: string | null; proxy?: unknown; privateKey: string | Buffer }, sshPath: string | null = findSsh()): string | null {
  if (!sshPath) return 'no ssh program on PATH'
  // ssh would ask for the passphrase on a terminal or an askpass program: the app asks for it
  // itself and keeps it in memory, so ssh2 carries passphrase-protected keys.
  if (login.passphrase) return 'the key is protected by a passphrase'
  if (login.proxy) return 'a proxy is set (the app connects through it itself)'
  if (/^PuTTY-User-Key-File/.test(String(login.privateKey).trimStart())) return 'a PuTTY key (OpenSSH reads OpenSSH and PEM keys)'
  return null
}

/** The OpenSSH transport could not be used for this login, for a reason ssh2 may not share. */
export class OpenSshNotUsable extends Error {}

/** What `OpenSshConnection.open` needs. */
export interface OpenSshLogin {
  host: string
  port: number
  username: string
  privateKey: string | Buffer
  spec: OpenSshSpec
  /** @default 20000 */
  readyTimeoutMs?: number
  /** @default 15000 */
  keepaliveIntervalMs?: number
}

/**
 * One `ssh` process carrying one SFTP channel. Every upload slot given this connection shares
 * the channel: SFTP numbers its requests, so files in flight interleave on it as they would on
 * separate channels, and one process encrypts them all.
 */
export class OpenSshConnection {
  private closed = false
  private readonly closeListeners = new Set<(err: AppError) => void>()
  readonly sharesChannel = true

  private constructor(
    private readonly child: ChildProcess,
    private readonly sftp: SFTPWrapper & SftpInternals,
    private readonly stderr: () => string,
  ) {
    child.once('exit', (code, signal) => {
      const said = this.stderr().trim().split('\n').pop() ?? ''
      this.markClosed(new AppError('CONNECTION_LOST', `ssh ended (${signal ?? `exit ${code}`})${said ? `: ${said}` : ''}`))
    })
  }

  /**
   * Starts ssh and waits for the server's SFTP VERSION. Refusals come back as coded AppErrors;
   * OpenSshNotUsable means the pool should try ssh2 instead (host not pinned, a key or host
   * key ssh refused, ssh missing): ssh2 then gives the app's own answer.
   */
  static async open(login: OpenSshLogin, signal?: AbortSignal): Promise<OpenSshConnection> {
    const sshPath = login.spec.sshPath ?? findSsh()
    if (!sshPath) throw new OpenSshNotUsable('no ssh program on PATH')
    const entries = entriesForHost(parseKnownHosts(await readKnownHostsFile(login.spec.knownHostsPath).catch(() => '')), login.host, login.port)
    const pinned = entries.filter((e) => e.marker === null)
    if (pinned.length === 0) throw new OpenSshNotUsable('the host key is not pinned yet')
    const token = hostToken(login.host, login.port)
    const lines = entries.map((e) => `${e.marker === 'revoked' ? '@revoked ' : ''}${token} ${e.keyType} ${e.keyBlob.toString('base64')}`)
    const offered = [...new Set(pinned.flatMap((e) => algorithmsForKeyType(e.keyType)))].filter((a) => (HOST_KEY_ALGORITHMS as readonly string[]).includes(a))

    // A private folder (0700) for the key and the pins, removed once the session is up.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bulk-upload-ssh-'))
    const removeDir = () => rmSync(dir, { recursive: true, force: true })
    const identity = path.join(dir, 'id')
    const knownHosts = path.join(dir, 'known_hosts')
    try {
      const key = String(login.privateKey)
      writeFileSync(identity, key.endsWith('\n') ? key : `${key}\n`, { mode: 0o600 })
      writeFileSync(knownHosts, `${lines.join('\n')}\n`, { mode: 0o600 })
    } catch (err) {
      removeDir()
      throw new OpenSshNotUsable(`could not write the private files for ssh: ${String(err)}`)
    }
    const quoted = (p: string) => `"${p.replace(/%/g, '%%')}"`
    const keepalive = Math.max(1, Math.round((login.keepaliveIntervalMs ?? 15_000) / 1000))
    const args = [
      '-F', os.devNull, '-x', '-a', '-T', '-e', 'none',
      '-o', 'BatchMode=yes', '-o', `IdentityFile=${quoted(identity)}`, '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none',
      '-o', `UserKnownHostsFile=${quoted(knownHosts)}`, '-o', `GlobalKnownHostsFile=${os.devNull}`, '-o', 'StrictHostKeyChecking=yes',
      '-o', 'UpdateHostKeys=no', '-o', 'CheckHostIP=no', '-o', `HostKeyAlgorithms=${offered.join(',')}`,
      '-o', 'PubkeyAuthentication=yes', '-o', 'PasswordAuthentication=no', '-o', 'KbdInteractiveAuthentication=no',
      '-o', `Ciphers=${CIPHERS}`, '-o', 'Compression=no',
      '-o', `ServerAliveInterval=${keepalive}`, '-o', 'ServerAliveCountMax=4', '-o', `ConnectTimeout=${Math.ceil((login.readyTimeoutMs ?? 20_000) / 1000)}`,
      '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-o', 'ForwardAgent=no', '-o', 'ClearAllForwardings=yes', '-o', 'LogLevel=ERROR',
      '-p', String(login.port), '-l', login.username, '-s', '--', login.host, 'sftp',
    ]
    let child: ChildProcess
    try {
      child = spawn(sshPath, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true })
    } catch (err) {
      removeDir()
      throw new OpenSshNotUsable(`ssh could not be started: ${String(err)}`)
    }
    let stderr = ''
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 8192) stderr += d.toString('utf8')
    })
    // SFTP packets are written one by one: gathered per turn of the event loop, as ssh2's are.
    corkEachTick(child.stdin!)
    child.stdin!.on('error', () => undefined) // ssh gone: its exit says why
    const sftp = channelOver(child)

    return new Promise<OpenSshConnection>((resolve, reject) => {
      let settled = false
      const timer = setTimeout(() => fail(new AppError('TIMEOUT', `${login.host}:${login.port}: no SFTP session within ${(login.readyTimeoutMs ?? 20_000) / 1000} s`)), login.readyTimeoutMs ?? 20_000)
      const finish = () => {
        settled = true
        clearTimeout(timer)
        signal?.removeEventListener('abort', abandon)
        child.removeListener('exit', onExit)
        child.removeListener('error', onError)
        removeDir()
      }
      const fail = (err: Error) => {
        if (settled) return
        finish()
        child.kill('SIGKILL')
        reject(err)
      }
      const abandon = () => fail(new AppError('CANCELLED', 'The login was abandoned: the upload no longer needed this connection.'))
      const onExit = (code: number | null) => fail(loginFailure(stderr, code, login))
      const onError = (err: Error) => fail(new OpenSshNotUsable(`ssh could not be started: ${err.message}`))
      if (signal?.aborted) return abandon()
      signal?.addEventListener('abort', abandon, { once: true })
      child.once('exit', onExit)
      child.once('error', onError)
      sftp.once('ready', () => {
        if (settled) return
        finish()
        resolve(new OpenSshConnection(child, sftp, () => stderr))
      })
      sftp._init()
    })
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** The connection's one SFTP channel, shared by the slots given this connection. */
  openSftp(): Promise<SFTPWrapper> {
    if (this.closed) return Promise.reject(new AppError('CONNECTION_LOST', 'The SSH connection is closed.'))
    return Promise.resolve(this.sftp)
  }

  onClose(listener: (err: AppError) => void): () => void {
    this.closeListeners.add(listener)
    return () => this.closeListeners.delete(listener)
  }

  /** Ends the session: ssh sees the end of its input, says goodbye and exits. */
  close(): void {
    if (!this.closed) this.child.stdin?.end()
    this.markClosed(new AppError('CONNECTION_LOST', 'The SSH connection was closed by the app.'))
  }

  /** Drops the connection at once (a cancel): what ssh still holds is discarded with it. */
  abort(): void {
    this.child.kill('SIGKILL')
    this.markClosed(new AppError('CONNECTION_LOST', 'The SSH connection was dropped by the app.'))
  }

  private markClosed(err: AppError): void {
    if (this.closed) return
    this.closed = true
    for (const listener of this.closeListeners) listener(err)
    this.closeListeners.clear()
  }
}

/**
 * ssh2's SFTP client over the child's stdin/stdout. It sends through `_protocol.channelData`
 * and counts an SSH window; here ssh keeps the window, so ours never runs out, and writes go
 * straight to ssh's input. The end of ssh's output ends the channel: requests still waiting
 * are answered with errors and `channelOpen` (sftp-ops.ts) sees it closed.
 */
function channelOver(child: ChildProcess): SFTPWrapper & EventEmitter & SftpInternals {
  const stdin = child.stdin!
  const outgoing = { id: 0, window: Number.MAX_SAFE_INTEGER, packetSize: Number.MAX_SAFE_INTEGER, state: 'open' }
  const incoming = { id: 0, window: Number.MAX_SAFE_INTEGER, packetSize: Number.MAX_SAFE_INTEGER, state: 'open' }
  const protocol = {
    _remoteIdentRaw: undefined,
    channelData: (_id: number, data: Buffer) => {
      stdin.write(data)
      // The window only counts down; ssh applies the real one.
      outgoing.window = Number.MAX_SAFE_INTEGER
    },
    channelClose: () => {
      outgoing.state = 'closing'
      stdin.end()
    },
  }
  const sftp = new SFTP({ _protocol: protocol }, { type: 'sftp', incoming, outgoing }, {})
  let ended = false
  const end = () => {
    if (ended) return
    ended = true
    outgoing.state = 'closed'
    sftp.push(null)
    sftp.emit('close')
  }
  child.stdout!.on('data', (d: Buffer) => sftp.push(d))
  child.stdout!.once('end', end)
  child.once('exit', () => setImmediate(end))
  return sftp
}

/** What ssh's exit before the session said, as the app's coded errors (or a cue to try ssh2). */
function loginFailure(stderr: string, code: number | null, login: OpenSshLogin): Error {
  const said = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' ')
  const where = `${login.host}:${login.port}: ${said || `ssh exited (${code})`}`
  if (/connection refused/i.test(said)) return new AppError('CONNECTION_REFUSED', where)
  if (/could not resolve hostname|name or service not known|nodename nor servname/i.test(said)) return new AppError('HOST_NOT_FOUND', where)
  if (/timed out/i.test(said)) return new AppError('TIMEOUT', where)
  if (/connection (reset|closed)|broken pipe/i.test(said)) return new AppError('CONNECTION_LOST', where)
  // Host key, key or authentication refusals, and anything else: ssh2 gives the app's answer
  // (which key the server showed, which pin it broke) and its sentence.
  return new OpenSshNotUsable(where)
}
