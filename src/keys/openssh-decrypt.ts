/**
 * Opens encrypted OpenSSH private keys (`openssh-key-v1`) with every cipher ssh-keygen writes:
 * aes128/192/256-ctr, aes128/192/256-cbc, aes128/256-gcm@openssh.com and
 * chacha20-poly1305@openssh.com. sshpk and ssh2 read only some of these (aes256-gcm, the
 * cipher recent ssh-keygen may pick, rejected its right passphrase), so the key is decrypted
 * here with node:crypto and bcrypt_pbkdf, and re-emitted unencrypted, in memory, for them.
 */
import { createDecipheriv, timingSafeEqual } from 'node:crypto'
import bcryptPbkdf from 'bcrypt-pbkdf'
import { AppError } from '../errors'
import { WireReader, plainOpenSshText } from './ssh-wire'

const MAGIC = 'openssh-key-v1\0'
const DAMAGED = 'This OpenSSH private key is damaged (part of it is missing or altered). Copy the whole file again, from -----BEGIN to -----END.'

interface CipherSpec {
  /** node:crypto's name for it. */
  node: string
  keyLength: number
  ivLength: number
  /** Bytes of authentication tag after the encrypted section. */
  tagLength: number
}

const CIPHERS: Record<string, CipherSpec> = {
  'aes128-ctr': { node: 'aes-128-ctr', keyLength: 16, ivLength: 16, tagLength: 0 },
  'aes192-ctr': { node: 'aes-192-ctr', keyLength: 24, ivLength: 16, tagLength: 0 },
  'aes256-ctr': { node: 'aes-256-ctr', keyLength: 32, ivLength: 16, tagLength: 0 },
  'aes128-cbc': { node: 'aes-128-cbc', keyLength: 16, ivLength: 16, tagLength: 0 },
  'aes192-cbc': { node: 'aes-192-cbc', keyLength: 24, ivLength: 16, tagLength: 0 },
  'aes256-cbc': { node: 'aes-256-cbc', keyLength: 32, ivLength: 16, tagLength: 0 },
  'aes128-gcm@openssh.com': { node: 'aes-128-gcm', keyLength: 16, ivLength: 12, tagLength: 16 },
  'aes256-gcm@openssh.com': { node: 'aes-256-gcm', keyLength: 32, ivLength: 12, tagLength: 16 },
  // Two 256-bit keys; a key file uses only the first (the second encrypts packet lengths).
  'chacha20-poly1305@openssh.com': { node: 'chacha20', keyLength: 64, ivLength: 0, tagLength: 16 },
}

function invalid(message: string, detail: string): AppError {
  return new AppError('KEY_INVALID', detail, { message })
}

function body(text: string): Buffer {
  const match = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text)
  const b64 = match?.[1]?.replace(/\s+/g, '') ?? ''
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw invalid(DAMAGED, 'not base64')
  return Buffer.from(b64, 'base64')
}

function decryptSection(spec: CipherSpec, derived: Buffer, data: Buffer, tag: Buffer): Buffer {
  const key = derived.subarray(0, spec.keyLength)
  const iv = derived.subarray(spec.keyLength, spec.keyLength + spec.ivLength)
  if (spec.node === 'chacha20') {
    // OpenSSH's ChaCha20 is the original variant (64-bit counter, 64-bit nonce = sequence
    // number 0); OpenSSL's 16-byte IV is a 32-bit little-endian counter then a 96-bit nonce,
    // so counter 1 (block 0 keys Poly1305) with an all-zero nonce is 01 00 .. 00. The
    // Poly1305 tag is not checked: the check integers below catch a wrong passphrase.
    const counterOne = Buffer.alloc(16)
    counterOne[0] = 1
    const decipher = createDecipheriv('chacha20', key.subarray(0, 32), counterOne)
    return Buffer.concat([decipher.update(data), decipher.final()])
  }
  const decipher = createDecipheriv(spec.node, key, iv)
  if (spec.tagLength > 0) (decipher as ReturnType<typeof createDecipheriv> & { setAuthTag(t: Buffer): void }).setAuthTag(tag)
  decipher.setAutoPadding(false)
  try {
    return Buffer.concat([decipher.update(data), decipher.final()])
  } catch {
    // Only GCM fails here: its tag does not match, which a wrong passphrase causes.
    throw new AppError('KEY_PASSPHRASE_WRONG')
  }
}

/** The outcome: the key as unencrypted OpenSSH text, and whether the file was encrypted. */
export interface OpenedOpenSsh {
  text: string
  encrypted: boolean
}

/**
 * Decrypts an OpenSSH private key file. Unencrypted files come back as they are.
 * Without a passphrase for an encrypted file: KEY_PASSPHRASE_NEEDED; a wrong one:
 * KEY_PASSPHRASE_WRONG; a cipher ssh-keygen does not write or a damaged file: KEY_INVALID.
 */
export function openOpenSshKey(text: string, passphrase: string | undefined): OpenedOpenSsh {
  const raw = body(text)
  if (raw.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw invalid(DAMAGED, 'bad magic')
  const reader = new WireReader(raw.subarray(MAGIC.length), DAMAGED)
  const cipherName = reader.text()
  const kdfName = reader.text()
  const kdfOptions = reader.string()
  const count = reader.uint32()
  if (count !== 1) throw invalid('This OpenSSH file holds several keys; the app needs a file with one key. Save each key to its own file with ssh-keygen.', `${count} keys`)
  const publicBlob = reader.string()
  const section = reader.string()
  if (cipherName === 'none') return { text, encrypted: false }
  const spec = CIPHERS[cipherName]
  if (!spec) throw invalid(`This OpenSSH key is encrypted with ${cipherName.replace(/[^\x20-\x7e]/g, '?')}, which the app cannot read. Re-encrypt it with \`ssh-keygen -p -Z aes256-ctr -f FILE\`.`, 'unknown cipher')
  if (kdfName !== 'bcrypt') throw invalid(DAMAGED, 'unknown kdf')
  if (!passphrase) throw new AppError('KEY_PASSPHRASE_NEEDED')
  const tag = reader.bytes(spec.tagLength)
  const options = new WireReader(kdfOptions, DAMAGED)
  const salt = options.string()
  const rounds = options.uint32()
  if (rounds < 1 || rounds > 1 << 20) throw invalid(DAMAGED, 'kdf rounds')
  const derived = Buffer.alloc(spec.keyLength + spec.ivLength)
  const pass = Buffer.from(passphrase, 'utf8')
  if (bcryptPbkdf.pbkdf(pass, pass.length, salt, salt.length, derived, derived.length, rounds) !== 0) throw invalid(DAMAGED, 'kdf')
  if (section.length % 8 !== 0) throw invalid(DAMAGED, 'section length')
  const plain = decryptSection(spec, derived, section, tag)
  // Two equal random integers open the section: unequal means the passphrase is wrong.
  if (!timingSafeEqual(plain.subarray(0, 4), plain.subarray(4, 8))) throw new AppError('KEY_PASSPHRASE_WRONG')
  return { text: plainOpenSshText(publicBlob, stripPadding(plain.subarray(8))), encrypted: true }
}

/**
 * The private fields and comment without the cipher's block padding (bytes 1, 2, 3... n at
 * the end, n under the block size), so the re-emitted file pads to the "none" cipher's 8.
 */
function stripPadding(fields: Buffer): Buffer {
  for (let n = Math.min(fields.length, 15); n > 0; n--) {
    let matches = true
    for (let i = 0; i < n && matches; i++) matches = fields[fields.length - n + i] === i + 1
    if (matches) return fields.subarray(0, fields.length - n)
  }
  return fields
}
