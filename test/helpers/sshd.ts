/**
 * Starts OpenSSH's own sshd (Debian openssh-server) for a test: a free 127.0.0.1 port, a
 * private config, host key and authorized_keys in a temp dir, and SFTP whose login directory
 * is the given upload root. Integration tests use it as the "real server" that accepts offset
 * writes, and `killSessions()` to cut a connection mid-file. Host keys of several types
 * (`hostKeyTypes`) make the server OpenSSH users and AWS run after adding keys, and
 * `replaceHostKey()` makes it a rebuilt server, for the host-trust tests.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, writeFile, readFile, rm, mkdir, stat } from 'node:fs/promises'
import { readFileSync, readdirSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'

/** A host key type, as `ssh-keygen -t` names it. */
export type HostKeyType = 'ed25519' | 'rsa' | 'ecdsa'

export interface SshdOptions {
  /** The folder served as the SFTP login directory (the platform's "root"). */
  root: string
  /** OpenSSH public key lines allowed to log in. */
  authorizedKeys: string[]
  /**
   * The server's host keys, one HostKey line each, in this order; the client's algorithm
   * order decides which one it is shown. @default ['ed25519']
   */
  hostKeyTypes?: HostKeyType[]
  /**
   * The SFTP server behind the `sftp` subsystem: OpenSSH's own, or Debian's gesftpserver (an
   * independent, multi-threaded implementation), started in `root`. @default 'internal-sftp'
   */
  sftpServer?: 'internal-sftp' | 'gesftpserver'
}

/** Where Debian's gesftpserver package installs the server. */
export const GESFTPSERVER = '/usr/libexec/gesftpserver'

/** One host key of the server. */
export interface SshdHostKey {
  /** The private host key file (its `.pub` sits beside it). */
  path: string
  /** `[127.0.0.1]:port ssh-rsa AAAA...`: what ssh-keyscan would print for this type. */
  knownHostsLine: string
}

export interface SshdServer {
  host: string
  port: number
  /** The user to log in as: the user running the tests. */
  username: string
  /** The private host key file of the first host key type (its `.pub` sits beside it). */
  hostKeyPath: string
  /** `[127.0.0.1]:port ssh-ed25519 AAAA...`: what ssh-keyscan would print for the first type. */
  knownHostsLine: string
  /** Every host key, by type (the current key after `replaceHostKey`). */
  hostKeys: Partial<Record<HostKeyType, SshdHostKey>>
  pid: number
  root: string
  /** Stops sshd (only its own PID and its session children) and removes the temp dir. */
  close(): Promise<void>
  /** Kills every per-connection sshd child: open SFTP sessions drop, the listener stays. */
  killSessions(): void
  /**
   * A rebuilt server: makes a new host key of this type and has sshd reload (SIGHUP, same
   * PID and port); resolves once it listens again. Returns the new key's known_hosts line.
   */
  replaceHostKey(type: HostKeyType): Promise<string>
}

/** Asks the kernel for a free port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

/** Every descendant PID of `pid`, found through /proc (Linux). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // Field 4 (ppid) follows the parenthesised command name, which may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const list = children.get(ppid) ?? []
      list.push(Number(entry))
      children.set(ppid, list)
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = []
  const walk = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      out.push(c)
      walk(c)
    }
  }
  walk(pid)
  return out
}

const LISTENING = /Server listening on 127\.0\.0\.1 port/

/** The private key file of a host key type, in the server's temp dir. */
function hostKeyFile(dir: string, type: HostKeyType): string {
  return path.join(dir, `host_${type}_key`)
}

function makeHostKey(file: string, type: HostKeyType): void {
  const size = type === 'rsa' ? ['-b', '3072'] : []
  execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', type, ...size, '-N', '', '-C', 'test-sshd', '-f', file])
}

function waitForListening(child: ChildProcess, log: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = ''
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8')
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) {
        log.push(line)
        if (LISTENING.test(line)) {
          cleanup()
          resolve()
        }
      }
    }
    const onExit = (code: number | null): void => {
      cleanup()
      reject(new Error(`sshd exited (${code}) before listening:\n${log.concat(buffered).join('\n')}`))
    }
    const cleanup = (): void => {
      child.off('exit', onExit)
      // keep draining stderr into the log so sshd never blocks on a full pipe
      child.stderr?.off('data', onData)
      child.stderr?.on('data', (c: Buffer) => log.push(c.toString('utf8')))
    }
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
  })
}

async function writeConfig(dir: string, port: number, root: string, hostKeyTypes: HostKeyType[], sftpServer: SshdOptions['sftpServer']): Promise<string> {
  const config = path.join(dir, 'sshd_config')
  const lines = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    ...hostKeyTypes.map((type) => `HostKey ${hostKeyFile(dir, type)}`),
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'LogLevel VERBOSE',
    // sshd runs a subsystem's command through the user's shell: cd makes `root` the login folder.
    sftpServer === 'gesftpserver' ? `Subsystem sftp cd '${root}' && exec ${GESFTPSERVER}` : `Subsystem sftp internal-sftp -d ${root}`,
  ]
  await writeFile(config, lines.join('\n') + '\n', { mode: 0o600 })
  return config
}

/** Starts sshd for one test; the test must `close()` it. */
export async function startSshd(options: SshdOptions): Promise<SshdServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-sshd-'))
  const root = path.resolve(options.root)
  // internal-sftp -d falls back to the user's home directory when the folder is missing: a
  // test would then write into the real home. Refuse instead.
  if (!(await stat(root).catch(() => null))?.isDirectory()) throw new Error(`Expected \`root\` to be an existing folder, got \`${root}\``)
  const hostKeyTypes = options.hostKeyTypes ?? ['ed25519']
  if (hostKeyTypes.length === 0) throw new Error('Expected `hostKeyTypes` to name at least one type, got `[]`')
  for (const type of hostKeyTypes) makeHostKey(hostKeyFile(dir, type), type)
  await writeFile(path.join(dir, 'authorized_keys'), options.authorizedKeys.join('\n') + '\n', { mode: 0o600 })
  // Privilege separation needs this folder when sshd runs as root; Debian creates it at boot only.
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 })

  let lastError: unknown
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort()
    const config = await writeConfig(dir, port, root, hostKeyTypes, options.sftpServer)
    const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] })
    const log: string[] = []
    try {
      await waitForListening(child, log)
    } catch (err) {
      lastError = err // most likely the port was taken between freePort() and bind: try another
      continue
    }
    const pid = child.pid!
    const keyLine = async (type: HostKeyType): Promise<string> => {
      const publicKey = (await readFile(`${hostKeyFile(dir, type)}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ')
      return `[127.0.0.1]:${port} ${publicKey}`
    }
    const hostKeys: SshdServer['hostKeys'] = {}
    for (const type of hostKeyTypes) hostKeys[type] = { path: hostKeyFile(dir, type), knownHostsLine: await keyLine(type) }
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null) resolve()
      else child.once('exit', () => resolve())
    })
    const killSessions = (): void => {
      for (const p of descendants(pid).reverse()) {
        try {
          process.kill(p, 'SIGKILL')
        } catch {
          // already gone
        }
      }
    }
    const replaceHostKey = async (type: HostKeyType): Promise<string> => {
      if (!hostKeys[type]) throw new Error(`Expected \`type\` to be one of this server's host key types, got \`${type}\``)
      await rm(hostKeyFile(dir, type), { force: true })
      await rm(`${hostKeyFile(dir, type)}.pub`, { force: true })
      makeHostKey(hostKeyFile(dir, type), type)
      // sshd re-executes itself on SIGHUP, rereading its host keys, and says so on stderr.
      const relistened = new Promise<void>((resolve, reject) => {
        let seen = ''
        const onData = (chunk: Buffer): void => {
          seen += chunk.toString('utf8')
          if (/Received SIGHUP/.test(seen) && LISTENING.test(seen.slice(seen.indexOf('Received SIGHUP')))) done(null)
        }
        const onExit = (): void => done(new Error(`sshd exited while reloading:\n${seen}`))
        const done = (err: Error | null): void => {
          child.stderr?.off('data', onData)
          child.off('exit', onExit)
          if (err) reject(err)
          else resolve()
        }
        child.stderr?.on('data', onData)
        child.once('exit', onExit)
      })
      process.kill(pid, 'SIGHUP')
      await relistened
      hostKeys[type] = { path: hostKeyFile(dir, type), knownHostsLine: await keyLine(type) }
      return hostKeys[type].knownHostsLine
    }
    const first = hostKeyTypes[0]!
    return {
      host: '127.0.0.1',
      port,
      username: os.userInfo().username,
      hostKeyPath: hostKeyFile(dir, first),
      get knownHostsLine() {
        return hostKeys[first]!.knownHostsLine
      },
      hostKeys,
      pid,
      root,
      killSessions,
      replaceHostKey,
      async close() {
        killSessions()
        if (child.exitCode === null) child.kill('SIGTERM')
        await exited
        await rm(dir, { recursive: true, force: true })
      },
    }
  }
  await rm(dir, { recursive: true, force: true })
  throw lastError instanceof Error ? lastError : new Error('sshd did not start')
}

