/**
 * The flags `upload`, `watch` and `job save` share, declared once so a saved job or a cron
 * line accepts exactly what `upload` does.
 */
import { InvalidArgumentError, type Command } from 'commander'
import { DEFAULT_CONCURRENCY, MAX_AUTO_CONCURRENCY } from '../transfer/upload-engine'

export function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`Expected \`${name}\` to be a whole number from ${min} to ${max}, got \`${value}\`.`)
    return n
  }
}

/** `--ledger`, on every command that reads or writes a destination's ledger. */
export const LEDGER_OPTION = {
  flags: '--ledger <address>',
  description: 'a team ledger shared by every computer sending to this destination: postgresql://user@host:5432/database (password from PGPASSWORD or ~/.pgpass) (default: BULK_UPLOAD_LEDGER, else this computer\'s own ledger)',
}

/** `--date-format` and `--timezone`, on every command that reads the source dates (check and the sending ones). */
export const SOURCE_DATE_OPTIONS = [
  { flags: '--date-format <fmt>', description: 'the format of the source dates: dd day, MM month, yyyy year, HH:mm time, e.g. "dd/MM/yyyy HH:mm" (needs --timezone)' },
  { flags: '--timezone <zone>', description: 'the IANA time zone of the source dates, e.g. Europe/London' },
] as const

/** Adds the source-date flags to a command. */
export function addSourceDateOptions(command: Command): Command {
  for (const o of SOURCE_DATE_OPTIONS) command.option(o.flags, o.description)
  return command
}

/** Adds the batch, login, transfer and network flags to a command. */
export function addSendOptions(command: Command): Command {
  command
    .option('--csv <file>', 'the CSV of conversations (default: the only CSV at the top of the folder)')
    .option('--mapping <file>', 'a mapping profile (JSON)')
    .option('--map <field=column>', 'map one field to a column (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
  return addSourceDateOptions(command)
    .requiredOption('--host <host>', 'the SFTP host name the platform gave you')
    .option('--port <n>', 'the SFTP port', integer('port', 1, 65535), 22)
    .requiredOption('--user <name>', 'the SFTP user name the platform gave you')
    .requiredOption('--key <file|name>', 'your private key file, or the name of a key made by keygen (its public half is pasted in the platform)')
    .option('--passphrase-env <var>', 'the environment variable holding the key\'s passphrase')
    .option('--known-hosts <file>', 'an OpenSSH known_hosts file (e.g. ssh-keyscan output) (default: the app\'s own)')
    .option('--trust-new-host', 'pin the server\'s host key on first connection instead of refusing it')
    .option('--remote-dir <dir>', 'remote folder (default: the login folder, which is the platform\'s root)')
    .option('--concurrency <n>', `files in flight at once (default: ${DEFAULT_CONCURRENCY}, up to ${MAX_AUTO_CONCURRENCY} on a link with a long round trip)`, integer('concurrency', 1, 64))
    .option('--state-dir <dir>', 'folder for the resume journal (default: the app\'s data folder)')
    .option('--bwlimit <rate|timetable>', 'limit the upload to RATE (2M = 2 MiB/s, 500K; a number needs its unit; off = no limit) across all files, or a local-time timetable such as "08:00,1M 18:00,off"')
    .option('--proxy <url>', 'connect through a proxy: socks5://, socks5h:// or http:// (CONNECT), optionally user@ with the password in BULK_UPLOAD_PROXY_PASSWORD (default: ALL_PROXY or HTTPS_PROXY)')
    .option('--no-proxy', 'connect directly, ignoring ALL_PROXY and HTTPS_PROXY')
    .option(LEDGER_OPTION.flags, LEDGER_OPTION.description)
}
