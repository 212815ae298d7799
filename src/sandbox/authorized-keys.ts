/**
 * Public-key authentication for the sandbox, from OpenSSH authorized_keys lines. Only the
 * key matters: options in front of a key (`from="..."`, `command=...`) are not enforced.
 */
import { readFile } from 'node:fs/promises'
import { timingSafeEqual } from 'node:crypto'
import ssh2, { type ParsedKey } from 'ssh2'

const KEY_TYPE = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-[a-z0-9-]+@openssh\.com)$/

/** Parses authorized_keys text; comments, blank and unparsable lines are skipped. */
export function parseAuthorizedKeys(lines: string[]): ParsedKey[] {
  const keys: ParsedKey[] = []
  for (const raw of lines.flatMap((l) => l.split(/\r?\n/))) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const fields = line.split(/\s+/)
    const at = fields.findIndex((f) => KEY_TYPE.test(f))
    if (at < 0 || fields[at + 1] === undefined) continue
    const parsed = ssh2.utils.parseKey(`${fields[at]} ${fields[at + 1]}`)
    if (parsed instanceof Error) continue
    keys.push(Array.isArray(parsed) ? parsed[0]! : parsed)
  }
  return keys
}

/** Reads the allowed keys now: a file is re-read at every login, like sshd does. */
export async function loadAuthorizedKeys(source: string[] | { file: string }): Promise<ParsedKey[]> {
  if (Array.isArray(source)) return parseAuthorizedKeys(source)
  return parseAuthorizedKeys([await readFile(source.file, 'utf8')])
}

/** The allowed key whose wire form equals the offered one, or null. */
export function findKey(keys: ParsedKey[], offered: Buffer): ParsedKey | null {
  for (const key of keys) {
    const blob = key.getPublicSSH()
    if (blob.length === offered.length && timingSafeEqual(blob, offered)) return key
  }
  return null
}
