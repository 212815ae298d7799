/**
 * Hands the upload engine a private key ssh2 can use. ssh2 reads unencrypted OpenSSH and PKCS#1
 * PEM keys itself; anything else (PKCS#8, SEC1 EC, PPK, encrypted OpenSSH...) is converted
 * in memory, by sshpk, to an unencrypted OpenSSH key. The converted key is never written.
 */
import path from 'node:path'
import ssh2 from 'ssh2'
import { AppError, isAppError } from '../errors'
import { checkKeyText } from './check-key'
import { parseKeyText } from './parse-key'
import { privateKeyPath } from './key-store'
import { readKeyFileBytes } from './read-key-file'

function looksLikePath(nameOrPath: string): boolean {
  return nameOrPath.includes('/') || nameOrPath.includes(path.sep) || nameOrPath.startsWith('~')
}

async function readKeyFile(nameOrPath: string, home?: string): Promise<string> {
  const file = looksLikePath(nameOrPath) ? path.resolve(nameOrPath) : await privateKeyPath(nameOrPath, home)
  try {
    return (await readKeyFileBytes(file)).toString('utf8')
  } catch (err) {
    if (isAppError(err) && err.code === 'FILE_NOT_FOUND') throw looksLikePath(nameOrPath) ? new AppError('FILE_NOT_FOUND', file) : new AppError('KEY_NOT_FOUND', nameOrPath)
    throw err
  }
}

/**
 * Loads a stored key by name, or a key file by path, for ssh2's `privateKey` (pass the same
 * `passphrase` to ssh2 too; it is ignored for converted keys, which are unencrypted).
 * Refuses public keys, refused types, a missing (KEY_PASSPHRASE_NEEDED) or wrong
 * (KEY_PASSPHRASE_WRONG) passphrase before any connection is tried.
 */
export async function loadPrivateKeyForSsh(nameOrPath: string, passphrase?: string | null, home?: string): Promise<string> {
  const text = await readKeyFile(nameOrPath, home)
  const pass = passphrase ? passphrase : undefined
  const check = checkKeyText(text, { want: 'private', passphrase: pass })
  if (!check.ok) throw check.error
  // Encrypted OpenSSH and PPK keys are decrypted here (ssh2 lacks some of their ciphers and
  // PPK v3's Argon2); ssh2 gets them unencrypted, in memory only.
  const decryptedHere = check.encrypted && (check.format === 'openssh' || check.format === 'ppk')
  const native = decryptedHere ? null : ssh2.utils.parseKey(text, pass)
  if (native !== null && !(native instanceof Error)) return text
  const parsed = parseKeyText(text, pass)
  return parsed.key.toString('ssh-private')
}
