/**
 * `bulk-upload watch <root>`: sends each day folder of an export as it appears (or, with
 * `--once`, what is there now), through the same pipeline as `upload`.
 */
import path from 'node:path'
import { stat } from 'node:fs/promises'
import { InvalidArgumentError, type Command } from 'commander'
import { AppError } from '../../errors'
import { EXIT } from '../exit-codes'
import { addSendOptions } from '../send-options'
import { green, printError, red, yellow } from '../terminal'
import { WatchRun, type BatchOutcome, type WatchOptions } from '../watch/watch-run'

export const REFUSED = new Set(['AUTH_REFUSED', 'HOST_KEY_UNKNOWN', 'HOST_KEY_CHANGED', 'PROXY_REFUSED'])

function seconds(name: string) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isFinite(n) || n < 0 || n > 86_400) throw new InvalidArgumentError(`Expected \`${name}\` to be a number of seconds from 0 to 86400, got \`${value}\`.`)
    return n
  }
}

function printOutcome(o: BatchOutcome, json: boolean): void {
  if (json) {
    const { exit, ...line } = o
    void exit
    process.stdout.write(JSON.stringify(line) + '\n')
    return
  }
  const where = o.folder
  if (o.result === 'delivered') process.stdout.write(`${green('Delivered')} ${where}: ${o.uploaded} rows uploaded, ${o.skipped} already on the server, ${o.excluded} excluded, ${o.failed} failed${o.alreadyDelivered ? `, ${o.alreadyDelivered} delivered earlier` : ''} (CSV ${o.csv ?? 'not sent'})\n`)
  else if (o.result === 'nothing-new') process.stdout.write(`Nothing new in ${where}: all ${o.alreadyDelivered} rows were delivered earlier.\n`)
  else if (o.result === 'skipped') process.stdout.write(`${yellow('Skipped')} ${where}: ${o.error?.message ?? ''}${o.error?.details ? ` (${o.error.details})` : ''}\n`)
  else process.stdout.write(`${red('Stopped')} ${where}: ${o.error?.message ?? ''}${o.error?.details ? ` (${o.error.details})` : ''}\n`)
}

/** Runs a watch (or one pass with `once`); the exit code per the documented table. */
export async function runWatch(rootArg: string, opts: WatchOptions, observe?: (o: BatchOutcome) => void): Promise<number> {
  const root = path.resolve(rootArg)
  if (!(await stat(root).catch(() => null))?.isDirectory()) throw new AppError('FILE_NOT_FOUND', `The folder ${rootArg} does not exist or is not a folder.`)
  const run = new WatchRun(root, opts, (o) => {
    observe?.(o)
    printOutcome(o, Boolean(opts.json))
  })
  let signals = 0
  const onSignal = () => {
    if (++signals > 1) process.exit(EXIT.INTERRUPTED)
    if (!opts.json) process.stderr.write('Stopping: the batch in flight is cancelled and finishes on the next run (Ctrl+C again quits at once)...\n')
    run.stop()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    const code = await run.run()
    return signals > 0 && opts.once ? EXIT.INTERRUPTED : code
  } finally {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
}

export function addWatchOptions(command: Command): Command {
  addSendOptions(command)
  return command
    .option('--csv-name <glob>', 'which file in a folder is its CSV', '*.csv')
    .option('--interval <seconds>', 'how often to look for new folders (file-system events also wake it)', seconds('interval'), 60)
    .option('--settle <seconds>', 'take a folder once its files have not changed for this long', seconds('settle'), 60)
    .option('--once', 'one pass over what is there now, without waiting for folders to settle, then exit')
    .option('--json', 'one JSON line per batch on stdout')
}

export const WATCH_EXIT_HELP = '\nExit codes (with --once): 0 all delivered (or nothing new); 1 some rows excluded or failed, or batches skipped;\n2 bad invocation; 3 interrupted (run again to finish); 4 refused (authentication, host key or proxy login).'

export function registerWatch(program: Command): void {
  const command = program
    .command('watch')
    .description('Send each folder of a daily export under ROOT once its files have settled: one CSV per folder, only rows not delivered before.')
    .argument('<root>', 'the export folder: it and each folder under it holding one CSV is a batch')
  addWatchOptions(command)
    .addHelpText('after', WATCH_EXIT_HELP)
    .action(async (root: string, opts: WatchOptions) => {
      try {
        process.exitCode = await runWatch(root, opts)
      } catch (err) {
        const e = printError(err)
        if (opts.json) process.stdout.write(JSON.stringify({ error: e.toPayload() }) + '\n')
        process.exitCode = REFUSED.has(e.code) ? EXIT.REFUSED : EXIT.BAD_INVOCATION
      }
    })
}
