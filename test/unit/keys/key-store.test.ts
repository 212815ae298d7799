/**
 * The key store: generation (Ed25519 default, RSA 4096, passphrase), owner-only files,
 * listing, import from other formats, the default key, and loading keys for ssh2.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { generateKeyPairSync } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import ssh2 from 'ssh2'
import { checkKeyText, ensureDefaultKey, generateKey, getKey, importKey, listKeys, loadPrivateKeyForSsh } from '../../../src/keys'
import { ppkV2Rsa, rsaKey } from './fixtures'

let home: string
beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-keys-'))
})
afterEach(async () => {
  await rm(home, { recursive: true, force: true })
})

function parsesInSsh2(text: string, passphrase?: string): boolean {
  return !(ssh2.utils.parseKey(text, passphrase) instanceof Error)
}

describe('generateKey', () => {
  it('makes an Ed25519 key by default, private 0600 in a 0700 folder', async () => {
    const info = await generateKey({ name: 'work' }, home)
    expect(info).toMatchObject({ name: 'work', type: 'ed25519', bits: 256, encrypted: false })
    expect(info.publicKey).toMatch(/^ssh-ed25519 AAAA\S+ bulk-upload work$/)
    expect(info.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
    const file = path.join(home, 'keys', 'work')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700)
    expect((await stat(home)).mode & 0o777).toBe(0o700)
    const text = await readFile(file, 'utf8')
    expect(text).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/)
    expect(parsesInSsh2(text)).toBe(true)
  })

  it('makes RSA 4096 and passphrase-protected keys', async () => {
    const rsa = await generateKey({ name: 'old-server', type: 'rsa' }, home)
    expect(rsa).toMatchObject({ type: 'rsa', bits: 4096 })
    const locked = await generateKey({ name: 'locked', passphrase: 's3cret' }, home)
    expect(locked.encrypted).toBe(true)
    const text = await readFile(path.join(home, 'keys', 'locked'), 'utf8')
    expect(checkKeyText(text).ok).toBe(false)
    expect(parsesInSsh2(text, 's3cret')).toBe(true)
    expect(parsesInSsh2(text, 'nope')).toBe(false)
  })

  it('replaces a private key a crash left without its metadata (never shown, so never used)', async () => {
    await generateKey({ name: 'crashed' }, home)
    await rm(path.join(home, 'keys', 'crashed.json'))
    await expect(getKey('crashed', home)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' })
    expect((await generateKey({ name: 'crashed' }, home)).name).toBe('crashed')
  })

  it('refuses bad and duplicate names', async () => {
    await expect(generateKey({ name: '../escape' }, home)).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    await generateKey({ name: 'a' }, home)
    await expect(generateKey({ name: 'a' }, home)).rejects.toThrow(/already exists/)
  })
})

describe('listing, import and the default key', () => {
  it('lists stored keys and reports unknown names as KEY_NOT_FOUND', async () => {
    await generateKey({ name: 'one' }, home)
    await generateKey({ name: 'two' }, home)
    expect((await listKeys(home)).map((k) => k.name).sort()).toEqual(['one', 'two'])
    await expect(getKey('three', home)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' })
  })

  it('imports a PuTTY key (stored as OpenSSH, passphrase kept) and a PKCS#8 key', async () => {
    const key = rsaKey(2048)
    const info = await importKey('putty', ppkV2Rsa(key, 'from putty', 'pw'), 'pw', home)
    expect(info).toMatchObject({ type: 'rsa', encrypted: true, fingerprint: key.fingerprint('sha256').toString() })
    const stored = await readFile(path.join(home, 'keys', 'putty'), 'utf8')
    expect(stored).toMatch(/BEGIN OPENSSH PRIVATE KEY/)
    expect(parsesInSsh2(stored, 'pw')).toBe(true)
    const pkcs8 = String(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }))
    expect((await importKey('p8', pkcs8, null, home)).type).toBe('ed25519')
  })

  it('refuses to import a public key or a wrong passphrase', async () => {
    const pub = (await generateKey({ name: 'x' }, home)).publicKey
    await expect(importKey('y', pub, null, home)).rejects.toMatchObject({ code: 'KEY_WRONG_KIND' })
    await expect(importKey('z', ppkV2Rsa(rsaKey(2048), 'c', 'pw'), 'bad', home)).rejects.toMatchObject({ code: 'KEY_PASSPHRASE_WRONG' })
  })

  it('ensureDefaultKey makes the app key once and then reuses it, even when asked twice at once', async () => {
    const [a, b] = await Promise.all([ensureDefaultKey(home), ensureDefaultKey(home)])
    expect(a).toEqual(b)
    const first = await ensureDefaultKey(home)
    const second = await ensureDefaultKey(home)
    expect(second).toEqual(first)
    expect(first).toMatchObject({ name: 'default', type: 'ed25519', encrypted: false })
  })
})

describe('loadPrivateKeyForSsh', () => {
  it('gives ssh2 a usable key for stored keys and for files in formats ssh2 cannot read', async () => {
    await generateKey({ name: 'plain' }, home)
    expect(parsesInSsh2(await loadPrivateKeyForSsh('plain', null, home))).toBe(true)
    await generateKey({ name: 'locked', passphrase: 'pw' }, home)
    expect(parsesInSsh2(await loadPrivateKeyForSsh('locked', 'pw', home), 'pw')).toBe(true)
    await expect(loadPrivateKeyForSsh('locked', null, home)).rejects.toMatchObject({ code: 'KEY_PASSPHRASE_NEEDED' })
    await expect(loadPrivateKeyForSsh('locked', 'no', home)).rejects.toMatchObject({ code: 'KEY_PASSPHRASE_WRONG' })

    const pkcs8File = path.join(home, 'id.pem')
    const enc = String(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }))
    await writeFile(pkcs8File, enc)
    expect(parsesInSsh2(enc, 'pw')).toBe(false) // why the conversion exists
    const loaded = await loadPrivateKeyForSsh(pkcs8File, 'pw', home)
    expect(parsesInSsh2(loaded, 'pw')).toBe(true) // the passphrase ssh2 also gets is harmless
    await expect(loadPrivateKeyForSsh(path.join(home, 'missing'), null, home)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' })
    await expect(loadPrivateKeyForSsh('nobody', null, home)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' })
  })
})
