/**
 * Every key a user brings, made by the tools users have (OpenSSH's ssh-keygen, PuTTY's
 * puttygen), never by this project: OpenSSH keys with each cipher ssh-keygen writes, PuTTY
 * PPK v2 and v3 encrypted or not, ssh.com keys, damaged files, and files that are not keys.
 * They are checked (fingerprints against the tools' own) and log in to OpenSSH's sshd.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import os from 'node:os'
import path from 'node:path'
import SftpClient from 'ssh2-sftp-client'
import { checkKeyText, loadPrivateKeyForSsh } from '../../../src/keys'
import { createHostVerifier } from '../../../src/ssh/host-trust'
import { startSshd } from '../../helpers/sshd'
import { hasPuttygen, hasSshd, hasSshKeygen, skipWithReason, type SystemCheck } from '../../helpers/system'
import { runCli } from './cli'

const run = promisify(execFile)
const PASS = 'correct horse'
const CIPHERS = [
  'aes128-ctr', 'aes192-ctr', 'aes256-ctr', 'aes128-cbc', 'aes256-cbc',
  'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com',
]
let dir: string
let passFile: string
let emptyFile: string

async function keygen(name: string, args: string[], passphrase = PASS): Promise<string> {
  const file = path.join(dir, name)
  await run('/usr/bin/ssh-keygen', ['-q', '-N', passphrase, '-C', `${name}@test`, '-f', file, ...args])
  return file
}

async function sshKeygenFingerprint(file: string): Promise<string> {
  return (await run('/usr/bin/ssh-keygen', ['-l', '-E', 'sha256', '-f', file])).stdout.split(' ')[1]!
}

/** puttygen with a passphrase file (empty file: no passphrase); returns the output path. */
async function puttygen(args: string[], out: string, encrypted: boolean): Promise<string> {
  const file = path.join(dir, out)
  await run('/usr/bin/puttygen', [...args, '-o', file, '--new-passphrase', encrypted ? passFile : emptyFile])
  return file
}

async function puttyFingerprint(file: string): Promise<string> {
  return (await run('/usr/bin/puttygen', [file, '-l', '-E', 'sha256', '--old-passphrase', passFile])).stdout.trim().split(' ')[2]!
}

const tools: SystemCheck = !hasSshKeygen().ok ? hasSshKeygen() : hasPuttygen()

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-foreign-keys-'))
  passFile = path.join(dir, 'pass')
  emptyFile = path.join(dir, 'empty')
  await writeFile(passFile, PASS)
  await writeFile(emptyFile, '')
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe.skipIf(skipWithReason(tools, 'keys from ssh-keygen and puttygen'))('keys users bring', () => {
  it('OpenSSH keys open with the right passphrase in every cipher ssh-keygen writes, and not with a wrong one', async () => {
    const made: Array<[string, string]> = []
    for (const cipher of CIPHERS) made.push([`ed25519 ${cipher}`, await keygen(`ed-${cipher}`, ['-t', 'ed25519', '-Z', cipher])])
    for (const cipher of ['aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com']) {
      made.push([`rsa ${cipher}`, await keygen(`rsa-${cipher}`, ['-t', 'rsa', '-b', '2048', '-Z', cipher])])
      made.push([`ecdsa ${cipher}`, await keygen(`ecdsa-${cipher}`, ['-t', 'ecdsa', '-Z', cipher])])
    }
    for (const [label, file] of made) {
      const text = await readFile(file)
      expect(checkKeyText(text, { passphrase: PASS }), label).toMatchObject({ ok: true, kind: 'private', format: 'openssh', encrypted: true, fingerprint: await sshKeygenFingerprint(file) })
      expect(checkKeyText(text, { passphrase: 'wrong' }), label).toMatchObject({ ok: false, error: { code: 'KEY_PASSPHRASE_WRONG' } })
      expect(checkKeyText(text), label).toMatchObject({ ok: false, error: { code: 'KEY_PASSPHRASE_NEEDED' } })
    }
    const cli = await runCli(['key', 'check', path.join(dir, 'ed-aes256-gcm@openssh.com'), '--passphrase-env', 'PW'], path.join(dir, 'home'), { PW: PASS })
    expect(cli.code, cli.stdout + cli.stderr).toBe(0)
    expect(cli.stdout).toContain('OK: ed25519 private key, 256 bits, OpenSSH format, passphrase-protected')
  })

  it('PuTTY PPK v2 and v3, encrypted or not, open with fingerprints equal to puttygen\'s', async () => {
    const files: string[] = []
    for (const type of ['ed25519', 'rsa', 'ecdsa']) {
      for (const version of ['2', '3']) {
        for (const encrypted of [true, false]) {
          files.push(await puttygen(['-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '--ppk-param', `version=${version}`], `${type}-v${version}-${encrypted ? 'enc' : 'plain'}.ppk`, encrypted))
        }
      }
    }
    // A key the user made with ssh-keygen, converted in puttygen (as PuTTY users do).
    const source = await keygen('converted', ['-t', 'ed25519'])
    await run('/usr/bin/puttygen', [source, '--old-passphrase', passFile, '-O', 'private', '-o', path.join(dir, 'converted.ppk'), '--new-passphrase', passFile])
    files.push(path.join(dir, 'converted.ppk'))
    for (const file of files) {
      const text = await readFile(file)
      const encrypted = !file.endsWith('-plain.ppk')
      const check = checkKeyText(text, { passphrase: PASS })
      expect(check, file).toMatchObject({ ok: true, kind: 'private', format: 'ppk', encrypted, fingerprint: await puttyFingerprint(file) })
      if (encrypted) {
        expect(checkKeyText(text, { passphrase: 'wrong' }), file).toMatchObject({ ok: false, error: { code: 'KEY_PASSPHRASE_WRONG' } })
        expect(checkKeyText(text), file).toMatchObject({ ok: false, error: { code: 'KEY_PASSPHRASE_NEEDED' } })
      }
    }
    expect(checkKeyText(await readFile(path.join(dir, 'converted.ppk')), { passphrase: PASS })).toMatchObject({ ok: true, fingerprint: await sshKeygenFingerprint(source), comment: 'converted@test' })
  }, 120_000)

  it('refuses DSA, short RSA, ssh.com keys, damaged keys and non-key files with sentences free of library text', async () => {
    const home = path.join(dir, 'home')
    const dsa = await puttygen(['-t', 'dsa'], 'dsa.ppk', true)
    const shortRsa = await puttygen(['-t', 'rsa', '-b', '1024'], 'short.ppk', false)
    const sshcom = await puttygen(['-t', 'rsa', '-b', '2048', '-O', 'private-sshcom'], 'sshcom.key', true)
    // Unencrypted: with a passphrase, an altered MAC cannot be told from a wrong passphrase.
    const v3 = await readFile(await puttygen(['-t', 'ed25519'], 'v3.ppk', false), 'utf8')
    const damagedPpk = path.join(dir, 'damaged.ppk')
    await writeFile(damagedPpk, v3.replace(/^(Private-MAC: )(.)/m, (_, h: string, c: string) => h + (c === '0' ? '1' : '0')))
    const pem = await keygen('pem', ['-t', 'rsa', '-b', '2048', '-m', 'PEM'], '')
    const pemText = await readFile(pem, 'utf8')
    const damagedPem = path.join(dir, 'damaged.pem')
    await writeFile(damagedPem, pemText.replace(/\n([A-Za-z0-9+/]{20})/, '\nAAAAAAAAAAAAAAAAAAAA'))
    const openssh = await readFile(await keygen('cut', ['-t', 'ed25519', '-Z', 'aes256-gcm@openssh.com']), 'utf8')
    const cut = path.join(dir, 'cut.key')
    const lines = openssh.split('\n')
    await writeFile(cut, [...lines.slice(0, 3), lines.at(-2)].join('\n'))
    const big = path.join(dir, 'big.key')
    await writeFile(big, Buffer.alloc(2 * 1024 * 1024, 0x41))
    const fifo = path.join(dir, 'fifo')
    await run('/usr/bin/mkfifo', [fifo])
    const cases: Array<[string, number, RegExp]> = [
      [dsa, 1, /DSA key, which the platform refuses/],
      [shortRsa, 1, /only 1024 bits/],
      [sshcom, 1, /ssh\.com \(SSH2, RFC 4716\) private key.*puttygen FILE -O private-openssh/],
      [damagedPpk, 1, /PuTTY key file is damaged/],
      [damagedPem, 1, /PEM key is damaged/],
      [cut, 1, /OpenSSH private key is damaged/],
      ['/dev/zero', 2, /not a key file \(it is a folder, a device or a pipe\)/],
      [fifo, 2, /not a key file/],
      [dir, 2, /not a key file/],
      [big, 2, /too large to be an SSH key/],
    ]
    for (const [file, code, message] of cases) {
      const r = await runCli(['key', 'check', file, '--passphrase-env', 'PW'], home, { PW: PASS })
      expect(r.code, file).toBe(code)
      expect(r.stdout + r.stderr, file).toMatch(message)
      expect(r.stdout + r.stderr, file).not.toMatch(/error:[0-9A-F]{8}|routines|DECODER|at .*\.[jt]s:\d+/)
    }
  }, 120_000)
})

describe.skipIf(skipWithReason(!tools.ok ? tools : hasSshd(), 'foreign keys against OpenSSH sshd'))('keys users bring log in to OpenSSH sshd', () => {
  it('OpenSSH aes256-gcm and chacha20 keys and PuTTY v2/v3 keys log in; the CLI uploads with a PPK v3 key', async () => {
    const gcm = await keygen('login-gcm', ['-t', 'ed25519', '-Z', 'aes256-gcm@openssh.com'])
    const chacha = await keygen('login-chacha', ['-t', 'rsa', '-b', '2048', '-Z', 'chacha20-poly1305@openssh.com'])
    const fromSshKeygen = await keygen('login-ppk', ['-t', 'ecdsa'])
    const v3 = path.join(dir, 'login-v3.ppk')
    await run('/usr/bin/puttygen', [fromSshKeygen, '--old-passphrase', passFile, '-O', 'private', '-o', v3, '--new-passphrase', passFile])
    const v2 = await puttygen(['-t', 'ed25519', '--ppk-param', 'version=2'], 'login-v2.ppk', true)
    const v2Public = (await run('/usr/bin/puttygen', [v2, '--old-passphrase', passFile, '-O', 'public-openssh'])).stdout.trim()
    const root = path.join(dir, 'sshd-root')
    await mkdir(root, { recursive: true })
    const authorized = [...(await Promise.all([gcm, chacha, fromSshKeygen].map((f) => readFile(`${f}.pub`, 'utf8')))).map((l) => l.trim()), v2Public]
    const sshd = await startSshd({ root, authorizedKeys: authorized })
    try {
      const knownHostsPath = path.join(dir, 'known_hosts')
      await writeFile(knownHostsPath, sshd.knownHostsLine + '\n')
      for (const [label, file] of [['gcm', gcm], ['chacha', chacha], ['v3', v3], ['v2', v2]] as const) {
        const client = new SftpClient()
        const verifier = createHostVerifier({ host: sshd.host, port: sshd.port, knownHostsPath, policy: 'strict' })
        await client.connect({ host: sshd.host, port: sshd.port, username: sshd.username, privateKey: await loadPrivateKeyForSsh(file, PASS), hostVerifier: verifier.hostVerifier })
        await client.put(Buffer.from(`via ${label}`), `${label}.txt`)
        await client.end()
        expect(await readFile(path.join(root, `${label}.txt`), 'utf8')).toBe(`via ${label}`)
      }
      const { generateBatch } = await import('../../fixtures/generate-batch')
      const gen = await generateBatch(path.join(dir, 'gen'), { rows: 2, recordingBytes: 4000 })
      const up = await runCli([
        'upload', gen.dir, '--host', sshd.host, '--port', String(sshd.port), '--user', sshd.username, '--key', v3,
        '--passphrase-env', 'PW', '--known-hosts', knownHostsPath, '--state-dir', path.join(dir, 'state'),
      ], path.join(dir, 'home'), { PW: PASS })
      expect(up.code, up.stdout + up.stderr).toBe(0)
      expect(up.stdout + up.stderr).not.toContain(PASS)
    } finally {
      await sshd.close()
    }
  }, 180_000)
})
