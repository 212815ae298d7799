/**
 * `bulk-upload watch <root>`: sends each day folder of an export as it appears (or, with
 * `--once`, what has settled there now), through the same pipeline as `upload`.
 */
import path from 'node:path'
import { stat } from 'node:fs/promises'
import { InvalidArgumentError, type Command } from 'commander'
import { AppError } from '../../errors'
import { EXIT, exitCodeFor } from '../exit-codes'
import { addSendOptions } from '../send-options'
import { green, printError, red, yellow } from '../terminal'
import { DEFAULT_SETTLE_SECONDS, formatLocalTime } from '../watch/settle'
import { WatchRun, type BatchOutcome, type WatchOptions } from '../watch/watch-run'

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
  else if (o.result === 'not-settled') process.stdout.write(`${yellow('Not settled')} ${o.error?.message ?? where}\n`)
  else if (o.result === 'skipped') process.stdout.write(`${yellow('Skipped')} ${where}: ${o.error?.message ?? ''}${o.error?.details ? ` (${o.error.details})` : ''}\n`)
  else process.stdout.write(`${red('Stopped')} ${where}: ${o.error?.message ?? ''}${o.error?.details ? ` (${o.error.details})` : ''}\n`)
}

/** The reason a single pass exits 1 with folders left, said once at the end (stderr: stdout may be JSON). */
function printUnsettled(left: BatchOutcome[], settle: number): void {
  const last = left.map((o) => o.takenFrom ?? '').sort().at(-1) ?? ''
  const which = left.length === 1 ? '1 folder was' : `${left.length} folders were`
  process.stderr.write(`${yellow('Not finished:')} ${which} left for the next run because files in ${left.length === 1 ? 'it' : 'them'} changed less than ${settle} s ago (--settle): ${left.length === 1 ? 'it may still be' : 'they may still be'} being copied. A run from ${formatLocalTime(new Date(last))} takes ${left.length === 1 ? 'it' : 'them'}.\n`)
}

/** Runs a watch (or one pass with `once`); the exit code per the documented table. */
export async function runWatch(rootArg: string, opts: WatchOptions, observe?: (o: BatchOutcome) => void): Promise<number> {
  const root = path.resolve(rootArg)
  if (!(await stat(root).catch(() => null))?.isDirectory()) throw new AppError('FILE_NOT_FOUND', `The folder ${rootArg} does not exist or is not a folder.`)
  const unsettled: BatchOutcome[] = []
  const run = new WatchRun(root, opts, (o) => {
    if (o.result === 'not-settled') unsettled.push(o)
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
    if (unsettled.length > 0) printUnsettled(unsettled, opts.settle)
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
    .option('--settle <seconds>', 'take a folder once its files have not changed for this long (with --once: once its newest file is this old)', seconds('settle'), DEFAULT_SETTLE_SECONDS)
    .option('--once', 'one pass over what is there now, then exit; a folder whose files changed within --settle is left for the next run (exit 1)')
    .option('--json', 'one JSON line per batch on stdout')
}

export const WATCH_EXIT_HELP = '\nExit codes (with --once): 0 all delivered (or nothing new); 1 some rows excluded or failed, or folders skipped or\nleft for the next run (not settled); 2 bad invocation, or a file in the app home that running again will not fix\n(damaged ledger, layout, known agents or known_hosts; the message names it); 3 interrupted (run again to finish);\n4 refused (authentication, host key or proxy login).'

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
        process.exitCode = exitCodeFor(e)
      }
    })
}
