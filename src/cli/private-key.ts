import { readFile } from 'node:fs/promises'
import ssh2 from 'ssh2'
import { AppError } from '../errors'

/**
 * Reads the private key named by `--key` and checks it before any connection is made, so a
 * wrong file or passphrase is a sentence, not a failed login.
 */
export async function readPrivateKey(file: string, passphrase: string | undefined): Promise<string> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new AppError('FILE_NOT_FOUND', `The key file ${file} could not be read: ${(err as Error).message}`, { cause: err })
  }
  const parsed = ssh2.utils.parseKey(text, passphrase)
  if (parsed instanceof Error) {
    if (/no passphrase/i.test(parsed.message)) throw new AppError('KEY_PASSPHRASE_NEEDED', `${file} is encrypted: name the environment variable holding its passphrase with --passphrase-env.`)
    if (/passphrase|decrypt/i.test(parsed.message)) throw new AppError('KEY_PASSPHRASE_WRONG', file)
    throw new AppError('KEY_INVALID', `${file}: ${parsed.message}`)
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed
  if (!key?.isPrivateKey()) {
    throw new AppError('KEY_WRONG_KIND', `${file} holds a public key. Give the private key (the file without .pub) with --key.`)
  }
  return text
}
