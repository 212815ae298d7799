/**
 * Host trust against an OpenSSH known_hosts file: unknown, pinned, changed, hashed entries,
 * ports, markers and comments; the verifier ssh2 calls never accepts a key silently; pinned
 * key types are offered first; no call replaces a pin, and forgetting one keeps other lines.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sshpk from 'sshpk'
import { generatePair } from '../../../src/keys/key-pair'
import {
  HOST_KEY_ALGORITHMS,
  checkHostKey,
  createHostVerifier,
  forgetHostKeys,
  hostKeyAlgorithmsFor,
  orderHostKeyAlgorithms,
  sha256Fingerprint,
  trustHostKey,
} from '../../../src/ssh/host-trust'
import { entryMatchesHost, formatKnownHostsLine, hashHostToken, hostToken, parseKnownHosts } from '../../../src/ssh/known-hosts'
import { isAppError } from '../../../src/errors'

function blobOf(publicLine: string): Buffer {
  return Buffer.from(publicLine.split(' ')[1]!, 'base64')
}

let dir: string
let kh: string
const keyA = blobOf(generatePair('ed25519').publicKey)
const keyB = blobOf(generatePair('ed25519').publicKey)
const rsaA = blobOf(generatePair('rsa', { bits: 2048 }).publicKey)
const rsaB = blobOf(generatePair('rsa', { bits: 2048 }).publicKey)

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

  it('never replaces a changed pin: HOST_KEY_CHANGED and the file is left byte for byte; pinning again is a no-op', async () => {
    await trustHostKey(kh, 'sftp.example.com', 2222, keyA)
    const before = await readFile(kh, 'utf8')
    await expect(trustHostKey(kh, 'sftp.example.com', 2222, keyB)).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED' })
    await expect(trustHostKey(kh, 'sftp.example.com', 2222, `[sftp.example.com]:2222 ssh-ed25519 ${keyB.toString('base64')}`)).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED' })
    expect(await readFile(kh, 'utf8')).toBe(before)
    await trustHostKey(kh, 'sftp.example.com', 2222, keyA)
    expect(await readFile(kh, 'utf8')).toBe(before)
    await forgetHostKeys(kh, 'sftp.example.com', 2222)
    await trustHostKey(kh, 'sftp.example.com', 2222, keyB)
    expect(await readFile(kh, 'utf8')).toBe(`${formatKnownHostsLine('sftp.example.com', 2222, keyB)}\n`)
  })

  it('refuses a string that is not a known_hosts line', async () => {
    await expect(trustHostKey(kh, 'h', 22, 'not a key')).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
  })
})

describe('host keys of several types, as OpenSSH treats them', () => {
  it('offers ssh2\'s own algorithms, pinned types first (an ssh-rsa pin is rsa-sha2-512, rsa-sha2-256, ssh-rsa)', async () => {
    // ssh2 throws on names it does not know: the list must stay its own.
    const ssh2 = (await import('ssh2/lib/protocol/constants.js' as string)) as { default: { DEFAULT_SERVER_HOST_KEY: string[] } }
    expect([...HOST_KEY_ALGORITHMS]).toEqual(ssh2.default.DEFAULT_SERVER_HOST_KEY)
    expect(orderHostKeyAlgorithms([])).toEqual([...HOST_KEY_ALGORITHMS])
    expect(orderHostKeyAlgorithms(['ssh-rsa'])).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'])
    expect(orderHostKeyAlgorithms(['ecdsa-sha2-nistp384'])[0]).toBe('ecdsa-sha2-nistp384')
    expect(orderHostKeyAlgorithms(['ssh-rsa', 'ssh-ed25519']).slice(0, 4)).toEqual(['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'])
    expect(orderHostKeyAlgorithms(['ssh-dss', 'sk-ssh-ed25519@openssh.com'])).toEqual([...HOST_KEY_ALGORITHMS])
  })

  it('reads the pinned types of this host and port only, hashed lines included, @revoked lines not', async () => {
    await mkdir(path.dirname(kh), { recursive: true })
    await writeFile(kh, [
      `${hashHostToken('[sftp.example.com]:2222')} ssh-rsa ${rsaA.toString('base64')}`,
      `sftp.example.com ssh-ed25519 ${keyA.toString('base64')}`,
      `@revoked [sftp.example.com]:2222 ssh-ed25519 ${keyB.toString('base64')}`,
    ].join('\n'))
    expect((await hostKeyAlgorithmsFor(kh, 'sftp.example.com', 2222)).slice(0, 4)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519'])
    expect((await hostKeyAlgorithmsFor(kh, 'sftp.example.com', 22))[0]).toBe('ssh-ed25519')
    expect(await hostKeyAlgorithmsFor(path.join(dir, 'none'), 'h', 22)).toEqual([...HOST_KEY_ALGORITHMS])
  })

  it('a key of a type not pinned is unknown (confirm it), never "changed"; trust-new does not pin it', async () => {
    await trustHostKey(kh, 'sftp.example.com', 2222, rsaA)
    const before = await readFile(kh, 'utf8')
    const { ok, v } = await verify('trust-new', keyA)
    expect(ok).toBe(false)
    expect(v.check).toMatchObject({ status: 'unknown', knownFingerprints: [], otherPins: [{ keyType: 'ssh-rsa', fingerprint: sha256Fingerprint(rsaA) }] })
    expect(isAppError(v.error, 'HOST_KEY_UNKNOWN')).toBe(true)
    expect(`${v.error?.message} ${v.error?.details}`).not.toMatch(/intercept/)
    expect(v.error?.details).toMatch(/not a changed key/)
    expect(v.error?.details).toContain(sha256Fingerprint(rsaA))
    expect(await readFile(kh, 'utf8')).toBe(before)
  })

  it('a different key of the pinned type is changed; a person may pin a second type beside the first', async () => {
    await trustHostKey(kh, 'sftp.example.com', 2222, rsaA)
    const changed = await verify('strict', rsaB)
    expect(changed.v.check?.status).toBe('changed')
    expect(changed.v.error?.details).toContain(`pinned ssh-rsa key is ${sha256Fingerprint(rsaA)}`)
    await trustHostKey(kh, 'sftp.example.com', 2222, keyA)
    expect((await checkHostKey(kh, 'sftp.example.com', 2222, rsaA)).status).toBe('trusted')
    expect((await checkHostKey(kh, 'sftp.example.com', 2222, keyA)).status).toBe('trusted')
    expect((await checkHostKey(kh, 'sftp.example.com', 2222, keyB)).status).toBe('changed')
  })
})

describe('forgetting a server', () => {
  it('removes its plain and hashed lines, narrows shared lines, keeps every other line byte for byte (0600)', async () => {
    await mkdir(path.dirname(kh), { recursive: true })
    const a = keyA.toString('base64')
    const b = keyB.toString('base64')
    const r = rsaA.toString('base64')
    const lines = [
      '# my servers  (kept as written)',
      `other.example.com ssh-ed25519 ${a}`,
      `[sftp.example.com]:2222 ssh-ed25519 ${a} pinned by the app`,
      `${hashHostToken('[sftp.example.com]:2222')} ssh-rsa ${r}`,
      `${hashHostToken('[other.example.com]:2222')} ssh-rsa ${r}`,
      `sftp.example.com ssh-ed25519 ${b}`,
      `[SFTP.example.com]:2222,10.0.0.9 ssh-ed25519 ${b}\r`,
      `  [*.example.com]:2222\tssh-ed25519 ${a}`,
      `@revoked [sftp.example.com]:2222 ssh-ed25519 ${b}`,
      `@cert-authority [sftp.example.com]:2222 ssh-ed25519 ${a}`,
      '',
    ]
    await writeFile(kh, lines.join('\n'), { mode: 0o644 })
    expect(await forgetHostKeys(kh, 'sftp.example.com', 2222)).toBe(4)
    const after = (await readFile(kh, 'utf8')).split('\n')
    expect(after).toEqual([
      lines[0], lines[1], lines[4], lines[5],
      `10.0.0.9 ssh-ed25519 ${b}\r`,
      `  [*.example.com]:2222,![sftp.example.com]:2222\tssh-ed25519 ${a}`,
      lines[8], lines[9], '',
    ])
    expect((await stat(kh)).mode & 0o777).toBe(0o600)
    for (const key of [keyA, keyB, rsaA]) expect((await checkHostKey(kh, 'sftp.example.com', 2222, key)).status).not.toBe('trusted')
    expect((await checkHostKey(kh, 'sftp.example.com', 2222, keyB)).status).toBe('revoked')
    expect((await checkHostKey(kh, 'sftp.example.com', 22, keyB)).status).toBe('trusted')
    expect((await checkHostKey(kh, 'www.example.com', 2222, keyA)).status).toBe('trusted')
    expect((await checkHostKey(kh, '10.0.0.9', 22, keyB)).status).toBe('trusted')
  })

  it('writes nothing when nothing is pinned', async () => {
    expect(await forgetHostKeys(kh, 'sftp.example.com', 2222)).toBe(0)
    await expect(stat(kh)).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
