/**
 * Makes a key pair in OpenSSH formats. Node's crypto generates the key and sshpk writes it
 * (OpenSSH private key format, encrypted with bcrypt-pbkdf + aes256-ctr when a passphrase is
 * given). ssh2's own generator is not used: it writes a malformed Ed25519 key whenever the
 * public key starts with a zero byte (about 1 key in 256), which ssh2 then cannot read.
 */
import { generateKeyPairSync } from 'node:crypto'
import sshpk from 'sshpk'

/** The key types the app generates: Ed25519 by default, RSA for old servers. */
export type GeneratedType = 'ed25519' | 'rsa'

/** A new key pair as text, ready to store. */
export interface GeneratedPair {
  /** OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`), ends with a newline. */
  privateKey: string
  /** OpenSSH one-line public key with the comment. */
  publicKey: string
}

/** RSA size offered for old servers (DESIGN.md, Keys). */
export const RSA_BITS = 4096

/** Generates a key pair; `passphrase` (non-empty) encrypts the private key. */
export function generatePair(type: GeneratedType, options: { passphrase?: string | null; comment?: string; bits?: number } = {}): GeneratedPair {
  const pem =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' })
      : generateKeyPairSync('rsa', { modulusLength: options.bits ?? RSA_BITS }).privateKey.export({ type: 'pkcs8', format: 'pem' })
  const key = sshpk.parsePrivateKey(String(pem), 'pkcs8')
  key.comment = options.comment ?? ''
  const passphrase = options.passphrase ? options.passphrase : undefined
  const privateKey = key.toString('ssh-private', passphrase === undefined ? {} : { passphrase, cipher: 'aes256-ctr' })
  const publicKey = key.toPublic().toString('ssh').trim()
  return { privateKey: privateKey.endsWith('\n') ? privateKey : privateKey + '\n', publicKey }
}
