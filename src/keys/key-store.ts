/**
 * The app's own SSH keys, kept in `<app home>/keys` (folder 0700): `NAME` is the OpenSSH
 * private key (0600, encrypted when a passphrase was chosen), `NAME.pub` the public line and
 * `NAME.json` when it was made. Nothing secret is logged or returned: callers get KeyInfo.
 */
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { KeyInfo } from '../api'
import { appDir } from '../app-home'
import { AppError } from '../errors'
import { checkKeyText, publicLine } from './check-key'
import { generatePair, type GeneratedType } from './key-pair'
import { parseKeyText } from './parse-key'

/** The app's own key, used by the sandbox so trying the app needs nothing. */
export const DEFAULT_KEY_NAME = 'default'

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

interface KeyMeta {
  createdAt: string
  encrypted: boolean
}

/** The keys folder (created 0700) inside `home`, or inside the app home. */
export async function keysDir(home?: string): Promise<string> {
  return appDir('keys', home === undefined ? process.env : { ...process.env, BULK_UPLOAD_HOME: home })
}

/** Refuses names that could not be file names everywhere (or could leave the folder). */
export function checkKeyName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name) || name.endsWith('.pub') || name.endsWith('.json')) {
    throw new AppError('BAD_ARGUMENT', `Expected \`name\` to be 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit, got \`${String(name)}\``)
  }
}

async function exists(file: string): Promise<boolean> {
  return readFile(file).then(
    () => true,
    () => false,
  )
}

/** Writes the three files; `pub` is derived from the private key when it is not encrypted. */
async function store(name: string, privateKey: string, encrypted: boolean, home?: string, publicKey?: string): Promise<KeyInfo> {
  const dir = await keysDir(home)
  const file = path.join(dir, name)
  // A name is taken once its .json exists (written last): a private key left without one by
  // a crash was never shown to anybody and is replaced.
  if (await exists(`${file}.json`)) {
    const sentence = `A key named "${name}" already exists; choose another name.`
    throw new AppError('BAD_ARGUMENT', sentence, { message: sentence })
  }
  const pub = publicKey ?? publicLine(parseKeyText(privateKey, undefined).key)
  await writeFile(file, privateKey, { mode: 0o600 })
  await writeFile(`${file}.pub`, `${pub}\n`, { mode: 0o644 })
  const meta: KeyMeta = { createdAt: new Date().toISOString(), encrypted }
  await writeFile(`${file}.json`, JSON.stringify(meta, null, 2) + '\n', { mode: 0o600 })
  if (process.platform !== 'win32') await chmod(file, 0o600)
  return getKey(name, home)
}

/**
 * Generates and stores a key pair: Ed25519 by default, RSA 4096 for old servers. A non-empty
 * passphrase encrypts the private key (OpenSSH format, bcrypt + aes256-ctr).
 */
export async function generateKey(options: { name: string; type?: GeneratedType; passphrase?: string | null }, home?: string): Promise<KeyInfo> {
  checkKeyName(options.name)
  const type = options.type ?? 'ed25519'
  if (type !== 'ed25519' && type !== 'rsa') throw new AppError('BAD_ARGUMENT', `Expected \`type\` to be \`ed25519\` or \`rsa\`, got \`${String(type)}\``)
  const passphrase = options.passphrase ? options.passphrase : null
  const pair = generatePair(type, { passphrase, comment: `bulk-upload ${options.name}` })
  return store(options.name, pair.privateKey, passphrase !== null, home, pair.publicKey)
}

/**
 * Stores a private key the user already has (any supported format), converted to OpenSSH
 * format; encrypted again with the same passphrase when it had one.
 */
export async function importKey(name: string, text: string, passphrase?: string | null, home?: string): Promise<KeyInfo> {
  checkKeyName(name)
  const check = checkKeyText(text, { want: 'private', passphrase: passphrase ?? undefined })
  if (!check.ok) throw check.error
  const parsed = parseKeyText(text, passphrase ?? undefined)
  if (parsed.kind !== 'private') throw new AppError('KEY_WRONG_KIND')
  if (!parsed.key.comment || parsed.key.comment === '(unnamed)') parsed.key.comment = `bulk-upload ${name}`
  const encrypted = parsed.encrypted && !!passphrase
  const openssh = parsed.key.toString('ssh-private', encrypted ? { passphrase: passphrase!, cipher: 'aes256-ctr' } : {})
  return store(name, openssh.endsWith('\n') ? openssh : openssh + '\n', encrypted, home, publicLine(parsed.key))
}

/** One stored key's public facts; KEY_NOT_FOUND when there is none by that name. */
export async function getKey(name: string, home?: string): Promise<KeyInfo> {
  checkKeyName(name)
  const file = path.join(await keysDir(home), name)
  let pub: string
  let meta: KeyMeta
  try {
    pub = await readFile(`${file}.pub`, 'utf8')
    meta = JSON.parse(await readFile(`${file}.json`, 'utf8')) as KeyMeta
  } catch {
    throw new AppError('KEY_NOT_FOUND', name)
  }
  const check = checkKeyText(pub, { want: 'public' })
  if (!check.ok) throw check.error
  return {
    name,
    type: check.type,
    bits: check.bits,
    fingerprint: check.fingerprint,
    publicKey: pub.trim(),
    encrypted: meta.encrypted,
    createdAt: meta.createdAt,
  }
}

/** Every stored key, oldest first. Entries that cannot be read are left out. */
export async function listKeys(home?: string): Promise<KeyInfo[]> {
  const dir = await keysDir(home)
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length))
  const keys: KeyInfo[] = []
  for (const name of names) {
    try {
      keys.push(await getKey(name, home))
    } catch {
      // a half-written or foreign file: not a key of ours
    }
  }
  return keys.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name))
}

const defaultKeyJobs = new Map<string, Promise<KeyInfo>>()

/**
 * The app's default key (Ed25519, no passphrase), generated the first time it is needed.
 * Concurrent callers for the same home share one generation.
 */
export async function ensureDefaultKey(home?: string): Promise<KeyInfo> {
  const dir = await keysDir(home)
  let job = defaultKeyJobs.get(dir)
  if (job === undefined) {
    job = (async () => {
      try {
        return await getKey(DEFAULT_KEY_NAME, home)
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'KEY_NOT_FOUND') throw err
        return generateKey({ name: DEFAULT_KEY_NAME, type: 'ed25519', passphrase: null }, home)
      }
    })().finally(() => defaultKeyJobs.delete(dir))
    defaultKeyJobs.set(dir, job)
  }
  return job
}

/** Path of a stored key's private file (it may not exist). */
export async function privateKeyPath(name: string, home?: string): Promise<string> {
  checkKeyName(name)
  return path.join(await keysDir(home), name)
}
