/**
 * Reads an SSH key in any format a user may paste or pick (OpenSSH, PEM PKCS#1/SEC1/PKCS#8,
 * RFC 4716, PuTTY PPK) into an sshpk key, so every later step (checks, fingerprints,
 * conversion for ssh2) works on one representation. Libraries do the decoding: sshpk, and
 * Node's crypto for PEM (including encrypted PKCS#8). Encrypted OpenSSH keys and PPK files
 * are opened in openssh-decrypt.ts and ppk.ts (the libraries lack some of their ciphers and
 * Argon2); RFC 4716's text envelope is unwrapped here, as no library reads it for every type.
 * Errors are AppErrors with one sentence and never contain key material.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto'
import sshpk from 'sshpk'
import { AppError } from '../errors'
import { openOpenSshKey } from './openssh-decrypt'
import { openPpkKey } from './ppk'

/** The key formats users bring (named in `key check` output). */
export type KeyFormat = 'openssh' | 'pem' | 'pkcs8' | 'rfc4716' | 'ppk'

/** A parsed key: its half of the pair, its format and whether it was encrypted. */
export type ParsedKeyText =
  | { kind: 'public'; format: KeyFormat; key: sshpk.Key; encrypted: false }
  | { kind: 'private'; format: KeyFormat; key: sshpk.PrivateKey; encrypted: boolean }

const SSHCOM_PRIVATE =
  'This is an ssh.com (SSH2, RFC 4716) private key, which the app cannot read. Convert it to OpenSSH format with `puttygen FILE -O private-openssh -o NEWFILE` (or in PuTTYgen: load it, then Conversions > Export OpenSSH key), and use the new file.'

function invalid(sentence?: string): AppError {
  return new AppError('KEY_INVALID', undefined, sentence === undefined ? undefined : { message: sentence })
}

function passphraseError(passphrase: string | undefined): AppError {
  return passphrase ? new AppError('KEY_PASSPHRASE_WRONG') : new AppError('KEY_PASSPHRASE_NEEDED')
}

function fromKeyObject(object: KeyObject): sshpk.PrivateKey {
  return sshpk.parsePrivateKey(String(object.export({ type: 'pkcs8', format: 'pem' })), 'pkcs8')
}

function parsePem(text: string, passphrase: string | undefined): ParsedKeyText {
  const isPublic = /-----BEGIN (RSA |EC |DSA )?PUBLIC KEY-----/.test(text)
  if (isPublic) return { kind: 'public', format: 'pem', key: sshpk.parseKey(text, 'pem'), encrypted: false }
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)
  const format: KeyFormat = /-----BEGIN (ENCRYPTED )?PRIVATE KEY-----/.test(text) ? 'pkcs8' : 'pem'
  let object: KeyObject
  try {
    object = createPrivateKey(encrypted ? { key: text, format: 'pem', passphrase: passphrase ?? '' } : { key: text, format: 'pem' })
  } catch {
    if (encrypted) throw passphraseError(passphrase)
    // OpenSSL's own text ("error:1E08010C:DECODER routines::unsupported") means nothing to a user.
    throw invalid('This PEM key is damaged or of a type the app does not know. Copy the whole file again, from -----BEGIN to -----END.')
  }
  return { kind: 'private', format, key: fromKeyObject(object), encrypted }
}

function parseOpenSshPrivate(text: string, passphrase: string | undefined): ParsedKeyText {
  const opened = openOpenSshKey(text, passphrase)
  try {
    return { kind: 'private', format: 'openssh', key: sshpk.parsePrivateKey(opened.text, 'ssh-private'), encrypted: opened.encrypted }
  } catch {
    throw invalid('This OpenSSH private key is damaged or of an unknown type. Copy the whole file again, from -----BEGIN to -----END.')
  }
}

function parsePpk(text: string, passphrase: string | undefined): ParsedKeyText {
  const opened = openPpkKey(text, passphrase)
  try {
    return { kind: 'private', format: 'ppk', key: sshpk.parsePrivateKey(opened.text, 'ssh-private'), encrypted: opened.encrypted }
  } catch {
    throw invalid('This PuTTY key cannot be read. In PuTTYgen, load the key and choose Conversions > Export OpenSSH key.')
  }
}

/**
 * RFC 4716 ("SECSH") public key. ssh2 reads only its RSA/DSA flavours, so the envelope
 * (header lines, `\\` continuations) is unwrapped here and sshpk decodes the key blob.
 */
function parseRfc4716(text: string): ParsedKeyText {
  const malformed = invalid('This RFC 4716 ("---- BEGIN SSH2 PUBLIC KEY ----") key is malformed.')
  const lines = text.split(/\r?\n/).map((l) => l.trim())
  const end = lines.indexOf('---- END SSH2 PUBLIC KEY ----')
  if (end < 0) throw malformed
  let comment = ''
  const body: string[] = []
  for (let i = 1; i < end; i++) {
    const header = /^([\x21-\x39\x3B-\x7E]{1,64}):\s?(.*)$/.exec(lines[i]!)
    if (header && body.length === 0) {
      let value = header[2]!
      while (value.endsWith('\\') && i + 1 < end) value = value.slice(0, -1) + lines[++i]!
      if (header[1]!.toLowerCase() === 'comment') comment = value.replace(/^"(.*)"$/, '$1')
      continue
    }
    body.push(lines[i]!)
  }
  const b64 = body.join('')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw malformed
  let key: sshpk.Key
  try {
    key = sshpk.parseKey(Buffer.from(b64, 'base64'), 'rfc4253')
  } catch {
    throw malformed
  }
  key.comment = comment
  return { kind: 'public', format: 'rfc4716', key, encrypted: false }
}

/** True for text holding a private key, decided from its envelope alone (no decryption). */
export function looksPrivate(input: string | Buffer): boolean {
  const text = typeof input === 'string' ? input : input.toString('utf8')
  return /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|^\s*PuTTY-User-Key-File-/.test(text)
}

/**
 * Parses key text. Private keys that are encrypted need `passphrase`: without it
 * KEY_PASSPHRASE_NEEDED, with a wrong one KEY_PASSPHRASE_WRONG.
 */
export function parseKeyText(input: string | Buffer, passphrase?: string): ParsedKeyText {
  const text = (typeof input === 'string' ? input : input.toString('utf8')).replace(/^\uFEFF/, '').trim()
  if (text === '') throw invalid('The key is empty. Paste the whole key, or pick the key file.')
  if (text.startsWith('PuTTY-User-Key-File-')) return parsePpk(text, passphrase)
  if (text.startsWith('---- BEGIN SSH2 PUBLIC KEY ----')) return parseRfc4716(text)
  if (text.includes('-----BEGIN OPENSSH PRIVATE KEY-----')) return parseOpenSshPrivate(text, passphrase)
  if (/^-{4,5} ?BEGIN SSH2 ENCRYPTED PRIVATE KEY ?-{4,5}/m.test(text)) throw invalid(SSHCOM_PRIVATE)
  if (/-----BEGIN [A-Z0-9 ]*(PRIVATE|PUBLIC) KEY-----/.test(text)) return parsePem(text, passphrase)
  if (/^(ssh-|ecdsa-|sk-)\S+ [A-Za-z0-9+/=]+/.test(text)) {
    try {
      return { kind: 'public', format: 'openssh', key: sshpk.parseKey(text.split(/\r?\n/)[0]!, 'ssh'), encrypted: false }
    } catch {
      throw invalid('This looks like an OpenSSH public key, but it is damaged or of an unknown type. Copy the whole line again.')
    }
  }
  throw invalid()
}
