/**
 * Which destination a command means: a destination saved in the app, by its name
 * (`--destination NAME`), or a server named by flags (`--host H --user U [--port] [--remote-dir]`)
 * as `upload` spells it. Both find the same records: they are keyed by server, account and folder.
 */
import { InvalidArgumentError, type Command } from 'commander'
import type { Destination } from '../api'
import { AppError } from '../errors'
import { readSavedDestinations } from '../saved-destinations'
import type { DestinationAddress } from '../ledger/destination-key'

export interface DestinationFlags {
  destination?: string
  host?: string
  port: number
  user?: string
  remoteDir?: string
}

function port(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError(`Expected \`port\` to be a whole number from 1 to 65535, got \`${value}\`.`)
  return n
}

/** Adds --destination, --host, --port, --user and --remote-dir to a command. */
export function destinationFlags(cmd: Command): Command {
  return cmd
    .option('--destination <name>', 'a destination saved in the app, by its name')
    .option('--host <host>', 'or the SFTP host name the platform gave you (with --user)')
    .option('--port <n>', 'the SFTP port', port, 22)
    .option('--user <name>', 'the SFTP user name the platform gave you')
    .option('--remote-dir <dir>', 'remote folder, as given to upload (default: the login folder)')
}

/** The destination the flags name, and how to call it in messages. */
export async function resolveDestination(home: string, o: DestinationFlags): Promise<{ address: DestinationAddress; label: string }> {
  if (o.destination !== undefined) {
    if (o.host !== undefined || o.user !== undefined) throw new AppError('BAD_ARGUMENT', 'Give either --destination NAME or --host and --user, not both.')
    const saved = await savedDestinations(home)
    const want = o.destination.trim().toLowerCase()
    const found = saved.find((d) => d.name.toLowerCase() === want)
    if (!found) {
      const names = saved.map((d) => `"${d.name}"`).join(', ')
      throw new AppError('BAD_ARGUMENT', `No destination named "${o.destination}" is saved in the app${names ? ` (saved: ${names})` : ''}. Give its name as the app shows it, or name the server with --host and --user.`)
    }
    return { address: { host: found.host, port: found.port, username: found.username, remoteDir: found.remoteDir ?? '' }, label: `"${found.name}"` }
  }
  if (!o.host || !o.user) throw new AppError('BAD_ARGUMENT', 'Name the destination: --destination NAME (saved in the app), or --host HOST --user USER [--port N].')
  const address = { host: o.host, port: o.port, username: o.user, remoteDir: o.remoteDir ?? '' }
  return { address, label: `${o.user}@${o.host}:${o.port}${o.remoteDir ? ` (folder ${o.remoteDir})` : ''}` }
}

/** The saved destinations; a damaged file names the way round it. */
async function savedDestinations(home: string): Promise<Destination[]> {
  try {
    return await readSavedDestinations(home)
  } catch (err) {
    const reason = err instanceof AppError ? err.details : (err as Error).message
    throw new AppError('BAD_ARGUMENT', `${reason} Or name the server with --host and --user.`, { cause: err })
  }
}
