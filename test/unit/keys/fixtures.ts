/**
 * Key fixtures made at test time, in every format users bring: Node's crypto writes PEM and
 * PKCS#8, sshpk writes OpenSSH, and the PuTTY PPK v2 and RFC 4716 envelopes are assembled
 * here from library-made key blobs (no library writes them).
 */
import { createHash, createHmac, createCipheriv, generateKeyPairSync } from 'node:crypto'
import sshpk from 'sshpk'

function sshString(buf: Buffer | string): Buffer {
  const data = typeof buf === 'string' ? Buffer.from(buf) : buf
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  return Buffer.concat([len, data])
}

function wrap(b64: string, width: number): string[] {
  const lines: string[] = []
  for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width))
  return lines
}

/** An RSA private key as sshpk sees it, from Node's generator. */
export function rsaKey(bits: number): sshpk.PrivateKey {
  const pem = generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ type: 'pkcs8', format: 'pem' })
  return sshpk.parsePrivateKey(String(pem), 'pkcs8')
}

/** PuTTY PPK v2 for an RSA key, optionally encrypted (aes256-cbc), MAC included. */
export function ppkV2Rsa(key: sshpk.PrivateKey, comment: string, passphrase?: string): string {
  const part = (name: string): Buffer => (key.part as unknown as Record<string, { data: Buffer }>)[name]!.data
  const publicBlob = Buffer.from(key.toPublic().toBuffer('rfc4253'))
  let privateBlob = Buffer.concat([sshString(part('d')), sshString(part('p')), sshString(part('q')), sshString(part('iqmp'))])
  const encryption = passphrase ? 'aes256-cbc' : 'none'
  if (passphrase) privateBlob = Buffer.concat([privateBlob, Buffer.alloc((16 - (privateBlob.length % 16)) % 16)])
  const macKey = createHash('sha1').update('putty-private-key-file-mac-key').update(passphrase ?? '').digest()
  const mac = createHmac('sha1', macKey)
    .update(Buffer.concat([sshString('ssh-rsa'), sshString(encryption), sshString(comment), sshString(publicBlob), sshString(privateBlob)]))
    .digest('hex')
  let stored = privateBlob
  if (passphrase) {
    const k = Buffer.concat([
      createHash('sha1').update(Buffer.from([0, 0, 0, 0])).update(passphrase).digest(),
      createHash('sha1').update(Buffer.from([0, 0, 0, 1])).update(passphrase).digest(),
    ]).subarray(0, 32)
    const cipher = createCipheriv('aes-256-cbc', k, Buffer.alloc(16))
    cipher.setAutoPadding(false)
    stored = Buffer.concat([cipher.update(privateBlob), cipher.final()])
  }
  const pub = wrap(publicBlob.toString('base64'), 64)
  const priv = wrap(stored.toString('base64'), 64)
  return [
    'PuTTY-User-Key-File-2: ssh-rsa',
    `Encryption: ${encryption}`,
    `Comment: ${comment}`,
    `Public-Lines: ${pub.length}`,
    ...pub,
    `Private-Lines: ${priv.length}`,
    ...priv,
    `Private-MAC: ${mac}`,
    '',
  ].join('\r\n')
}

/** The head of an encrypted PPK v3 file (Argon2 key derivation), as PuTTYgen 0.75+ writes. */
export function ppkV3EncryptedHead(): string {
  return [
    'PuTTY-User-Key-File-3: ssh-ed25519',
    'Encryption: aes256-cbc',
    'Comment: eddsa-key-20240101',
    'Public-Lines: 2',
    'AAAAC3NzaC1lZDI1NTE5AAAAIBrOEZc2BJnNyJUpwHrGS3E0gz3qrpZ4A1Yb1qv5Zk9s',
    'Key-Derivation: Argon2id',
    'Argon2-Memory: 8192',
    'Argon2-Passes: 21',
    'Argon2-Parallelism: 1',
    'Argon2-Salt: 0102030405060708090a0b0c0d0e0f10',
    'Private-Lines: 1',
    'AAAAIGl6Z2V0dGhpc2lzbm90YXJlYWxrZXlidXRhbnlieXRlcw==',
    'Private-MAC: 00',
    '',
  ].join('\n')
}

/** RFC 4716 ("SECSH") public key, as `ssh-keygen -e` and PuTTYgen write it. */
export function rfc4716(publicLine: string, comment: string): string {
  const b64 = publicLine.split(' ')[1]!
  return ['---- BEGIN SSH2 PUBLIC KEY ----', `Comment: "${comment}"`, ...wrap(b64, 70), '---- END SSH2 PUBLIC KEY ----', ''].join('\n')
}
