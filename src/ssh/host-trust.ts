/**
 * Pins SFTP servers' identities (DESIGN.md, Host trust). A connection checks the server's
 * host key against the app's known_hosts file: a known key passes; an unknown host is refused
 * with HOST_KEY_UNKNOWN and its fingerprint so the user can confirm it (or, with the explicit
 * trust-on-first-use policy, pinned and reported); a different key of a pinned type is always
 * refused with HOST_KEY_CHANGED. As OpenSSH does, the key types pinned for a host are offered
 * first, so a server with several host keys presents the pinned one; a server that no longer
 * offers the pinned type presents a key the pins cannot vouch for, which is HOST_KEY_UNKNOWN
 * (to be confirmed like a first connection), never "changed". No code path accepts a key
 * silently, and none replaces a pin: forgetting one is its own explicit call.
 */
import { createHash } from 'node:crypto'
import { mkdir, writeFile, appendFile, chmod, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import type { HostKeyInfo } from '../api'
import { AppError } from '../errors'
import {
  entriesForHost,
  forgetHostInText,
  formatKnownHostsLine,
  parseKnownHosts,
  readKnownHostsFile,
  readSshString,
  type KnownHostEntry,
} from './known-hosts'

/** `SHA256:` + unpadded base64 of the key's SHA-256, exactly as OpenSSH prints it. */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`
}

/** What the UI shows about a server's key. */
export function hostKeyInfo(host: string, port: number, keyBlob: Buffer): HostKeyInfo {
  return { host, port, keyType: readSshString(keyBlob) ?? 'unknown', fingerprint: sha256Fingerprint(keyBlob) }
}

/**
 * `strict`: only keys already in known_hosts pass. `trust-new`: an unknown host's key is
 * pinned and passes (the CLI's explicit trust-on-first-use flag); a changed key still fails.
 */
export type HostTrustPolicy = 'strict' | 'trust-new'

/** How a presented key compares with known_hosts (`revoked`: marked @revoked there). */
export type HostKeyStatus = 'trusted' | 'unknown' | 'changed' | 'revoked'

/** A key pinned in known_hosts, as messages name it. */
export interface PinnedKey {
  keyType: string
  fingerprint: string
}

/** The result of comparing a server's key with known_hosts. */
export interface HostKeyCheck {
  status: HostKeyStatus
  hostKey: HostKeyInfo
  /** Fingerprints pinned for this host with the presented key's type (non-empty when `changed`). */
  knownFingerprints: string[]
  /**
   * Keys of other types pinned for this host. Non-empty with `unknown`: the server did not
   * offer a pinned type although it was asked for first, so no pin can vouch for this key.
   */
  otherPins: PinnedKey[]
  /** True when this check pinned the key (policy `trust-new`, unknown host). */
  newlyTrusted: boolean
}

/**
 * ssh2's host key algorithms, in its default order (ssh2 1.x `DEFAULT_SERVER_HOST_KEY`, checked
 * by a unit test). Ordering this list is how a client chooses which of a server's keys it sees.
 */
export const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] as const

/** One of ssh2's host key algorithm names. */
export type HostKeyAlgorithm = (typeof HOST_KEY_ALGORITHMS)[number]

/**
 * The algorithms that make a server present a key of this known_hosts key type: an `ssh-rsa`
 * key is the same key under rsa-sha2-512, rsa-sha2-256 (RFC 8332) and the SHA-1 ssh-rsa.
 * Types ssh2 cannot verify (DSA, security keys, certificates) map to nothing.
 */
export function algorithmsForKeyType(keyType: string): HostKeyAlgorithm[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']
  return HOST_KEY_ALGORITHMS.filter((a) => a === keyType)
}

/**
 * The host key algorithms to offer, pinned types first in ssh2's own order, then the rest: what
 * OpenSSH's client does, so a server holding RSA and Ed25519 keys presents the pinned one.
 * The others stay offered so a server that lost the pinned type still shows a key to explain.
 */
export function orderHostKeyAlgorithms(pinnedKeyTypes: Iterable<string>): HostKeyAlgorithm[] {
  const preferred = new Set<HostKeyAlgorithm>()
  for (const type of pinnedKeyTypes) for (const a of algorithmsForKeyType(type)) preferred.add(a)
  return [...HOST_KEY_ALGORITHMS.filter((a) => preferred.has(a)), ...HOST_KEY_ALGORITHMS.filter((a) => !preferred.has(a))]
}

/** The algorithm order for one server, from the key types pinned for it in known_hosts. */
export async function hostKeyAlgorithmsFor(knownHostsPath: string, host: string, port: number): Promise<HostKeyAlgorithm[]> {
  const entries = entriesForHost(parseKnownHosts(await readKnownHosts(knownHostsPath)), host, port)
  return orderHostKeyAlgorithms(entries.filter((e) => e.marker === null).map((e) => e.keyType))
}

/** Bounded: the desktop app's connections read it too, not only the CLI, which checks it first. */
function readKnownHosts(knownHostsPath: string): Promise<string> {
  return readKnownHostsFile(knownHostsPath)
}

/** Compares a presented key with the known_hosts file, without changing anything. */
export async function checkHostKey(knownHostsPath: string, host: string, port: number, keyBlob: Buffer): Promise<HostKeyCheck> {
  const entries = entriesForHost(parseKnownHosts(await readKnownHosts(knownHostsPath)), host, port)
  const hostKey = hostKeyInfo(host, port, keyBlob)
  const same = (e: KnownHostEntry): boolean => e.keyBlob.equals(keyBlob)
  const pinned = entries.filter((e) => e.marker === null)
  // Only a pin of the presented key's type can say the key changed (the rule). OpenSSH
  // 9 words any unmatched key as changed; both refuse, but "intercepted" is kept for this case.
  const sameType = pinned.filter((e) => e.keyType === hostKey.keyType)
  const knownFingerprints = unique(sameType.map((e) => sha256Fingerprint(e.keyBlob)))
  const otherPins = pinned
    .filter((e) => e.keyType !== hostKey.keyType)
    .map((e) => ({ keyType: e.keyType, fingerprint: sha256Fingerprint(e.keyBlob) }))
    .filter((p, i, all) => all.findIndex((q) => q.fingerprint === p.fingerprint) === i)
  let status: HostKeyStatus
  if (entries.some((e) => e.marker === 'revoked' && same(e))) status = 'revoked'
  else if (sameType.some(same)) status = 'trusted'
  else status = sameType.length > 0 ? 'changed' : 'unknown'
  return { status, hostKey, knownFingerprints, otherPins, newlyTrusted: false }
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}

/** The AppError a failed check stops the connection with, its details naming fingerprints. */
/** HOST_KEY_UNKNOWN's sentence when another key type of the server is pinned: not a first connection. */
export const NOT_OFFERED_MESSAGE =
  'The server no longer offers the key type you trusted before and shows another key. Compare its fingerprint with the one your platform shows, then confirm to trust it.'

export function hostKeyError(check: HostKeyCheck): AppError | null {
  const where = `${check.hostKey.host}:${check.hostKey.port}`
  const shown = `${check.hostKey.keyType} ${check.hostKey.fingerprint}`
  switch (check.status) {
    case 'trusted':
      return null
    case 'unknown': {
      if (check.otherPins.length === 0) return new AppError('HOST_KEY_UNKNOWN', `${where} presented ${shown}.`)
      const pins = check.otherPins.map((p) => `${p.keyType} ${p.fingerprint}`).join(', ')
      return new AppError(
        'HOST_KEY_UNKNOWN',
        `${where} presented ${shown}; it did not offer the pinned key type (${pins}), so that pin cannot vouch for this key. This is not a changed key: confirm its fingerprint with your platform before trusting it.`,
        { message: NOT_OFFERED_MESSAGE },
      )
    }
    case 'changed':
      return new AppError('HOST_KEY_CHANGED', `${where} now presents ${shown}; the pinned ${check.hostKey.keyType} key is ${check.knownFingerprints.join(', ')}.`)
    case 'revoked':
      return new AppError('HOST_KEY_CHANGED', `${where} presented ${shown}, which is marked @revoked in known_hosts.`)
  }
}

/**
 * Pins a host key: appends `host`/`[host]:port` + key to known_hosts (created 0600, its
 * folder 0700). Accepts the wire-format key or a known_hosts/ssh-keyscan line (whose key is
 * used; its host field is replaced by this host and port). Only an unknown key is pinned
 * (a host seen for the first time, or a key type not yet pinned for it); a key that is
 * already pinned is left as it is. A key that differs from a pin of its type, or is
 * @revoked, is refused with HOST_KEY_CHANGED and nothing is written: replacing a pin takes
 * the explicit `forgetHostKeys` first.
 */
export async function trustHostKey(knownHostsPath: string, host: string, port: number, key: Buffer | string): Promise<HostKeyInfo> {
  let keyBlob: Buffer
  if (typeof key === 'string') {
    const parsed = parseKnownHosts(key.trim())[0] ?? parseKnownHosts(`${host} ${key.trim()}`)[0]
    if (!parsed) throw new AppError('BAD_ARGUMENT', 'Expected a known_hosts line such as `[host]:port ssh-ed25519 AAAA...`.')
    keyBlob = parsed.keyBlob
  } else {
    keyBlob = key
  }
  if (readSshString(keyBlob) === null) throw new AppError('BAD_ARGUMENT', 'Expected an SSH public key blob.')
  const check = await checkHostKey(knownHostsPath, host, port, keyBlob)
  if (check.status === 'changed' || check.status === 'revoked') throw hostKeyError(check)!
  if (check.status === 'unknown') {
    await mkdir(path.dirname(knownHostsPath), { recursive: true, mode: 0o700 })
    const current = await readKnownHosts(knownHostsPath)
    const sep = current === '' || current.endsWith('\n') ? '' : '\n'
    await appendFile(knownHostsPath, `${sep}${formatKnownHostsLine(host, port, keyBlob)}\n`, { mode: 0o600 })
    if (process.platform !== 'win32') await chmod(knownHostsPath, 0o600)
  }
  return check.hostKey
}

/**
 * Forgets every pinned key of a host and port (plain and hashed lines; see `forgetHostInText`
 * for comma lists and wildcards), keeping every other line byte for byte. The file is
 * replaced whole through a temporary file, owner-only, so a crash never leaves half a file.
 * Returns how many lines changed (0: nothing was pinned, nothing written).
 */
export async function forgetHostKeys(knownHostsPath: string, host: string, port: number): Promise<number> {
  const before = await readKnownHosts(knownHostsPath)
  const { text, changedLines } = forgetHostInText(before, host, port)
  if (changedLines.length === 0) return 0
  const temp = `${knownHostsPath}.${process.pid}.tmp`
  try {
    await writeFile(temp, text, { mode: 0o600 })
    if (process.platform !== 'win32') await chmod(temp, 0o600)
    await rename(temp, knownHostsPath)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
  return changedLines.length
}

/** The server a verifier is for, where its pins live, and what to do with a new host. */
export interface HostVerifierOptions {
  host: string
  port: number
  knownHostsPath: string
  policy: HostTrustPolicy
}

/** An ssh2 `hostVerifier` plus what it saw, so the caller can report and explain. */
export interface HostVerifier {
  /** Pass as ssh2's `hostVerifier` (do not set `hostHash`: it needs the raw key). */
  hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => void
  /** The check made during the handshake; null until the server showed its key. */
  readonly check: HostKeyCheck | null
  /** The coded error to report when the handshake failed on host trust, else null. */
  readonly error: AppError | null
}

/**
 * Builds the verifier for one connection. ssh2 reports a refusal only as "Host denied":
 * after a failed connect, `error` says whether the host was unknown or its key changed.
 */
export function createHostVerifier(options: HostVerifierOptions): HostVerifier {
  let check: HostKeyCheck | null = null
  let error: AppError | null = null
  const run = async (key: Buffer): Promise<boolean> => {
    const result = await checkHostKey(options.knownHostsPath, options.host, options.port, key)
    // trust-new is trust on *first* use: a host with pins of another type is not new, and a
    // server that stops offering the pinned type must be confirmed by a person.
    if (result.status === 'unknown' && result.otherPins.length === 0 && options.policy === 'trust-new') {
      await trustHostKey(options.knownHostsPath, options.host, options.port, key)
      check = { ...result, status: 'trusted', newlyTrusted: true }
      return true
    }
    check = result
    error = hostKeyError(result)
    return error === null
  }
  return {
    hostVerifier(key, verify) {
      run(Buffer.from(key)).then(verify, (err: unknown) => {
        error = new AppError('NOT_READABLE', `known_hosts could not be read: ${String(err)}`, { cause: err })
        verify(false)
      })
    },
    get check() {
      return check
    },
    get error() {
      return error
    },
  }
}
