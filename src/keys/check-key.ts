/**
 * Checks a key a user pasted or picked and says, in one sentence, what it is or what is
 * wrong with it (DESIGN.md, Keys): not a key, the wrong half of the pair, a type the platform
 * refuses (DSA, RSA under 2048 bits), an encrypted PPK v3, a wrong passphrase.
 */
import sshpk from 'sshpk'
import type { KeyType } from '../api'
import { AppError, isAppError } from '../errors'
import { looksPrivate, parseKeyText, type KeyFormat, type ParsedKeyText } from './parse-key'

/** Smallest RSA modulus the platform accepts. */
export const MIN_RSA_BITS = 2048

/** What a usable key is: everything the UI and `key check` show, no private material. */
export interface KeyFacts {
  kind: 'public' | 'private'
  format: KeyFormat
  type: KeyType
  bits: number
  /** `SHA256:...`, as OpenSSH prints it. */
  fingerprint: string
  /** The OpenSSH one-line public key (what the user pastes into the platform). */
  publicKey: string
  encrypted: boolean
  comment: string
}

/** A check's outcome: the facts, or the coded error whose message is the sentence to show. */
export type KeyCheck = ({ ok: true } & KeyFacts) | { ok: false; error: AppError }

/** What the caller needs from the key. */
export interface CheckOptions {
  /** The half of the pair the caller needs; the other half is refused with KEY_WRONG_KIND. */
  want?: 'public' | 'private'
  passphrase?: string
}

/** The OpenSSH one-line form of a key's public half, with its comment when there is one. */
export function publicLine(key: sshpk.Key | sshpk.PrivateKey, comment?: string): string {
  const pub = 'toPublic' in key ? key.toPublic() : key
  const base = pub.toString('ssh').trim().split(/\s+/).slice(0, 2).join(' ')
  const note = (comment ?? pub.comment ?? '').trim()
  return note === '' || note === '(unnamed)' ? base : `${base} ${note}`
}

function typeOf(key: sshpk.Key | sshpk.PrivateKey): KeyType {
  switch (key.type) {
    case 'ed25519':
      return 'ed25519'
    case 'ecdsa':
      return 'ecdsa'
    case 'rsa':
      if (key.size < MIN_RSA_BITS) {
        throw new AppError('KEY_REFUSED_TYPE', `RSA ${key.size} bits`, {
          message: `This RSA key has only ${key.size} bits; the platform accepts RSA keys of at least ${MIN_RSA_BITS} bits, so generate a new Ed25519 (or RSA 4096) key.`,
        })
      }
      return 'rsa'
    case 'dsa':
      throw new AppError('KEY_REFUSED_TYPE', 'DSA', {
        message: 'This is a DSA key, which the platform refuses; generate a new Ed25519 key (or RSA of at least 2048 bits).',
      })
    default:
      throw new AppError('KEY_REFUSED_TYPE', String(key.type))
  }
}

function wrongKind(format: KeyFormat, want: 'public' | 'private'): AppError {
  if (want === 'public') {
    return new AppError('KEY_WRONG_KIND', 'private key given', {
      message: 'This is a private key, which must never be shared; paste the public key instead (one line starting with ssh-ed25519, ssh-rsa or ecdsa-, usually in the .pub file).',
    })
  }
  return new AppError('KEY_WRONG_KIND', `${format} public key given`, {
    message: 'This is a public key; to log in the app needs the private key file that goes with it (usually the same name without .pub).',
  })
}

/** Facts about a parsed key, refusing types the platform does not accept. */
export function keyFacts(parsed: ParsedKeyText): KeyFacts {
  const type = typeOf(parsed.key)
  return {
    kind: parsed.kind,
    format: parsed.format,
    type,
    bits: parsed.key.size,
    fingerprint: parsed.key.fingerprint('sha256').toString(),
    publicKey: publicLine(parsed.key),
    encrypted: parsed.encrypted,
    comment: (parsed.key.comment ?? '') === '(unnamed)' ? '' : (parsed.key.comment ?? ''),
  }
}

/**
 * Checks key text. Never throws for a bad key: returns `{ ok: false, error }` with a coded
 * AppError whose message is the one sentence to show. Never echoes private key material.
 */
export function checkKeyText(text: string | Buffer, options: CheckOptions = {}): KeyCheck {
  // A private key where the public one is wanted is refused before any decryption.
  if (options.want === 'public' && looksPrivate(text)) return { ok: false, error: wrongKind('openssh', 'public') }
  try {
    const parsed = parseKeyText(text, options.passphrase)
    if (options.want !== undefined && parsed.kind !== options.want) return { ok: false, error: wrongKind(parsed.format, options.want) }
    return { ok: true, ...keyFacts(parsed) }
  } catch (err) {
    if (isAppError(err)) return { ok: false, error: err }
    return { ok: false, error: new AppError('KEY_INVALID') }
  }
}
