/**
 * `bulk-upload keygen` and `bulk-upload key check FILE`: make the key the platform needs, and
 * explain any key a user has (or what is wrong with it) in one sentence.
 * Exit 0: done / key usable; 1: the key is not usable; 2: bad invocation or unreadable file.
 */
import type { Command } from 'commander'
import { AppError } from '../../errors'
import { checkKeyText, DEFAULT_KEY_NAME, generateKey, privateKeyPath, readKeyFileBytes, type KeyFacts } from '../../keys'
import { EXIT } from '../exit-codes'
import { bold, dim, green, printError, red } from '../terminal'

const FORMAT_NAMES: Record<KeyFacts['format'], string> = {
  openssh: 'OpenSSH',
  pem: 'PEM',
  pkcs8: 'PKCS#8',
  rfc4716: 'RFC 4716',
  ppk: 'PuTTY PPK',
}

/** Reads a passphrase from the named environment variable, never from the command line. */
function passphraseFrom(variable: string | undefined): string | undefined {
  if (variable === undefined) return undefined
  const value = process.env[variable]
  if (!value) throw new AppError('BAD_ARGUMENT', `The environment variable ${variable} (named by --passphrase-env) is not set or empty.`)
  return value
}

function fail(err: unknown, exitCode: number): void {
  printError(err)
  process.exitCode = exitCode
}

interface KeygenOptions {
  type: string
  name: string
  passphraseEnv?: string
}

async function runKeygen(opts: KeygenOptions): Promise<void> {
  if (opts.type !== 'ed25519' && opts.type !== 'rsa') throw new AppError('BAD_ARGUMENT', `Expected --type to be ed25519 or rsa, got ${opts.type}.`)
  const passphrase = passphraseFrom(opts.passphraseEnv)
  const info = await generateKey({ name: opts.name, type: opts.type, passphrase: passphrase ?? null })
  const file = await privateKeyPath(info.name)
  process.stdout.write(
    [
      `${green('Generated')} ${info.type} key "${info.name}" (${info.bits} bits${info.encrypted ? ', passphrase-protected' : ''}).`,
      dim(`Private key: ${file} (readable only by you; never share it)`),
      '',
      bold('Public key (paste this line into the platform):'),
      info.publicKey,
      '',
      `Fingerprint: ${info.fingerprint}`,
      '',
    ].join('\n'),
  )
}

interface KeyCheckOptions {
  want?: string
  passphraseEnv?: string
  json?: boolean
}

async function runKeyCheck(file: string, opts: KeyCheckOptions): Promise<number> {
  if (opts.want !== undefined && opts.want !== 'public' && opts.want !== 'private') {
    throw new AppError('BAD_ARGUMENT', `Expected --want to be public or private, got ${opts.want}.`)
  }
  const text = await readKeyFileBytes(file)
  const check = checkKeyText(text, { want: opts.want as 'public' | 'private' | undefined, passphrase: passphraseFrom(opts.passphraseEnv) })
  if (opts.json) {
    const { ok, ...rest } = check
    process.stdout.write(JSON.stringify(ok ? { ok, ...rest } : { ok, error: check.ok ? null : check.error.toPayload() }) + '\n')
    return ok ? EXIT.OK : EXIT.PROBLEMS
  }
  if (!check.ok) {
    const hint = check.error.code === 'KEY_PASSPHRASE_NEEDED' ? ' Name the environment variable holding it with --passphrase-env.' : ''
    process.stdout.write(`${red('Not usable:')} ${check.error.message}${hint}\n`)
    return EXIT.PROBLEMS
  }
  process.stdout.write(
    [
      `${green('OK:')} ${check.type} ${check.kind} key, ${check.bits} bits, ${FORMAT_NAMES[check.format]} format${check.encrypted ? ', passphrase-protected' : ''}${check.comment ? ` ("${check.comment}")` : ''}.`,
      `Fingerprint: ${check.fingerprint}`,
      'Public key (what the platform needs):',
      check.publicKey,
      '',
    ].join('\n'),
  )
  return EXIT.OK
}

/** Registers `keygen` and `key check`. User errors end as a sentence, never a stack trace. */
export function registerKeys(program: Command): void {
  program
    .command('keygen')
    .description('Generate an SSH key pair for the platform, stored in the app data folder; prints the public key to paste.')
    .option('--type <type>', 'ed25519 (recommended) or rsa (4096 bits, for old servers)', 'ed25519')
    .option('--name <name>', 'a name for the key', DEFAULT_KEY_NAME)
    .option('--passphrase-env <VAR>', 'protect the private key with the passphrase held in this environment variable')
    .addHelpText('after', '\nExit codes: 0 generated, 2 bad invocation (for example, the name is taken).')
    .action(async (opts: KeygenOptions) => {
      try {
        await runKeygen(opts)
        process.exitCode = EXIT.OK
      } catch (err) {
        fail(err, EXIT.BAD_INVOCATION)
      }
    })

  const key = program.command('key').description('Work with SSH keys.')
  key
    .command('check')
    .description('Explain an SSH key file (OpenSSH, PEM, PKCS#8, RFC 4716, PuTTY PPK), or say what is wrong with it.')
    .argument('<file>', 'the key file')
    .option('--want <half>', 'public or private: the half you need (the other is reported as a problem)')
    .option('--passphrase-env <VAR>', 'the environment variable holding the passphrase of an encrypted private key')
    .option('--json', 'print exactly one JSON object')
    .addHelpText('after', '\nExit codes: 0 usable, 1 not usable (the reason is printed), 2 bad invocation or unreadable file.')
    .action(async (file: string, opts: KeyCheckOptions) => {
      try {
        process.exitCode = await runKeyCheck(file, opts)
      } catch (err) {
        fail(err, EXIT.BAD_INVOCATION)
      }
    })
}
