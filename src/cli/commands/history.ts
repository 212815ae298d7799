/**
 * `bulk-upload history`: the batches delivered to a destination, from its delivery ledger
 * (newest first): when, which CSV, how many rows, and where the report is.
 */
import { InvalidArgumentError, type Command } from 'commander'
import { appHome } from '../../app-home'
import { openDestinationLedger } from '../../ledger/destination-ledger'
import { LEDGER_OPTION } from '../send-options'
import { ledgerLocation } from '../../ledger/ledger-location'
import { EXIT, exitCodeFor } from '../exit-codes'
import { bold, dim, formatBytes, formatWhen, printError } from '../terminal'

interface HistoryOptions {
  host: string
  port: number
  user: string
  remoteDir?: string
  limit: number
  json?: boolean
  ledger?: string
}

function positive(name: string) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`Expected \`${name}\` to be a whole number from 1 and up, got \`${value}\`.`)
    return n
  }
}

async function runHistory(opts: HistoryOptions): Promise<number> {
  const location = ledgerLocation(opts.ledger)
  const ledger = await openDestinationLedger(appHome(), { host: opts.host, port: opts.port, username: opts.user, remoteDir: opts.remoteDir ?? '' }, location)
  try {
    const batches = ledger.records.history(opts.limit)
    if (opts.json) {
      process.stdout.write(JSON.stringify({ destination: `${opts.user}@${opts.host}:${opts.port}`, batches }) + '\n')
      return EXIT.OK
    }
    if (batches.length === 0) {
      process.stdout.write(`Nothing has been delivered to ${opts.user}@${opts.host}:${opts.port} ${location ? `in the team ledger ${ledger.where}` : 'from this computer'} (or its records have expired).\n`)
      return EXIT.OK
    }
    const lines = [bold(`Delivered to ${opts.user}@${opts.host}:${opts.port}, newest first:`)]
    for (const b of batches) {
      lines.push(`  ${formatWhen(b.deliveredAt)}  ${String(b.rows).padStart(7)} rows  ${formatBytes(b.bytes).padStart(9)}  ${b.csvName}`)
      lines.push(dim(`      from ${b.sourceCsv}${b.reportCsv ? `; report ${b.reportCsv}` : ''}`))
    }
    process.stdout.write(lines.join('\n') + '\n')
    return EXIT.OK
  } finally {
    await ledger.close()
  }
}

export function registerHistory(program: Command): void {
  program
    .command('history')
    .description('List the batches delivered to a destination (from this computer\'s delivery ledger).')
    .requiredOption('--host <host>', 'the SFTP host name')
    .option('--port <n>', 'the SFTP port', positive('port'), 22)
    .requiredOption('--user <name>', 'the SFTP user name')
    .option('--remote-dir <dir>', 'the remote folder (default: the login folder)')
    .option('--limit <n>', 'how many batches to list', positive('limit'), 50)
    .option(LEDGER_OPTION.flags, LEDGER_OPTION.description)
    .option('--json', 'print one JSON object')
    .action(async (opts: HistoryOptions) => {
      try {
        process.exitCode = await runHistory(opts)
      } catch (err) {
        const e = printError(err)
        if (opts.json) process.stdout.write(JSON.stringify({ error: e.toPayload() }) + '\n')
        process.exitCode = exitCodeFor(e)
      }
    })
}
