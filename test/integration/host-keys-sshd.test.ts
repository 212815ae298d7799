/**
 * Host keys as OpenSSH treats them, against OpenSSH's own sshd holding an RSA and an Ed25519
 * host key (as a server does once its admins add a key): a known_hosts that pins only the RSA
 * key logs in, exactly as OpenSSH's `sftp` does with the same file; a really changed RSA key
 * stops both; trusting the new fingerprint never replaces the pin; forgetting the server, then
 * confirming its key, does. A server that no longer offers the pinned type is refused, as
 * OpenSSH refuses it, but as a key to confirm (HOST_KEY_UNKNOWN), never as an interception.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import os from 'node:os'
import path from 'node:path'
import { generatePair } from '../../src/keys/key-pair'
import { Connection, pinnedTarget } from '../../src/ssh/connection'
import { checkConnection, fetchHostKey, forgetServer, hostKeyStatus, trustServer } from '../../src/ssh/connection-check'
import { sha256Fingerprint } from '../../src/ssh/host-trust'
import { parseKnownHosts } from '../../src/ssh/known-hosts'
import { startSshd, type SshdServer } from '../helpers/sshd'
import { hasSftpClient, hasSshd, skipWithReason } from '../helpers/system'

const run = promisify(execFile)
const client = generatePair('ed25519')
let dir: string
let keyPath: string
let knownHostsPath: string
let sshd: SshdServer | undefined

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-hostkeys-'))
  keyPath = path.join(dir, 'id_ed25519')
  await writeFile(keyPath, client.privateKey, { mode: 0o600 })
  knownHostsPath = path.join(dir, 'known_hosts')
  await mkdir(path.join(dir, 'root'))
})
afterEach(async () => {
  await sshd?.close()
  sshd = undefined
  await rm(dir, { recursive: true, force: true })
})

const blobOf = (knownHostsLine: string): Buffer => parseKnownHosts(knownHostsLine)[0]!.keyBlob
const fingerprintOf = (knownHostsLine: string): string => sha256Fingerprint(blobOf(knownHostsLine))
const target = () => ({ host: sshd!.host, port: sshd!.port, username: sshd!.username, privateKey: client.privateKey, passphrase: null, knownHostsPath })

/** OpenSSH's sftp with our known_hosts and strict checking: the reference client. */
async function openSshSftp(commands: string): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const batch = path.join(dir, 'sftp-batch')
  await writeFile(batch, commands)
  try {
    const { stdout, stderr } = await run('/usr/bin/sftp', [
      '-v', '-b', batch, '-i', keyPath, '-P', String(sshd!.port),
      '-o', `UserKnownHostsFile=${knownHostsPath}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes',
      '-o', 'UpdateHostKeys=no', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes',
      `${sshd!.username}@${sshd!.host}`,
    ])
    return { ok: true, stdout, stderr }
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string }
    return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

/** Logs in the way an upload does (pinnedTarget, Connection) and writes one file. */
async function uploadOne(name: string, text: string): Promise<void> {
  const connection = await Connection.open(pinnedTarget(target()).target)
  try {
    const sftp = await connection.openSftp()
    await new Promise<void>((resolve, reject) => sftp.writeFile(name, text, (err) => (err ? reject(err) : resolve())))
  } finally {
    connection.close()
  }
}

const missing = !hasSshd().ok ? hasSshd() : hasSftpClient()

describe.skipIf(skipWithReason(missing, 'host keys against OpenSSH sshd'))('a server with RSA and Ed25519 host keys', () => {
  it('only RSA pinned: the connection check and an upload log in, as OpenSSH sftp does with the same file (plain or hashed)', async () => {
    sshd = await startSshd({ root: path.join(dir, 'root'), authorizedKeys: [client.publicKey], hostKeyTypes: ['rsa', 'ed25519'] })
    const rsa = sshd.hostKeys.rsa!.knownHostsLine
    // The server really holds both: a client preferring Ed25519 (ssh2's default) is shown it.
    expect(sha256Fingerprint(await fetchHostKey(sshd.host, sshd.port))).toBe(fingerprintOf(sshd.hostKeys.ed25519!.knownHostsLine))
    await writeFile(knownHostsPath, `# pinned from the platform's page\n${rsa}\n`, { mode: 0o600 })

    expect(await checkConnection(target())).toEqual({ hostKey: { host: sshd.host, port: sshd.port, keyType: 'ssh-rsa', fingerprint: fingerprintOf(rsa) }, trusted: true })
    await uploadOne('pinned-rsa.txt', 'sent with only RSA pinned')
    expect(await readFile(path.join(sshd.root, 'pinned-rsa.txt'), 'utf8')).toBe('sent with only RSA pinned')
    const openssh = await openSshSftp('pwd\n')
    expect(openssh.ok, openssh.stderr).toBe(true)
    expect(openssh.stderr).toContain(`Server host key: ssh-rsa ${fingerprintOf(rsa)}`)

    await run('/usr/bin/ssh-keygen', ['-H', '-f', knownHostsPath])
    expect(await readFile(knownHostsPath, 'utf8')).not.toContain('127.0.0.1')
    expect((await checkConnection(target())).trusted).toBe(true)
    expect((await openSshSftp('pwd\n')).ok).toBe(true)
    expect(await readFile(knownHostsPath, 'utf8')).not.toContain('127.0.0.1') // nothing added
  })

  it('a really changed RSA key stops both clients; trusting its fingerprint writes nothing; forget, then confirm, trusts it', async () => {
    sshd = await startSshd({ root: path.join(dir, 'root'), authorizedKeys: [client.publicKey], hostKeyTypes: ['rsa', 'ed25519'] })
    const oldRsa = sshd.hostKeys.rsa!.knownHostsLine
    const otherLine = `other.example.com ${oldRsa.split(' ').slice(1).join(' ')}`
    await writeFile(knownHostsPath, `# keep me\n${otherLine}\n${oldRsa}\n`, { mode: 0o600 })
    const newRsa = await sshd.replaceHostKey('rsa')
    expect(fingerprintOf(newRsa)).not.toBe(fingerprintOf(oldRsa))

    const refused = checkConnection(target())
    await expect(refused).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED' })
    await expect(refused).rejects.toMatchObject({ details: expect.stringContaining(fingerprintOf(oldRsa)) })
    await expect(uploadOne('never.txt', 'x')).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED' })
    await expect(hostKeyStatus(target())).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED' })
    const openssh = await openSshSftp('pwd\n')
    expect(openssh.ok).toBe(false)
    expect(openssh.stderr).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED')

    const before = await readFile(knownHostsPath, 'utf8')
    await expect(trustServer(target(), fingerprintOf(newRsa))).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED' })
    expect(await readFile(knownHostsPath, 'utf8')).toBe(before)

    await chmod(knownHostsPath, 0o600)
    await forgetServer(target())
    expect(await readFile(knownHostsPath, 'utf8')).toBe(`# keep me\n${otherLine}\n`)
    expect((await stat(knownHostsPath)).mode & 0o777).toBe(0o600)
    const found = await run('/usr/bin/ssh-keygen', ['-F', `[${sshd.host}]:${sshd.port}`, '-f', knownHostsPath]).catch((e: { stdout: string }) => e)
    expect(found.stdout).toBe('')

    // Now a first connection again: the user compares the key shown, then confirms it.
    const fresh = await checkConnection(target())
    expect(fresh.trusted).toBe(false)
    await trustServer(target(), fresh.hostKey.fingerprint)
    expect(await checkConnection(target())).toMatchObject({ trusted: true, hostKey: { fingerprint: fresh.hostKey.fingerprint } })
    await uploadOne('after-rebuild.txt', 'rebuilt server trusted')
    expect(await readFile(path.join(sshd.root, 'after-rebuild.txt'), 'utf8')).toBe('rebuilt server trusted')
    expect((await openSshSftp('pwd\n')).ok).toBe(true)
  })

  it('a server that no longer offers the pinned type is refused, as OpenSSH refuses it, but as a key to confirm (HOST_KEY_UNKNOWN), never "changed"', async () => {
    sshd = await startSshd({ root: path.join(dir, 'root'), authorizedKeys: [client.publicKey], hostKeyTypes: ['ed25519'] })
    const gone = generatePair('rsa', { bits: 2048 }).publicKey.split(' ').slice(0, 2).join(' ')
    await writeFile(knownHostsPath, `[${sshd.host}]:${sshd.port} ${gone}\n`, { mode: 0o600 })
    const before = await readFile(knownHostsPath, 'utf8')
    const ed25519 = fingerprintOf(sshd.knownHostsLine)

    expect(await checkConnection(target())).toMatchObject({ trusted: false, hostKey: { keyType: 'ssh-ed25519', fingerprint: ed25519 } })
    const { target: unattended } = pinnedTarget({ ...target(), policy: 'trust-new' })
    const refused = Connection.open(unattended)
    await expect(refused).rejects.toMatchObject({ code: 'HOST_KEY_UNKNOWN', details: expect.stringContaining('not a changed key') })
    await expect(refused).rejects.not.toMatchObject({ message: expect.stringMatching(/intercept/) })
    expect(await readFile(knownHostsPath, 'utf8')).toBe(before)
    // OpenSSH refuses too; it words any unmatched key as changed ("Offending RSA key"). The app
    // keeps that word for a differing key of a pinned type and asks for a confirmation here.
    const openssh = await openSshSftp('pwd\n')
    expect(openssh.ok).toBe(false)
    expect(openssh.stderr).toMatch(/Host key verification failed/)

    await trustServer(target(), ed25519)
    expect(await readFile(knownHostsPath, 'utf8')).toBe(`${before}${sshd.knownHostsLine}\n`)
    expect((await checkConnection(target())).trusted).toBe(true)
    expect((await openSshSftp('pwd\n')).ok).toBe(true)
  })
})
