/**
 * `bulk-upload sandbox`: runs the built-in SFTP server in the foreground, so the app (or any
 * SFTP client) can be tried with nothing set up. Without options it serves the app data
 * folder's sandbox and accepts the app's own default key.
 * Exit 0 when stopped with Ctrl+C; 2 when it cannot start (port taken, bad option).
 */
import path from 'node:path'
import type { Command } from 'commander'
import { AppError } from '../../errors'
import { privateKeyPath } from '../../keys'
import { APP_SANDBOX_PORT, startAppSandbox, type SandboxMode } from '../../sandbox'
import { EXIT } from '../exit-codes'
import { bold, dim, printError } from '../terminal'

interface SandboxOptions {
  root?: string
  port: string
  host: string
  mode: string
  authorizedKeys?: string
}

async function runSandbox(opts: SandboxOptions): Promise<void> {
  const port = Number(opts.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AppError('BAD_ARGUMENT', `Expected --port to be a number from 0 to 65535, got ${opts.port}.`)
  if (opts.mode !== 'posix' && opts.mode !== 's3') throw new AppError('BAD_ARGUMENT', `Expected --mode to be posix or s3, got ${opts.mode}.`)
  // Listen for Ctrl+C before anything is printed: the banner tells scripts the server is up.
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  const { server, key } = await startAppSandbox({
    root: opts.root === undefined ? undefined : path.resolve(opts.root),
    host: opts.host,
    port,
    mode: opts.mode as SandboxMode,
    authorizedKeysFile: opts.authorizedKeys === undefined ? undefined : path.resolve(opts.authorizedKeys),
  })
  const keyFile = key ? await privateKeyPath(key.name) : null
  const modeText = server.mode === 's3' ? 's3 (like AWS Transfer Family on S3: sequential writes only, no append, no chmod)' : 'posix (like OpenSSH)'
  process.stdout.write(
    [
      bold('Sandbox SFTP server running.') + dim(' Press Ctrl+C to stop.'),
      `  Host          ${server.host}`,
      `  Port          ${server.port}`,
      `  User          ${server.username}`,
      `  Host key      ${server.hostKeyFingerprint}`,
      `  Mode          ${modeText}`,
      `  Folder        ${server.root}`,
      key ? `  Accepted key  ${key.name} (${key.fingerprint}), ${keyFile}` : `  Accepted keys ${path.resolve(opts.authorizedKeys!)}`,
      `  known_hosts   ${server.knownHostsLine}`,
      '',
      dim(`Try: sftp -i ${keyFile ?? 'YOUR_KEY'} -P ${server.port} ${server.username}@${server.host}`),
      '',
    ].join('\n'),
  )
  await stopped
  await server.close()
  process.stdout.write('Sandbox stopped.\n')
}

/** Registers `sandbox`. A failure to start is a sentence and exit 2, never a stack trace. */
export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description('Run the built-in SFTP server on this computer, to try uploads without the platform.')
    .option('--root <dir>', 'the folder to serve (default: the sandbox folder in the app data folder)')
    .option('--port <n>', 'the port to listen on (0 picks a free one)', String(APP_SANDBOX_PORT))
    .option('--host <address>', 'the address to listen on', '127.0.0.1')
    .option('--mode <mode>', 'posix (like OpenSSH) or s3 (like the platform\'s AWS server)', 's3')
    .option('--authorized-keys <file>', 'an OpenSSH authorized_keys file (default: the app\'s own key)')
    .addHelpText('after', '\nExit codes: 0 stopped with Ctrl+C, 2 could not start (for example, the port is taken).')
    .action(async (opts: SandboxOptions) => {
      try {
        await runSandbox(opts)
        process.exitCode = EXIT.OK
      } catch (err) {
        printError(err)
        process.exitCode = EXIT.BAD_INVOCATION
      }
    })
}
