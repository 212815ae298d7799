/**
 * OpenSSH `known_hosts` files, read and written in OpenSSH's own format so `ssh-keyscan`
 * output and a user's existing file work unchanged (DESIGN.md, Host trust): plain host
 * names, `[host]:port` entries, hashed `|1|salt|hash` entries, comma lists, `*`/`?` wildcards
 * and `!` negations. `@revoked` lines are kept (a revoked key is never trusted);
 * `@cert-authority` lines and anything unparsable are skipped without failing the file.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { constants, type Stats } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { AppError } from '../errors'

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  /** 1-based line number in the file, for messages. */
  line: number
  marker: 'revoked' | null
  /** The host field as written, e.g. `example.com,10.0.0.1` or `|1|salt|hash`. */
  hosts: string
  keyType: string
  /** The raw SSH wire-format public key (what ssh2 hands a hostVerifier). */
  keyBlob: Buffer
}

/**
 * The name OpenSSH looks up for a host: `host` on port 22, `[host]:port` otherwise.
 * Hashed entries hash exactly this string.
 */
export function hostToken(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

/** Parses a known_hosts file; bad lines are skipped so one typo never hides other hosts. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i]!.trim()
    if (trimmed === '' || trimmed.startsWith('#')) continue
    const fields = trimmed.split(/\s+/)
    let marker: KnownHostEntry['marker'] = null
    if (fields[0]!.startsWith('@')) {
      const name = fields.shift()!
      // Certificates are not used by the platform: a CA line must not pin anything.
      if (name !== '@revoked') continue
      marker = 'revoked'
    }
    const [hosts, keyType, base64] = fields
    if (!hosts || !keyType || !base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) continue
    const keyBlob = Buffer.from(base64, 'base64')
    if (readSshString(keyBlob) !== keyType) continue
    entries.push({ line: i + 1, marker, hosts, keyType, keyBlob })
  }
  return entries
}

/** Reads the first SSH string of a wire-format key: its type name, or null. */
export function readSshString(blob: Buffer): string | null {
  if (blob.length < 4) return null
  const len = blob.readUInt32BE(0)
  if (len === 0 || len > 64 || 4 + len > blob.length) return null
  return blob.subarray(4, 4 + len).toString('latin1')
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${escaped}$`, 'i')
}

function hashedMatches(pattern: string, token: string): boolean {
  const parts = pattern.split('|') // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1') return false
  const salt = Buffer.from(parts[2]!, 'base64')
  const expected = createHmac('sha1', salt).update(token).digest('base64')
  return expected === parts[3]
}

function patternMatches(pattern: string, token: string): boolean {
  if (pattern.startsWith('|')) return hashedMatches(pattern, token)
  return globToRegExp(pattern).test(token)
}

/**
 * True when the entry's host field names this host and port. As in OpenSSH, a matching
 * negated pattern (`!host`) excludes the line even when another pattern matches.
 */
export function entryMatchesHost(entry: Pick<KnownHostEntry, 'hosts'>, host: string, port: number): boolean {
  const token = hostToken(host, port)
  let matched = false
  for (const raw of entry.hosts.split(',')) {
    if (raw.startsWith('!')) {
      if (patternMatches(raw.slice(1), token)) return false
    } else if (patternMatches(raw, token)) {
      matched = true
    }
  }
  return matched
}

/** True when one pattern names exactly this token: plain (any case) or hashed, never a wildcard. */
function namesExactly(pattern: string, token: string): boolean {
  return pattern.startsWith('|') ? hashedMatches(pattern, token) : pattern.toLowerCase() === token.toLowerCase()
}

/** The entries that apply to a host and port. */
export function entriesForHost(entries: KnownHostEntry[], host: string, port: number): KnownHostEntry[] {
  return entries.filter((e) => entryMatchesHost(e, host, port))
}

/** Hashes a host the way `ssh-keygen -H` / `HashKnownHosts yes` does. */
export function hashHostToken(token: string, salt: Buffer = randomBytes(20)): string {
  const hash = createHmac('sha1', salt).update(token).digest('base64')
  return `|1|${salt.toString('base64')}|${hash}`
}

/** One known_hosts line for a host, port and wire-format key; plain by default. */
export function formatKnownHostsLine(host: string, port: number, keyBlob: Buffer, options: { hashed?: boolean } = {}): string {
  const keyType = readSshString(keyBlob)
  if (keyType === null) throw new Error('Expected `keyBlob` to be an SSH wire-format public key')
  const token = hostToken(host, port)
  return `${options.hashed ? hashHostToken(token) : token} ${keyType} ${keyBlob.toString('base64')}`
}

/** What forgetting a host did to a known_hosts text. */
export interface ForgetResult {
  /** The new file content: every line not about this host is unchanged, byte for byte. */
  text: string
  /** Lines removed or narrowed (their other hosts kept). */
  changedLines: number[]
}

/**
 * Removes a host and port from known_hosts text, as `ssh-keygen -R` does, without forgetting
 * other servers: a line naming only this host (plain or hashed) is removed; a comma list
 * loses this host's pattern and keeps the others; a wildcard line that covers this host gets
 * a `!host` negation, so other hosts it covers stay pinned. `@revoked` lines stay, as
 * `ssh-keygen -R` keeps them: a key once revoked must not be accepted again by forgetting.
 * Comments, `@cert-authority` lines and unparsable lines are never touched.
 */
export function forgetHostInText(text: string, host: string, port: number): ForgetResult {
  const token = hostToken(host, port)
  const out: string[] = []
  const changedLines: number[] = []
  // Split on \n only, so a CRLF file keeps its \r on every line it did not change.
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!
    const entry = parseKnownHosts(raw)[0]
    if (!entry || entry.marker !== null || !entryMatchesHost(entry, host, port)) {
      out.push(raw)
      continue
    }
    changedLines.push(i + 1)
    const kept = entry.hosts.split(',').filter((p) => !namesExactly(p, token))
    if (!kept.some((p) => !p.startsWith('!'))) continue // nothing left that names a host
    // Still covered (a wildcard): exclude this host by name, as OpenSSH's negation does.
    if (entryMatchesHost({ hosts: kept.join(',') }, host, port)) kept.push(`!${token}`)
    // The host field is the line's first field (no marker here), so its first occurrence.
    const at = raw.indexOf(entry.hosts)
    out.push(raw.slice(0, at) + kept.join(',') + raw.slice(at + entry.hosts.length))
  }
  return { text: out.join('\n'), changedLines }
}

/** known_hosts files are kilobytes; 16 MiB holds some 80,000 hosts. */
export const KNOWN_HOSTS_MAX_BYTES = 16 * 1024 * 1024

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder'
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device'
  if (st.isFIFO()) return 'a pipe'
  if (st.isSocket()) return 'a socket'
  return 'not a file'
}

/**
 * Reads a known_hosts file, '' when there is none. Only a regular file of at most `maxBytes`
 * is read: `--known-hosts /dev/zero` would otherwise be read for ever (640 MB before Node
 * gives up, on every connection attempt), and a pipe blocks or is empty on the next read.
 * Anything else is refused with BAD_ARGUMENT, its message naming the file and what to give.
 */
export async function readKnownHostsFile(file: string, maxBytes = KNOWN_HOSTS_MAX_BYTES): Promise<string> {
  const refuse = (why: string) =>
    new AppError('BAD_ARGUMENT', `${file}: ${why}`, {
      message: `${file} is not a known_hosts file (${why}): give the path of a known_hosts file (ssh-keyscan -p PORT HOST > FILE writes one).`,
    })
  const before = await stat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null
    throw err
  })
  if (before === null) return ''
  if (!before.isFile()) throw refuse(`it is ${kindOf(before)}`)
  if (before.size > maxBytes) throw refuse(`it holds ${before.size} bytes; known_hosts files are a few kilobytes and the limit is ${maxBytes}`)
  // O_NONBLOCK: should the path become a pipe after the stat, opening it must not wait for a writer.
  const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  try {
    const st = await handle.stat()
    if (!st.isFile()) throw refuse(`it is ${kindOf(st)}`)
    // Read to the end, but never past the bound: the size stat gave may have grown since.
    const chunks: Buffer[] = []
    let length = 0
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024)
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, length)
      if (bytesRead === 0) break
      chunks.push(chunk.subarray(0, bytesRead))
      length += bytesRead
      if (length > maxBytes) throw refuse(`it holds more than ${maxBytes} bytes; known_hosts files are a few kilobytes`)
    }
    return Buffer.concat(chunks, length).toString('utf8')
  } finally {
    await handle.close()
  }
}
