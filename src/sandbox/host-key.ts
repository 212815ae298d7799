/**
 * The sandbox's own host key. Persisted when a path is given, so the fingerprint a user
 * pinned on first connection stays valid across restarts (DESIGN.md, Host trust).
 */
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises'
import path from 'node:path'
import ssh2 from 'ssh2'
import { generatePair } from '../keys/key-pair'

/** The server's key pair, as ssh2 and known_hosts need it. */
export interface HostKey {
  /** OpenSSH-format private key, for ssh2's `hostKeys`. */
  privateKey: string
  /** SSH wire-format public key. */
  publicBlob: Buffer
  keyType: string
}

function publicOf(privateKey: string): HostKey {
  const parsed = ssh2.utils.parseKey(privateKey)
  if (parsed instanceof Error) throw new Error(`The sandbox host key cannot be read: ${parsed.message}`)
  const key = Array.isArray(parsed) ? parsed[0]! : parsed
  return { privateKey, publicBlob: key.getPublicSSH(), keyType: key.type }
}

/** Loads the host key at `keyPath`, creating an Ed25519 one (0600) when missing. */
export async function loadOrCreateHostKey(keyPath?: string): Promise<HostKey> {
  if (keyPath !== undefined) {
    try {
      return publicOf(await readFile(keyPath, 'utf8'))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
  }
  const pair = generatePair('ed25519', { comment: 'bulk-upload sandbox host key' })
  if (keyPath !== undefined) {
    await mkdir(path.dirname(keyPath), { recursive: true, mode: 0o700 })
    await writeFile(keyPath, pair.privateKey, { mode: 0o600 })
    if (process.platform !== 'win32') await chmod(keyPath, 0o600)
  }
  return publicOf(pair.privateKey)
}
