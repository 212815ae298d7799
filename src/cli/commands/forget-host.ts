/**
 * `bulk-upload forget-host`: removes every pinned key of one server from a known_hosts file —
 * the explicit step before trusting a server whose identity key really changed (rebuilt).
 * Nothing else ever replaces a pin (DESIGN.md, Host trust).
 */
import path from 'node:path'
import { InvalidArgumentError, type Command } from 'commander'
import { appHome } from '../../app-home'
import { forgetHostKeys } from '../../ssh/host-trust'
import { EXIT } from '../exit-codes'
import { printError, yellow } from '../terminal'

interface ForgetOptions {
  host: string
  port: number
  knownHosts?: string
}

function port(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError(`Expected \`port\` to be a whole number from 1 to 65535, got \`${value}\`.`)
  return n
}

export function registerForgetHost(program: Command): void {
  program
    .command('forget-host')
    .description('Remove the pinned identity keys of a server, so its new key can be confirmed. Only after your platform confirms the server was rebuilt.')
    .requiredOption('--host <host>', 'the SFTP host name')
    .option('--port <n>', 'the SFTP port', port, 22)
    .option('--known-hosts <file>', 'the known_hosts file (default: the app\'s own)')
    .addHelpText('after', '\nExit codes: 0 removed (or nothing was pinned), 2 bad invocation or the file cannot be written.')
    .action(async (opts: ForgetOptions) => {
      try {
        const file = opts.knownHosts ? path.resolve(opts.knownHosts) : path.join(appHome(), 'known_hosts')
        const removed = await forgetHostKeys(file, opts.host, opts.port)
        process.stderr.write(yellow('A changed host key can mean the connection is being intercepted: trust the new key only once your platform has confirmed its fingerprint.\n'))
        process.stdout.write(removed > 0 ? `Removed ${removed} pinned key line${removed === 1 ? '' : 's'} for ${opts.host}:${opts.port} from ${file}.\n` : `Nothing was pinned for ${opts.host}:${opts.port} in ${file}.\n`)
        process.exitCode = EXIT.OK
      } catch (err) {
        printError(err)
        process.exitCode = EXIT.BAD_INVOCATION
      }
    })
}
