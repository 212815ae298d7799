/**
 * Opens PuTTY private keys (PPK versions 2 and 3, encrypted with aes256-cbc or not) and
 * re-emits them as unencrypted OpenSSH text, in memory, for sshpk and ssh2. Version 3 (the
 * default of PuTTYgen since 0.75) derives its keys with Argon2, taken from @noble/hashes
 * (pure JS, audited, no native build). The file's MAC is always checked: it is how a wrong
 * passphrase, or a damaged file, is told apart from a key.
 */
import { createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { argon2d, argon2i, argon2id } from '@noble/hashes/argon2.js'
import { AppError } from '../errors'
import { WireReader, plainOpenSshText, wireString } from './ssh-wire'

const DAMAGED = 'This PuTTY key file is damaged (a line is missing or altered). In PuTTYgen, load the key and save it again, or choose Conversions > Export OpenSSH key.'
const ARGON2 = { Argon2id: argon2id, Argon2i: argon2i, Argon2d: argon2d } as const

function invalid(message: string, detail: string): AppError {
  return new AppError('KEY_INVALID', detail, { message })
}

/** The file's `Name: value` headers and its two base64 blocks. */
interface PpkFile {
  version: 2 | 3
  algorithm: string
  encryption: string
  comment: string
  headers: Map<string, string>
  publicBlob: Buffer
  privateBlob: Buffer
  mac: Buffer
}

function readBlock(lines: string[], at: number, name: string): { blob: Buffer; next: number } {
  const count = /^(\S+):\s*(\d+)$/.exec(lines[at] ?? '')
  if (!count || count[1] !== name) throw invalid(DAMAGED, `no ${name}`)
  const n = Number(count[2])
  const b64 = lines.slice(at + 1, at + 1 + n).join('')
  if (n > 10_000 || at + 1 + n > lines.length || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw invalid(DAMAGED, `bad ${name}`)
  return { blob: Buffer.from(b64, 'base64'), next: at + 1 + n }
}

function parseFile(text: string): PpkFile {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')
  const first = /^PuTTY-User-Key-File-(\d+):\s*(\S+)$/.exec(lines[0] ?? '')
  if (!first) throw invalid(DAMAGED, 'no first line')
  if (first[1] !== '2' && first[1] !== '3') throw invalid('This PuTTY key file version is not supported. In PuTTYgen, choose Conversions > Export OpenSSH key.', `version ${first[1]}`)
  const headers = new Map<string, string>()
  let at = 1
  const header = (): void => {
    const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(lines[at] ?? '')
    if (!m) throw invalid(DAMAGED, 'bad header')
    headers.set(m[1]!, m[2]!)
    at++
  }
  while (at < lines.length && !lines[at]!.startsWith('Public-Lines:')) header()
  const pub = readBlock(lines, at, 'Public-Lines')
  at = pub.next
  while (at < lines.length && !lines[at]!.startsWith('Private-Lines:')) header()
  const priv = readBlock(lines, at, 'Private-Lines')
  at = priv.next
  while (at < lines.length) header()
  const mac = headers.get('Private-MAC') ?? ''
  if (!/^[0-9a-fA-F]+$/.test(mac)) throw invalid(DAMAGED, 'no MAC')
  return {
    version: first[1] === '2' ? 2 : 3,
    algorithm: first[2]!,
    encryption: headers.get('Encryption') ?? '',
    comment: headers.get('Comment') ?? '',
    headers,
    publicBlob: pub.blob,
    privateBlob: priv.blob,
    mac: Buffer.from(mac, 'hex'),
  }
}

/** Cipher key, IV and MAC key, as PuTTY derives them for each version. */
function deriveKeys(file: PpkFile, passphrase: string): { key: Buffer; iv: Buffer; macKey: Buffer } {
  const pass = Buffer.from(passphrase, 'utf8')
  if (file.version === 2) {
    const part = (n: number): Buffer => createHash('sha1').update(Buffer.from([0, 0, 0, n])).update(pass).digest()
    const macKey = createHash('sha1').update('putty-private-key-file-mac-key').update(pass).digest()
    return { key: Buffer.concat([part(0), part(1)]).subarray(0, 32), iv: Buffer.alloc(16), macKey }
  }
  if (file.encryption === 'none') return { key: Buffer.alloc(0), iv: Buffer.alloc(0), macKey: Buffer.alloc(0) }
  const kdf = ARGON2[file.headers.get('Key-Derivation') as keyof typeof ARGON2]
  const memory = Number(file.headers.get('Argon2-Memory'))
  const passes = Number(file.headers.get('Argon2-Passes'))
  const parallelism = Number(file.headers.get('Argon2-Parallelism'))
  const salt = file.headers.get('Argon2-Salt') ?? ''
  // Bounds keep a hostile file from asking for gigabytes or hours (PuTTYgen's defaults: 8 MiB, 1 lane).
  const sane = Number.isInteger(memory) && memory >= 8 && memory <= 1 << 20 && Number.isInteger(passes) && passes >= 1 && passes <= 1000
  if (!kdf || !sane || !Number.isInteger(parallelism) || parallelism < 1 || parallelism > 64 || !/^([0-9a-fA-F]{2})+$/.test(salt)) {
    throw invalid(DAMAGED, 'argon2 parameters')
  }
  const out = Buffer.from(kdf(pass, Buffer.from(salt, 'hex'), { m: memory, t: passes, p: parallelism, dkLen: 80 }))
  return { key: out.subarray(0, 32), iv: out.subarray(32, 48), macKey: out.subarray(48, 80) }
}

/** OpenSSH's private record (type, fields, comment) from PuTTY's public and private blobs. */
function openSshFields(algorithm: string, publicBlob: Buffer, privateBlob: Buffer, comment: string): Buffer {
  const pub = new WireReader(publicBlob, DAMAGED)
  const priv = new WireReader(privateBlob, DAMAGED)
  if (pub.text() !== algorithm) throw invalid(DAMAGED, 'algorithm mismatch')
  const type = wireString(algorithm)
  const s = (b: Buffer): Buffer => wireString(b)
  let fields: Buffer[]
  if (algorithm === 'ssh-ed25519') {
    const pk = pub.string()
    fields = [s(pk), s(Buffer.concat([priv.string(), pk]))]
  } else if (algorithm.startsWith('ecdsa-sha2-')) {
    fields = [s(pub.string()), s(pub.string()), s(priv.string())]
  } else if (algorithm === 'ssh-rsa') {
    const [e, n] = [pub.string(), pub.string()]
    const [d, p, q, iqmp] = [priv.string(), priv.string(), priv.string(), priv.string()]
    fields = [s(n), s(e), s(d), s(iqmp), s(p), s(q)]
  } else if (algorithm === 'ssh-dss') {
    fields = [s(pub.string()), s(pub.string()), s(pub.string()), s(pub.string()), s(priv.string())]
  } else {
    throw new AppError('KEY_REFUSED_TYPE', algorithm.replace(/[^\x20-\x7e]/g, '?'))
  }
  return Buffer.concat([type, ...fields, wireString(comment)])
}

/**
 * Opens a PPK file. Without a passphrase for an encrypted file: KEY_PASSPHRASE_NEEDED; a
 * wrong one: KEY_PASSPHRASE_WRONG (the MAC does not match); a damaged file: KEY_INVALID.
 */
export function openPpkKey(text: string, passphrase: string | undefined): { text: string; encrypted: boolean } {
  const file = parseFile(text)
  const encrypted = file.encryption !== 'none'
  if (encrypted && file.encryption !== 'aes256-cbc') throw invalid(`This PuTTY key is encrypted with ${file.encryption.replace(/[^\x20-\x7e]/g, '?')}, which the app cannot read. In PuTTYgen, choose Conversions > Export OpenSSH key.`, 'unknown cipher')
  if (encrypted && !passphrase) throw new AppError('KEY_PASSPHRASE_NEEDED')
  const keys = deriveKeys(file, encrypted ? passphrase! : '')
  let privateBlob = file.privateBlob
  if (encrypted) {
    if (privateBlob.length === 0 || privateBlob.length % 16 !== 0) throw invalid(DAMAGED, 'private length')
    const decipher = createDecipheriv('aes-256-cbc', keys.key, keys.iv).setAutoPadding(false)
    privateBlob = Buffer.concat([decipher.update(privateBlob), decipher.final()])
  }
  const macInput = Buffer.concat([wireString(file.algorithm), wireString(file.encryption), wireString(file.comment), wireString(file.publicBlob), wireString(privateBlob)])
  const mac = createHmac(file.version === 2 ? 'sha1' : 'sha256', keys.macKey).update(macInput).digest()
  if (mac.length !== file.mac.length || !timingSafeEqual(mac, file.mac)) {
    if (encrypted) throw new AppError('KEY_PASSPHRASE_WRONG')
    throw invalid(DAMAGED, 'MAC mismatch')
  }
  return { text: plainOpenSshText(file.publicBlob, openSshFields(file.algorithm, file.publicBlob, privateBlob, file.comment)), encrypted }
}
