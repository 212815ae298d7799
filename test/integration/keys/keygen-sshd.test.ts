/**
 * Interop, our keys outward: a key made by `bulk-upload keygen` logs in to a real OpenSSH
 * sshd, through ssh2 (as the upload engine does) and through OpenSSH's own `sftp` client.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import os from 'node:os'
import path from 'node:path'
import SftpClient from 'ssh2-sftp-client'
import { loadPrivateKeyForSsh } from '../../../src/keys'
import { createHostVerifier } from '../../../src/ssh/host-trust'
import { startSshd, type SshdServer } from '../../helpers/sshd'
import { hasSftpClient, hasSshd, skipWithReason } from '../../helpers/system'
import { runCli } from './cli'

let dir: string
let sshd: SshdServer | undefined
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-keygen-'))
})
afterEach(async () => {
  await sshd?.close()
  sshd = undefined
  await rm(dir, { recursive: true, force: true })
})

const missing = !hasSshd().ok ? hasSshd() : hasSftpClient()

describe.skipIf(skipWithReason(missing, 'keygen keys against OpenSSH sshd'))('keygen keys log in to OpenSSH sshd', () => {
  it('an Ed25519 key from `keygen` uploads through ssh2 and through OpenSSH sftp', async () => {
    const home = path.join(dir, 'home')
    const made = await runCli(['keygen', '--name', 'work'], home)
    expect(made.code, made.stderr).toBe(0)
    const publicLine = made.stdout.split('\n').find((l) => l.startsWith('ssh-ed25519 '))!
    expect(made.stdout).toMatch(/Fingerprint: SHA256:/)

    const root = path.join(dir, 'root')
    await mkdir(root)
    sshd = await startSshd({ root, authorizedKeys: [publicLine] })
    const knownHostsPath = path.join(dir, 'known_hosts')
    await writeFile(knownHostsPath, sshd.knownHostsLine + '\n')

    const client = new SftpClient()
    const verifier = createHostVerifier({ host: sshd.host, port: sshd.port, knownHostsPath, policy: 'strict' })
    await client.connect({ host: sshd.host, port: sshd.port, username: sshd.username, privateKey: await loadPrivateKeyForSsh('work', null, home), hostVerifier: verifier.hostVerifier })
    await client.put(Buffer.from('via ssh2'), 'ssh2.txt')
    await client.end()
    expect(await readFile(path.join(root, 'ssh2.txt'), 'utf8')).toBe('via ssh2')

    const batch = path.join(dir, 'batch')
    await writeFile(batch, `put ${batch} openssh.txt\n`)
    const run = promisify(execFile)
    await run('/usr/bin/sftp', [
      '-b', batch, '-i', path.join(home, 'keys', 'work'), '-P', String(sshd.port),
      '-o', `UserKnownHostsFile=${knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes',
      `${sshd.username}@${sshd.host}`,
    ])
    expect(await readFile(path.join(root, 'openssh.txt'), 'utf8')).toBe(`put ${batch} openssh.txt\n`)
  })

  it('a passphrase-protected RSA 4096 key from `keygen` logs in with its passphrase', async () => {
    const home = path.join(dir, 'home')
    const made = await runCli(['keygen', '--type', 'rsa', '--name', 'old', '--passphrase-env', 'KEY_PW'], home, { KEY_PW: 'tr0ub4dor' })
    expect(made.code, made.stderr).toBe(0)
    const publicLine = made.stdout.split('\n').find((l) => l.startsWith('ssh-rsa '))!
    sshd = await startSshd({ root: dir, authorizedKeys: [publicLine] })
    const knownHostsPath = path.join(dir, 'known_hosts')
    await writeFile(knownHostsPath, sshd.knownHostsLine + '\n')
    await expect(loadPrivateKeyForSsh('old', null, home)).rejects.toMatchObject({ code: 'KEY_PASSPHRASE_NEEDED' })
    const client = new SftpClient()
    const verifier = createHostVerifier({ host: sshd.host, port: sshd.port, knownHostsPath, policy: 'strict' })
    await client.connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKey: await loadPrivateKeyForSsh('old', 'tr0ub4dor', home),
      passphrase: 'tr0ub4dor',
      hostVerifier: verifier.hostVerifier,
    })
    expect(await client.cwd()).toBe(dir)
    await client.end()
  })
})
