/**
 * Starts ProFTPD with mod_sftp (Debian proftpd-core + proftpd-mod-crypto) for a test: a server
 * that keeps its default `AllowOverwrite off`, so it refuses to open an existing file for
 * writing, whether to replace it or to continue it at an offset. A free 127.0.0.1 port, a
 * private config, host key, user file and authorized keys in a temp dir; in the foreground
 * (`-n`), with its own pid and scoreboard files. The login is a user of its own user file whose
 * home (chroot when run as root) is the upload folder.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { descendants, freePort } from './sshd'

export const PROFTPD = '/usr/sbin/proftpd'
export const MOD_SFTP = '/usr/lib/proftpd/mod_sftp.so'

export interface ProftpdServer {
  host: string
  port: number
  username: string
  /** `[127.0.0.1]:port ssh-ed25519 AAAA...` for a known_hosts file. */
  knownHostsLine: string
  pid: number
  root: string
  /** Stops ProFTPD (its own PID and its session children) and removes the temp dir. */
  close(): Promise<void>
}

/** Why ProFTPD with mod_sftp cannot run here, or null when it can. */
export function proftpdMissing(): string | null {
  if (!existsSync(PROFTPD)) return `${PROFTPD} is not installed (Debian package proftpd-core)`
  if (!existsSync(MOD_SFTP)) return `${MOD_SFTP} is not installed (Debian package proftpd-mod-crypto)`
  return null
}

const USERNAME = 'uploader'

function config(dir: string, port: number): string {
  const asRoot = process.getuid?.() === 0
  const { username } = os.userInfo()
  const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim()
  return [
    'ServerType standalone',
    'ServerName "bulk-upload test"',
    'DefaultAddress 127.0.0.1',
    'SocketBindTight on',
    `Port ${port}`,
    'ModulePath /usr/lib/proftpd',
    'LoadModule mod_sftp.c',
    `PidFile ${path.join(dir, 'proftpd.pid')}`,
    `ScoreboardFile ${path.join(dir, 'proftpd.scoreboard')}`,
    'DelayTable none',
    'WtmpLog off',
    'TransferLog none',
    'UseReverseDNS off',
    `User ${username}`,
    `Group ${group}`,
    // The login maps to the user running the tests (root in CI); ProFTPD refuses root unless told.
    ...(asRoot ? ['RootLogin on', 'DefaultRoot ~'] : []),
    'AuthOrder mod_auth_file.c',
    `AuthUserFile ${path.join(dir, 'passwd')}`,
    `AuthGroupFile ${path.join(dir, 'group')}`,
    'RequireValidShell off',
    'SFTPEngine on',
    `SFTPLog ${path.join(dir, 'sftp.log')}`,
    `SFTPHostKey ${path.join(dir, 'host_ed25519_key')}`,
    'SFTPAuthMethods publickey',
    `SFTPAuthorizedUserKeys file:${path.join(dir, 'authorized_keys')}`,
    // AllowOverwrite is left at its default (off): the point of this server.
  ].join('\n') + '\n'
}

/** Resolves once the server greets a TCP client with its SSH banner. */
async function banner(port: number, exited: () => boolean): Promise<void> {
  for (;;) {
    if (exited()) throw new Error('proftpd exited before listening')
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1')
      sock.once('data', (d: Buffer) => {
        sock.destroy()
        resolve(d.toString('latin1').startsWith('SSH-'))
      })
      sock.once('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 50)) // not yet listening: ask again
  }
}

/** Every descendant PID of `pid`, found through /proc (Linux). */

/** Starts ProFTPD for one test; the test must `close()` it. Check proftpdMissing() first. */
export async function startProftpd(options: { root: string; authorizedKeys: string[] }): Promise<ProftpdServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-proftpd-'))
  const root = path.resolve(options.root)
  const hostKey = path.join(dir, 'host_ed25519_key')
  execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test-proftpd', '-f', hostKey])
  // mod_sftp reads authorized keys in RFC 4716 form: ssh-keygen converts each OpenSSH line.
  let rfc4716 = ''
  for (const [i, line] of options.authorizedKeys.entries()) {
    const file = path.join(dir, `authorized-${i}.pub`)
    await writeFile(file, line + '\n')
    rfc4716 += execFileSync('/usr/bin/ssh-keygen', ['-e', '-f', file], { encoding: 'utf8' })
  }
  await writeFile(path.join(dir, 'authorized_keys'), rfc4716, { mode: 0o600 })
  const uid = process.getuid?.() ?? 0
  const gid = process.getgid?.() ?? 0
  await writeFile(path.join(dir, 'passwd'), `${USERNAME}:x:${uid}:${gid}::${root}:/bin/sh\n`, { mode: 0o600 })
  await writeFile(path.join(dir, 'group'), `${USERNAME}:x:${gid}:\n`, { mode: 0o600 })
  const publicKey = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ')

  let lastError: unknown
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort()
    const conf = path.join(dir, 'proftpd.conf')
    await writeFile(conf, config(dir, port), { mode: 0o600 })
    const child = spawn(PROFTPD, ['-n', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
    const log: string[] = []
    child.stderr.on('data', (d: Buffer) => log.push(d.toString('utf8')))
    let exited = child.exitCode !== null
    const exit = new Promise<void>((resolve) => child.once('exit', () => {
      exited = true
      resolve()
    }))
    try {
      await banner(port, () => exited)
    } catch (err) {
      lastError = new Error(`${(err as Error).message}:\n${log.join('')}`) // most likely the port was taken: try another
      continue
    }
    const pid = child.pid!
    return {
      host: '127.0.0.1',
      port,
      username: USERNAME,
      knownHostsLine: `[127.0.0.1]:${port} ${publicKey}`,
      pid,
      root,
      async close() {
        for (const p of descendants(pid).reverse()) {
          try {
            process.kill(p, 'SIGKILL')
          } catch {
            // already gone
          }
        }
        if (!exited) child.kill('SIGTERM')
        await exit
        await rm(dir, { recursive: true, force: true })
      },
    }
  }
  await rm(dir, { recursive: true, force: true })
  throw lastError instanceof Error ? lastError : new Error('proftpd did not start')
}
