/**
 * Host trust against an OpenSSH known_hosts file: unknown, pinned, changed, hashed entries,
 * ports, markers and comments; the verifier ssh2 calls never accepts a key silently.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sshpk from 'sshpk'
import { generatePair } from '../../../src/keys/key-pair'
import { checkHostKey, createHostVerifier, sha256Fingerprint, trustHostKey } from '../../../src/transfer/host-trust'
import { entryMatchesHost, formatKnownHostsLine, hashHostToken, hostToken, parseKnownHosts } from '../../../src/transfer/known-hosts'
import { isAppError } from '../../../src/errors'

function blobOf(publicLine: string): Buffer {
  return Buffer.from(publicLine.split(' ')[1]!, 'base64')
}

let dir: string
let kh: string
const keyA = blobOf(generatePair('ed25519').publicKey)
const keyB = blobOf(generatePair('ed25519').publicKey)

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-kh-'))
  kh = path.join(dir, 'sub', 'known_hosts')
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

function verify(policy: 'strict' | 'trust-new', key: Buffer, port = 2222) {
  const v = createHostVerifier({ host: 'sftp.example.com', port, knownHostsPath: kh, policy })
  return new Promise<{ ok: boolean; v: typeof v }>((resolve) => v.hostVerifier(key, (ok) => resolve({ ok, v })))
}

describe('fingerprints and lines', () => {
  it('prints SHA256 fingerprints exactly like OpenSSH (cross-checked with sshpk)', () => {
    const line = generatePair('ed25519').publicKey
    expect(sha256Fingerprint(blobOf(line))).toBe(sshpk.parseKey(line, 'ssh').fingerprint('sha256').toString())
  })

  it('uses [host]:port except on port 22', () => {
    expect(hostToken('h', 22)).toBe('h')
    expect(hostToken('h', 2222)).toBe('[h]:2222')
    expect(formatKnownHostsLine('h', 2222, keyA)).toBe(`[h]:2222 ssh-ed25519 ${keyA.toString('base64')}`)
  })

  it('matches hashed, wildcard, negated and comma-listed hosts', () => {
    expect(entryMatchesHost({ hosts: hashHostToken('[h]:2222') }, 'h', 2222)).toBe(true)
    expect(entryMatchesHost({ hosts: hashHostToken('[h]:2222') }, 'h', 22)).toBe(false)
    expect(entryMatchesHost({ hosts: 'a,*.example.com' }, 'sftp.example.com', 22)).toBe(true)
    expect(entryMatchesHost({ hosts: '*.example.com,!sftp.example.com' }, 'sftp.example.com', 22)).toBe(false)
    expect(entryMatchesHost({ hosts: 'h' }, 'h', 2222)).toBe(false)
  })

  it('skips comments, @cert-authority and broken lines; keeps @revoked', () => {
    const text = [
      '# comment',
      '',
      `@cert-authority *.example.com ssh-ed25519 ${keyA.toString('base64')}`,
      'garbage line',
      `h ssh-rsa ${keyA.toString('base64')}`, // type does not match the blob
      `@revoked h ssh-ed25519 ${keyB.toString('base64')}`,
      `h ssh-ed25519 ${keyA.toString('base64')} comment here`,
    ].join('\n')
    const entries = parseKnownHosts(text)
    expect(entries.map((e) => [e.line, e.marker])).toEqual([
      [6, 'revoked'],
      [7, null],
    ])
  })
})

describe('checking and pinning', () => {
  it('reports an unknown host with its fingerprint; strict refuses with HOST_KEY_UNKNOWN', async () => {
    const { ok, v } = await verify('strict', keyA)
    expect(ok).toBe(false)
    expect(v.check?.status).toBe('unknown')
    expect(v.check?.hostKey).toEqual({ host: 'sftp.example.com', port: 2222, keyType: 'ssh-ed25519', fingerprint: sha256Fingerprint(keyA) })
    expect(isAppError(v.error, 'HOST_KEY_UNKNOWN')).toBe(true)
    expect(v.error?.details).toContain(sha256Fingerprint(keyA))
  })

  it('trust-new pins an unknown key (0600 file in a 0700 folder) and says so', async () => {
    const { ok, v } = await verify('trust-new', keyA)
    expect(ok).toBe(true)
    expect(v.check?.newlyTrusted).toBe(true)
    expect(await readFile(kh, 'utf8')).toBe(`[sftp.example.com]:2222 ssh-ed25519 ${keyA.toString('base64')}\n`)
    expect((await stat(kh)).mode & 0o777).toBe(0o600)
    expect((await stat(path.dirname(kh))).mode & 0o777).toBe(0o700)
    const again = await verify('strict', keyA)
    expect(again.ok).toBe(true)
    expect(again.v.check?.newlyTrusted).toBe(false)
  })

  it('refuses a changed key with HOST_KEY_CHANGED even under trust-new', async () => {
    await trustHostKey(kh, 'sftp.example.com', 2222, keyA)
    const { ok, v } = await verify('trust-new', keyB)
    expect(ok).toBe(false)
    expect(v.check?.status).toBe('changed')
    expect(isAppError(v.error, 'HOST_KEY_CHANGED')).toBe(true)
    expect(v.error?.details).toContain(sha256Fingerprint(keyA))
    expect(v.error?.details).toContain(sha256Fingerprint(keyB))
    expect(v.error?.message).toMatch(/Nothing was sent/)
  })

  it('keeps ports apart: a key pinned for :22 does not vouch for :2222', async () => {
    await trustHostKey(kh, 'sftp.example.com', 22, keyA)
    expect((await checkHostKey(kh, 'sftp.example.com', 22, keyA)).status).toBe('trusted')
    expect((await checkHostKey(kh, 'sftp.example.com', 2222, keyA)).status).toBe('unknown')
  })

  it('trusts hashed entries written by ssh-keygen -H, and refuses @revoked keys', async () => {
    await mkdir(path.dirname(kh), { recursive: true })
    await writeFile(kh, `${hashHostToken('[sftp.example.com]:2222')} ssh-ed25519 ${keyA.toString('base64')}\n`)
    expect((await verify('strict', keyA)).ok).toBe(true)
    await writeFile(kh, `@revoked [sftp.example.com]:2222 ssh-ed25519 ${keyA.toString('base64')}\n[sftp.example.com]:2222 ssh-ed25519 ${keyA.toString('base64')}\n`)
    const revoked = await verify('strict', keyA)
    expect(revoked.ok).toBe(false)
    expect(revoked.v.check?.status).toBe('revoked')
    expect(isAppError(revoked.v.error, 'HOST_KEY_CHANGED')).toBe(true)
  })

  it('re-pinning after a confirmed change replaces the old key, from a blob or an ssh-keyscan line', async () => {
    await trustHostKey(kh, 'sftp.example.com', 2222, keyA)
    await trustHostKey(kh, 'sftp.example.com', 2222, `[sftp.example.com]:2222 ssh-ed25519 ${keyB.toString('base64')}`)
    expect((await checkHostKey(kh, 'sftp.example.com', 2222, keyB)).status).toBe('trusted')
    expect((await checkHostKey(kh, 'sftp.example.com', 2222, keyA)).status).toBe('changed')
    expect((await readFile(kh, 'utf8')).trim().split('\n')).toHaveLength(1)
    await trustHostKey(kh, 'sftp.example.com', 2222, keyB) // idempotent
    expect((await readFile(kh, 'utf8')).trim().split('\n')).toHaveLength(1)
  })

  it('refuses a string that is not a known_hosts line', async () => {
    await expect(trustHostKey(kh, 'h', 22, 'not a key')).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
  })
})
