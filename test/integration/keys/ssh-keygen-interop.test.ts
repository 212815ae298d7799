/**
 * Interop, other tools' keys inward: keys made by OpenSSH's `ssh-keygen` in each format it
 * writes pass `key check` (and the refused ones are refused), and log in to the sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import os from 'node:os'
import path from 'node:path'
import SftpClient from 'ssh2-sftp-client'
import { checkKeyText, loadPrivateKeyForSsh } from '../../../src/keys'
import { startSandbox } from '../../../src/sandbox'
import { hasSshKeygen, skipWithReason } from '../../helpers/system'
import { runCli } from './cli'

const run = promisify(execFile)
let dir: string

async function keygen(name: string, args: string[], passphrase = ''): Promise<string> {
  const file = path.join(dir, name)
  await run('/usr/bin/ssh-keygen', ['-q', '-N', passphrase, '-C', `${name}@test`, '-f', file, ...args])
  return file
}

async function exported(pubFile: string, format: 'RFC4716' | 'PKCS8' | 'PEM'): Promise<string> {
  return (await run('/usr/bin/ssh-keygen', ['-e', '-m', format, '-f', pubFile])).stdout
}

describe.skipIf(skipWithReason(hasSshKeygen(), 'ssh-keygen interop'))('keys made by ssh-keygen', () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-sshkeygen-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('are explained by `key check` in every format ssh-keygen writes', async () => {
    const ed = await keygen('ed', ['-t', 'ed25519'])
    const ecdsa = await keygen('ecdsa', ['-t', 'ecdsa', '-b', '384', '-m', 'PEM'])
    const rsa = await keygen('rsa', ['-t', 'rsa', '-b', '3072', '-m', 'PKCS8'])
    const fp = async (f: string): Promise<string> => (await run('/usr/bin/ssh-keygen', ['-l', '-E', 'sha256', '-f', f])).stdout.split(' ')[1]!
    const cases: Array<[string, string | Buffer, object]> = [
      ['OpenSSH private', await readFile(ed), { kind: 'private', format: 'openssh', type: 'ed25519', fingerprint: await fp(ed) }],
      ['OpenSSH public', await readFile(`${ed}.pub`), { kind: 'public', format: 'openssh', comment: 'ed@test' }],
      ['RFC 4716 public', await exported(`${ed}.pub`, 'RFC4716'), { kind: 'public', format: 'rfc4716', type: 'ed25519', fingerprint: await fp(ed) }],
      ['PEM (SEC1) ECDSA private', await readFile(ecdsa), { format: 'pem', type: 'ecdsa', bits: 384, fingerprint: await fp(ecdsa) }],
      ['PKCS#8 RSA private', await readFile(rsa), { format: 'pkcs8', type: 'rsa', bits: 3072, fingerprint: await fp(rsa) }],
      ['PKCS#8 public', await exported(`${rsa}.pub`, 'PKCS8'), { kind: 'public', format: 'pem', type: 'rsa' }],
      ['RFC 4716 RSA public', await exported(`${rsa}.pub`, 'RFC4716'), { format: 'rfc4716', type: 'rsa', bits: 3072 }],
    ]
    for (const [label, text, expected] of cases) {
      const check = checkKeyText(text)
      expect(check, label).toMatchObject({ ok: true, ...expected })
    }
    const cli = await runCli(['key', 'check', `${ed}.pub`], path.join(dir, 'home'))
    expect(cli.code).toBe(0)
    expect(cli.stdout).toContain('OK: ed25519 public key, 256 bits, OpenSSH format')
    expect(cli.stdout).toContain(await fp(ed))
  })

  it('are refused by `key check` when DSA, short RSA, the wrong half, or the wrong passphrase', async () => {
    const home = path.join(dir, 'home')
    const dsa = await keygen('dsa', ['-t', 'dsa'])
    const short = await keygen('short', ['-t', 'rsa', '-b', '1024'])
    const locked = await keygen('locked', ['-t', 'ed25519'], 'open sesame')
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['key', 'check', `${dsa}.pub`], {}, /DSA key, which the platform refuses/],
      [['key', 'check', short], {}, /only 1024 bits/],
      [['key', 'check', locked, '--want', 'public'], {}, /private key, which must never be shared/],
      [['key', 'check', `${locked}.pub`, '--want', 'private'], {}, /This is a public key/],
      [['key', 'check', locked], {}, /protected by a passphrase.*--passphrase-env/],
      [['key', 'check', locked, '--passphrase-env', 'PW'], { PW: 'wrong' }, /passphrase is not right/],
    ]
    for (const [args, env, message] of cases) {
      const r = await runCli(args, home, env)
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stdout).toMatch(message)
      expect(r.stdout + r.stderr).not.toMatch(/BEGIN OPENSSH PRIVATE KEY|at .*\.ts:\d+/)
    }
    const ok = await runCli(['key', 'check', locked, '--passphrase-env', 'PW'], home, { PW: 'open sesame' })
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain('passphrase-protected')
    const unreadable = await runCli(['key', 'check', path.join(dir, 'nope')], home)
    expect(unreadable.code).toBe(2)
  })

  it('log in to the sandbox (plain, passphrase-protected, and formats ssh2 cannot read itself)', async () => {
    const keys = [
      { file: await keygen('login-ed', ['-t', 'ed25519']), passphrase: null },
      { file: await keygen('login-ecdsa', ['-t', 'ecdsa']), passphrase: null },
      { file: await keygen('login-rsa', ['-t', 'rsa', '-b', '3072', '-m', 'PKCS8']), passphrase: null },
      { file: await keygen('login-locked', ['-t', 'ed25519'], 'pw'), passphrase: 'pw' },
    ]
    const authorizedKeys = await Promise.all(keys.map(async (k) => readFile(`${k.file}.pub`, 'utf8')))
    const server = await startSandbox({ root: path.join(dir, 'sandbox-root'), authorizedKeys })
    try {
      for (const k of keys) {
        const client = new SftpClient()
        await client.connect({
          host: server.host,
          port: server.port,
          username: server.username,
          privateKey: await loadPrivateKeyForSsh(k.file, k.passphrase),
          passphrase: k.passphrase ?? undefined,
          hostVerifier: (key: Buffer) => server.knownHostsLine.endsWith(key.toString('base64')),
        } as SftpClient.ConnectOptions)
        await client.put(Buffer.from(k.file), `${path.basename(k.file)}.txt`)
        await client.end()
      }
      expect((await readFile(path.join(server.root, 'login-rsa.txt'), 'utf8'))).toBe(keys[2]!.file)
    } finally {
      await server.close()
    }
  })
})
