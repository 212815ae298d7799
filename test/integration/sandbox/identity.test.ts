/**
 * Who may log in and who the server is: public-key authentication (keys in code or an
 * authorized_keys file re-read at login), the persistent host key, the `ssh-keyscan` line,
 * and host trust refusing an unknown or changed server over a real connection.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import os from 'node:os'
import path from 'node:path'
import SftpClient from 'ssh2-sftp-client'
import { startSandbox, type SandboxServer } from '../../../src/sandbox'
import { generatePair } from '../../../src/keys'
import { createHostVerifier } from '../../../src/ssh/host-trust'
import { hasSftpClient, skipWithReason } from '../../helpers/system'

let dir: string
let server: SandboxServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
  await rm(dir, { recursive: true, force: true })
})

async function tryLogin(s: SandboxServer, privateKey: string, username = s.username): Promise<void> {
  const c = new SftpClient()
  try {
    await c.connect({ host: s.host, port: s.port, username, privateKey, hostVerifier: () => true, retries: 0 } as SftpClient.ConnectOptions)
  } finally {
    await c.end().catch(() => undefined)
  }
}

describe('sandbox authentication', () => {
  it('accepts only listed keys and the configured user name', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-auth-'))
    const good = generatePair('ed25519')
    const other = generatePair('ed25519')
    server = await startSandbox({ root: path.join(dir, 'root'), authorizedKeys: [`# team keys\n${good.publicKey}`], username: 'uploader' })
    await tryLogin(server, good.privateKey)
    await expect(tryLogin(server, other.privateKey)).rejects.toThrow(/authentication/i)
    await expect(tryLogin(server, good.privateKey, 'root')).rejects.toThrow(/authentication/i)
  })

  it('re-reads an authorized_keys file at every login', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-auth-'))
    const file = path.join(dir, 'authorized_keys')
    const first = generatePair('ed25519')
    const later = generatePair('rsa', { bits: 2048 })
    await writeFile(file, `${first.publicKey}\n`)
    server = await startSandbox({ root: path.join(dir, 'root'), authorizedKeys: { file } })
    await tryLogin(server, first.privateKey)
    await expect(tryLogin(server, later.privateKey)).rejects.toThrow(/authentication/i)
    await appendFile(file, `no-pty,from="127.0.0.1" ${later.publicKey}\n`)
    await tryLogin(server, later.privateKey)
  })
})

describe('sandbox host key and host trust', () => {
  it('keeps its host key across restarts when given a path', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-auth-'))
    const hostKeyPath = path.join(dir, 'state', 'host_key')
    const a = await startSandbox({ root: path.join(dir, 'root'), authorizedKeys: [], hostKeyPath })
    const fingerprint = a.hostKeyFingerprint
    await a.close()
    server = await startSandbox({ root: path.join(dir, 'root'), authorizedKeys: [], hostKeyPath })
    expect(server.hostKeyFingerprint).toBe(fingerprint)
    const other = await startSandbox({ root: path.join(dir, 'root'), authorizedKeys: [] })
    expect(other.hostKeyFingerprint).not.toBe(fingerprint)
    await other.close()
  })

  it('refuses an unknown host, then a changed one, over a real connection', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-auth-'))
    const key = generatePair('ed25519')
    server = await startSandbox({ root: path.join(dir, 'root'), authorizedKeys: [key.publicKey] })
    const knownHostsPath = path.join(dir, 'known_hosts')
    const attempt = async (policy: 'strict' | 'trust-new') => {
      const v = createHostVerifier({ host: server!.host, port: server!.port, knownHostsPath, policy })
      const c = new SftpClient()
      const result = await c
        .connect({ host: server!.host, port: server!.port, username: server!.username, privateKey: key.privateKey, hostVerifier: v.hostVerifier, retries: 0 } as SftpClient.ConnectOptions)
        .then(() => 'connected', (err: Error) => err.message)
      await c.end().catch(() => undefined)
      return { result, v }
    }
    const unknown = await attempt('strict')
    expect(unknown.result).not.toBe('connected')
    expect(unknown.v.error?.code).toBe('HOST_KEY_UNKNOWN')
    expect(unknown.v.check?.hostKey.fingerprint).toBe(server.hostKeyFingerprint)

    const tofu = await attempt('trust-new')
    expect(tofu.result).toBe('connected')
    expect(tofu.v.check?.newlyTrusted).toBe(true)

    // Same port, new server identity: refused even with trust-new.
    const port = server.port
    await server.close()
    server = await startSandbox({ root: path.join(dir, 'root'), authorizedKeys: [key.publicKey], port })
    const changed = await attempt('trust-new')
    expect(changed.result).not.toBe('connected')
    expect(changed.v.error?.code).toBe('HOST_KEY_CHANGED')
  })
})

describe.skipIf(skipWithReason(hasSftpClient(), 'sandbox vs ssh-keyscan'))('sandbox as OpenSSH sees it', () => {
  it('prints the same known_hosts line as ssh-keyscan and the same fingerprint as ssh-keygen -l', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-auth-'))
    server = await startSandbox({ root: path.join(dir, 'root'), authorizedKeys: [] })
    // Async: the server runs in this process and must keep answering while the tool runs.
    const run = promisify(execFile)
    const scanned = (await run('/usr/bin/ssh-keyscan', ['-p', String(server.port), '-t', 'ed25519', '127.0.0.1'])).stdout
      .split('\n')
      .find((l) => l.includes('ssh-ed25519'))
    expect(scanned?.trim()).toBe(server.knownHostsLine)
    const file = path.join(dir, 'kh')
    await writeFile(file, server.knownHostsLine + '\n')
    expect((await run('/usr/bin/ssh-keygen', ['-l', '-f', file])).stdout).toContain(server.hostKeyFingerprint)
  })
})

describe.skipIf(skipWithReason(hasSftpClient(), 'RSA signature algorithms with OpenSSH sftp'))('RSA signatures', () => {
  it('s3 mode refuses ssh-rsa (SHA-1) signatures, as AWS does, and accepts rsa-sha2-256', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-auth-'))
    const run = promisify(execFile)
    const keyPath = path.join(dir, 'id_rsa')
    await run('/usr/bin/ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', keyPath])
    const publicKey = await readFile(`${keyPath}.pub`, 'utf8')
    const batch = path.join(dir, 'batch')
    await writeFile(batch, 'pwd\n')
    const sftp = async (s: SandboxServer, algorithm: string): Promise<number> => {
      const kh = path.join(dir, 'kh')
      await writeFile(kh, s.knownHostsLine + '\n')
      const args = ['-b', batch, '-i', keyPath, '-P', String(s.port), '-o', `UserKnownHostsFile=${kh}`, '-o', 'StrictHostKeyChecking=yes',
        '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', `PubkeyAcceptedAlgorithms=${algorithm}`, `${s.username}@${s.host}`]
      return run('/usr/bin/sftp', args).then(() => 0, (err: { code?: number }) => err.code ?? 1)
    }
    server = await startSandbox({ root: path.join(dir, 'root'), authorizedKeys: [publicKey], mode: 's3' })
    expect(await sftp(server, 'ssh-rsa')).not.toBe(0)
    expect(await sftp(server, 'rsa-sha2-256')).toBe(0)
    await server.close()
    server = await startSandbox({ root: path.join(dir, 'root'), authorizedKeys: [publicKey], mode: 'posix' })
    expect(await sftp(server, 'ssh-rsa')).toBe(0)
  })
})
