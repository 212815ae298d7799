/**
 * `checkKeyText` on every format (OpenSSH, PEM PKCS#1/SEC1, PKCS#8, RFC 4716, PPK v2) and
 * every refusal in the issue, with fixtures made at test time.
 */
import { describe, expect, it } from 'vitest'
import { generateKeyPairSync } from 'node:crypto'
import sshpk from 'sshpk'
import { checkKeyText, generatePair, type KeyCheck } from '../../../src/keys'
import { ppkV2Rsa, ppkV3EncryptedHead, rfc4716, rsaKey } from './fixtures'

function ok(check: KeyCheck) {
  if (!check.ok) throw new Error(`expected ok, got ${check.error.code}: ${check.error.message}`)
  return check
}
function refused(check: KeyCheck) {
  if (check.ok) throw new Error('expected a refusal')
  return check.error
}

const ed = generatePair('ed25519', { comment: 'me@laptop' })
const edFingerprint = sshpk.parseKey(ed.publicKey, 'ssh').fingerprint('sha256').toString()

describe('accepted formats', () => {
  it('OpenSSH public line: type, size, SHA256 fingerprint, one-line form', () => {
    const c = ok(checkKeyText(ed.publicKey, { want: 'public' }))
    expect(c).toMatchObject({ kind: 'public', format: 'openssh', type: 'ed25519', bits: 256, fingerprint: edFingerprint, encrypted: false, comment: 'me@laptop' })
    expect(c.publicKey).toBe(ed.publicKey)
  })

  it('OpenSSH private key, plain and encrypted (right passphrase)', () => {
    expect(ok(checkKeyText(ed.privateKey, { want: 'private' }))).toMatchObject({ format: 'openssh', fingerprint: edFingerprint, encrypted: false })
    const enc = generatePair('ed25519', { passphrase: 'correct horse' })
    expect(ok(checkKeyText(enc.privateKey, { passphrase: 'correct horse' }))).toMatchObject({ kind: 'private', encrypted: true })
  })

  it('PEM PKCS#1 RSA (plain and encrypted), SEC1 EC and SPKI public', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    expect(ok(checkKeyText(String(privateKey.export({ type: 'pkcs1', format: 'pem' }))))).toMatchObject({ format: 'pem', type: 'rsa', bits: 2048 })
    const encrypted = String(privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }))
    expect(ok(checkKeyText(encrypted, { passphrase: 'pw' }))).toMatchObject({ format: 'pem', encrypted: true })
    expect(ok(checkKeyText(String(publicKey.export({ type: 'spki', format: 'pem' }))))).toMatchObject({ kind: 'public', type: 'rsa' })
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey
    expect(ok(checkKeyText(String(ec.export({ type: 'sec1', format: 'pem' }))))).toMatchObject({ type: 'ecdsa', bits: 256 })
  })

  it('PKCS#8, plain and encrypted', () => {
    const key = generateKeyPairSync('ed25519').privateKey
    expect(ok(checkKeyText(String(key.export({ type: 'pkcs8', format: 'pem' }))))).toMatchObject({ format: 'pkcs8', type: 'ed25519' })
    const enc = String(key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }))
    expect(ok(checkKeyText(enc, { passphrase: 'pw' }))).toMatchObject({ format: 'pkcs8', encrypted: true })
  })

  it('RFC 4716 public key', () => {
    expect(ok(checkKeyText(rfc4716(ed.publicKey, 'me@laptop'), { want: 'public' }))).toMatchObject({ format: 'rfc4716', fingerprint: edFingerprint })
  })

  it('PuTTY PPK v2, plain and encrypted', () => {
    const key = rsaKey(2048)
    const fp = key.fingerprint('sha256').toString()
    expect(ok(checkKeyText(ppkV2Rsa(key, 'putty key')))).toMatchObject({ format: 'ppk', type: 'rsa', fingerprint: fp, encrypted: false })
    expect(ok(checkKeyText(ppkV2Rsa(key, 'putty key', 'pw'), { passphrase: 'pw' }))).toMatchObject({ format: 'ppk', fingerprint: fp, encrypted: true })
  })
})

describe('refusals, each in one sentence', () => {
  it('not a key', () => {
    expect(refused(checkKeyText('hello world')).code).toBe('KEY_INVALID')
    expect(refused(checkKeyText('')).message).toMatch(/empty/)
    expect(refused(checkKeyText('ssh-ed25519 AAAAnotbase64!!')).code).toBe('KEY_INVALID')
  })

  it('a private key where the public one is wanted, never echoing it', () => {
    const err = refused(checkKeyText(ed.privateKey, { want: 'public' }))
    expect(err.code).toBe('KEY_WRONG_KIND')
    expect(err.message).toMatch(/private key/)
    const body = ed.privateKey.split('\n')[1]!
    expect(JSON.stringify(err.toPayload())).not.toContain(body.slice(0, 20))
  })

  it('a public key where the private one is wanted', () => {
    const err = refused(checkKeyText(ed.publicKey, { want: 'private' }))
    expect(err.code).toBe('KEY_WRONG_KIND')
    expect(err.message).toMatch(/public key/)
  })

  it('DSA keys', () => {
    const dsa = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 }).privateKey
    const pem = String(dsa.export({ type: 'pkcs8', format: 'pem' }))
    const err = refused(checkKeyText(pem))
    expect(err.code).toBe('KEY_REFUSED_TYPE')
    expect(err.message).toMatch(/DSA/)
    const line = sshpk.parsePrivateKey(pem, 'pkcs8').toPublic().toString('ssh')
    expect(refused(checkKeyText(line)).code).toBe('KEY_REFUSED_TYPE')
  })

  it('RSA under 2048 bits', () => {
    const line = rsaKey(1024).toPublic().toString('ssh')
    const err = refused(checkKeyText(line))
    expect(err.code).toBe('KEY_REFUSED_TYPE')
    expect(err.message).toMatch(/only 1024 bits/)
  })

  it('an encrypted PuTTY PPK v3, explaining the PuTTYgen export', () => {
    const err = refused(checkKeyText(ppkV3EncryptedHead()))
    expect(err.code).toBe('KEY_INVALID')
    expect(err.message).toMatch(/PuTTYgen.*Conversions > Export OpenSSH key/)
  })

  it('a PuTTY key whose private part does not match its public half', () => {
    const a = ppkV2Rsa(rsaKey(2048), 'a').split('\r\n')
    const b = ppkV2Rsa(rsaKey(2048), 'b').split('\r\n')
    const at = (lines: string[]): number => lines.findIndex((l) => l.startsWith('Private-Lines:'))
    const spliced = [...a.slice(0, at(a)), ...b.slice(at(b))].join('\r\n')
    const err = refused(checkKeyText(spliced))
    expect(err.code).toBe('KEY_INVALID')
    expect(err.message).toMatch(/damaged/)
  })

  it('a missing or wrong passphrase, in every encrypted format', () => {
    const openssh = generatePair('ed25519', { passphrase: 'right' }).privateKey
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    const pem = String(key.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' }))
    const pkcs8 = String(key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' }))
    const ppk = ppkV2Rsa(rsaKey(2048), 'c', 'right')
    for (const text of [openssh, pem, pkcs8, ppk]) {
      expect(refused(checkKeyText(text)).code).toBe('KEY_PASSPHRASE_NEEDED')
      expect(refused(checkKeyText(text, { passphrase: 'wrong' })).code).toBe('KEY_PASSPHRASE_WRONG')
      expect(ok(checkKeyText(text, { passphrase: 'right' })).encrypted).toBe(true)
    }
  })
})
