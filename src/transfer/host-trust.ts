/**
 * Pins SFTP servers' identities (DESIGN.md, Host trust). A connection checks the server's
 * host key against the app's known_hosts file: a known key passes; an unknown host is refused
 * with HOST_KEY_UNKNOWN and its fingerprint so the user can confirm it (or, with the explicit
 * trust-on-first-use policy, pinned and reported); a different key is always refused with
 * HOST_KEY_CHANGED. No code path accepts a key silently.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile, appendFile, chmod } from 'node:fs/promises'
import path from 'node:path'
import type { HostKeyInfo } from '../api'
import { AppError } from '../errors'
import {
  entriesForHost,
  entryIsOnlyFor,
  formatKnownHostsLine,
  parseKnownHosts,
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

/** The result of comparing a server's key with known_hosts. */
export interface HostKeyCheck {
  status: HostKeyStatus
  hostKey: HostKeyInfo
  /** Fingerprints already pinned for this host (non-empty when `changed`). */
  knownFingerprints: string[]
  /** True when this check pinned the key (policy `trust-new`, unknown host). */
  newlyTrusted: boolean
}

async function readKnownHosts(knownHostsPath: string): Promise<string> {
  try {
    return await readFile(knownHostsPath, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ''
    throw err
  }
}

/** Compares a presented key with the known_hosts file, without changing anything. */
export async function checkHostKey(knownHostsPath: string, host: string, port: number, keyBlob: Buffer): Promise<HostKeyCheck> {
  const entries = entriesForHost(parseKnownHosts(await readKnownHosts(knownHostsPath)), host, port)
  const hostKey = hostKeyInfo(host, port, keyBlob)
  const same = (e: KnownHostEntry): boolean => e.keyBlob.equals(keyBlob)
  const pinned = entries.filter((e) => e.marker === null)
  const knownFingerprints = pinned.map((e) => sha256Fingerprint(e.keyBlob))
  let status: HostKeyStatus
  if (entries.some((e) => e.marker === 'revoked' && same(e))) status = 'revoked'
  else if (pinned.some(same)) status = 'trusted'
  else status = pinned.length > 0 ? 'changed' : 'unknown'
  return { status, hostKey, knownFingerprints, newlyTrusted: false }
}

/** The AppError a failed check stops the connection with, its details naming fingerprints. */
export function hostKeyError(check: HostKeyCheck): AppError | null {
  const where = `${check.hostKey.host}:${check.hostKey.port}`
  const shown = `${check.hostKey.keyType} ${check.hostKey.fingerprint}`
  switch (check.status) {
    case 'trusted':
      return null
    case 'unknown':
      return new AppError('HOST_KEY_UNKNOWN', `${where} presented ${shown}.`)
    case 'changed':
      return new AppError('HOST_KEY_CHANGED', `${where} now presents ${shown}; the pinned key was ${check.knownFingerprints.join(', ')}.`)
    case 'revoked':
      return new AppError('HOST_KEY_CHANGED', `${where} presented ${shown}, which is marked @revoked in known_hosts.`)
  }
}

/**
 * Pins a host key: appends `host`/`[host]:port` + key to known_hosts (created 0600, its
 * folder 0700). Accepts the wire-format key or a known_hosts/ssh-keyscan line (whose key is
 * used; its host field is replaced by this host and port). Lines that named only this host
 * with another key are removed, so the old key stops being accepted.
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
  await mkdir(path.dirname(knownHostsPath), { recursive: true, mode: 0o700 })
  const text = await readKnownHosts(knownHostsPath)
  const entries = parseKnownHosts(text)
  const stale = new Set(
    entries.filter((e) => e.marker === null && !e.keyBlob.equals(keyBlob) && entryIsOnlyFor(e, host, port)).map((e) => e.line),
  )
  const alreadyPinned = entriesForHost(entries, host, port).some((e) => e.marker === null && e.keyBlob.equals(keyBlob))
  if (stale.size > 0) {
    const kept = text.split(/\r?\n/).filter((_line, i) => !stale.has(i + 1))
    await writeFile(knownHostsPath, kept.join('\n'), { mode: 0o600 })
  }
  if (!alreadyPinned) {
    const current = await readKnownHosts(knownHostsPath)
    const sep = current === '' || current.endsWith('\n') ? '' : '\n'
    await appendFile(knownHostsPath, `${sep}${formatKnownHostsLine(host, port, keyBlob)}\n`, { mode: 0o600 })
  }
  if (process.platform !== 'win32') await chmod(knownHostsPath, 0o600)
  return hostKeyInfo(host, port, keyBlob)
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
    if (result.status === 'unknown' && options.policy === 'trust-new') {
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
