/**
 * `bulk-upload upload <folder>`: checks the batch (same rules as `check`), then uploads the
 * recordings and, last, the CSV. Running the same command again resumes the same batch.
 */
import path from 'node:path'
import { stat } from 'node:fs/promises'
import type { Command } from 'commander'
import type { BatchSummary } from '../../api'
import { AppError, type AppErrorPayload } from '../../errors'
import { NOT_OFFERED_MESSAGE } from '../../ssh/host-trust'
import type { ChannelPool } from '../../ssh/channel-pool'
import { openDestinationPool, type UploadResult } from '../../transfer/upload'
import { EXIT, exitCodeFor } from '../exit-codes'
import { ProgressDisplay } from '../progress-display'
import { addSendOptions } from '../send-options'
import { bold, formatBytes, formatWhen, green, printError, red, yellow } from '../terminal'
import { prepareBatch, prepareSender, sendBatch, type Sender, type SendOptions } from '../upload-batch'

interface UploadOptions extends SendOptions {
  json?: boolean
}

/** Refusals: the server, its identity or the proxy said no; running again will not help (exit 4). */

async function runUpload(folderArg: string, opts: UploadOptions): Promise<number> {
  const folder = path.resolve(folderArg)
  if (!(await stat(folder).catch(() => null))?.isDirectory()) {
    throw new AppError('FILE_NOT_FOUND', `The folder ${folderArg} does not exist or is not a folder.`)
  }
  const sender = await prepareSender(opts)
  // Logging in overlaps the check; every way out below closes it (closing twice is harmless).
  const pool = openDestinationPool(sender.destination, opts.concurrency)
  try {
    return await checkAndSend(folderArg, folder, sender, pool, opts)
  } finally {
    pool.closeAll()
  }
}

async function checkAndSend(folderArg: string, folder: string, sender: Sender, pool: ChannelPool, opts: UploadOptions): Promise<number> {
  const batch = await prepareBatch(folder, opts)
  if (!batch.ready) {
    process.stderr.write(`${red('Not uploaded:')} ${batch.why}\nRun \`bulk-upload check ${folderArg}\` to see every problem.\n`)
    return batch.exit
  }
  const { report } = batch.checked
  if (!opts.json && report.excluded > 0) {
    process.stderr.write(yellow(`${report.excluded} of ${report.conversations} rows have errors and will be left out (see the report, or run check).\n`))
  }

  const display = opts.json ? null : new ProgressDisplay()
  const job = await sendBatch(sender, batch, opts, display ? display.handle : undefined, pool)
  // Ctrl+C (or SIGTERM) stops sending and never starts the CSV phase; the journal is kept,
  // so the same command finishes the batch. A second one quits at once.
  let signals = 0
  const onSignal = () => {
    if (++signals > 1) process.exit(EXIT.INTERRUPTED)
    display?.note('Cancelling: stopping the files in flight; the CSV will not be sent (Ctrl+C again quits at once)...')
    job.cancel()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const result = await job.done.finally(() => {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
    display?.finish()
  })

  if (opts.json) printJson(result.summary, result.nothingNew, result.stoppedBy)
  if (result.layoutChanged && !opts.json) {
    const kept = opts.adoptLayout ? 'This CSV\'s columns are now the destination\'s layout: update the mapping in the platform to match.' : 'The CSV was written in the platform\'s layout; --adopt-layout makes this CSV\'s columns the new one.'
    process.stderr.write(`${yellow('Columns changed:')} ${result.layoutChanged}\n${kept}\n`)
  }
  for (const ignored of result.ignoredOnServer ?? []) {
    process.stderr.write(`${yellow('Left alone:')} ${ignored.name} on the server is named like this app's CSVs, but ${ignored.reason}. It was not read and does not count as delivered.\n`)
  }
  if (result.reportError) process.stderr.write(`${yellow('The report could not be saved:')} ${result.reportError.message}\n`)
  if (result.stoppedBy) return stopped(result.stoppedBy, opts)
  if (result.nothingNew) {
    if (!opts.json) printNothingNew(result)
    // Rows with errors are still left out, as on the first run: the exit says so again.
    return result.summary.excluded > 0 ? EXIT.PROBLEMS : EXIT.OK
  }
  if (!opts.json) printSummary(result.summary)
  return result.summary.excluded > 0 || result.summary.failed > 0 ? EXIT.PROBLEMS : EXIT.OK
}

function printNothingNew(result: UploadResult): void {
  const last = result.deliveredBefore[0]
  const when = last ? ` on ${formatWhen(last.deliveredAt)} in ${last.csvName}` : ''
  const lines = [green(`Nothing new to send: all ${result.summary.alreadyDelivered} rows were already delivered to this destination${when}.`)]
  if (result.deliveredBefore.length > 1) lines.push(`  Delivered in ${result.deliveredBefore.length} CSVs: ${result.deliveredBefore.map((d) => d.csvName).join(', ')}`)
  if (last?.reportCsv) lines.push(`  Report    ${last.reportCsv}`)
  lines.push('  No CSV was sent. To send these rows again on purpose, add --resend-delivered.')
  process.stdout.write(lines.join('\n') + '\n')
}

function printJson(s: BatchSummary, nothingNew: boolean, stoppedBy: AppErrorPayload | null): void {
  const { batchId, uploaded, skipped, excluded, failed, csv, bytes, seconds, alreadyDelivered } = s
  process.stdout.write(JSON.stringify({ batch: batchId, uploaded, sentEarlier: s.sentEarlier ?? 0, skipped, excluded, failed, alreadyDelivered: alreadyDelivered ?? 0, nothingNew, csv, bytes, seconds, report: s.reportJson, ...(stoppedBy ? { error: stoppedBy } : {}) }) + '\n')
}

function printSummary(s: BatchSummary): void {
  const lines = [s.failed > 0 ? yellow(bold('Upload finished with failures: the failed rows were left out of the CSV.')) : green(bold('Upload complete.'))]
  lines.push(
    `  Uploaded  ${s.uploaded} rows (${formatBytes(s.bytes)} in ${s.seconds} s)`,
    ...(s.sentEarlier ? [`  Resumed   ${s.sentEarlier} rows whose recording this batch sent before it was interrupted`] : []),
    `  Skipped   ${s.skipped} rows whose recording was already on the server before this batch`,
    `  Excluded  ${s.excluded} rows with errors`,
    `  Failed    ${s.failed} rows${s.failed > 0 ? ' (run the same command again to retry them)' : ''}`,
  )
  if (s.alreadyDelivered) lines.push(`  Earlier   ${s.alreadyDelivered} rows already delivered to this destination, left out`)
  lines.push(
    `  CSV       ${s.csv ?? 'not uploaded'}`,
    `  Report    ${s.reportCsv}`,
  )
  process.stdout.write(lines.join('\n') + '\n')
}

function stopped(error: AppErrorPayload, opts: UploadOptions): number {
  process.stderr.write(`${red('Stopped:')} ${error.message}${error.details ? `\n  ${error.details}` : ''}\n`)
  if (error.code === 'HOST_KEY_UNKNOWN' && error.message === NOT_OFFERED_MESSAGE) {
    // --trust-new-host trusts a first connection only; this host already has a pin.
    process.stderr.write(`Once your platform confirms that fingerprint, add the key to ${opts.knownHosts ?? 'the known_hosts file'} (ssh-keyscan -p ${opts.port} ${opts.host}), or confirm it in the app.\n`)
  } else if (error.code === 'HOST_KEY_UNKNOWN') {
    process.stderr.write(`If that fingerprint is the one your platform shows, run again with --trust-new-host, or add the server to ${opts.knownHosts ?? 'the known_hosts file'} (ssh-keyscan -p ${opts.port} ${opts.host}).\n`)
  }
  const exit = exitCodeFor(error)
  if (exit === EXIT.INTERRUPTED && error.code !== 'CANCELLED') process.stderr.write('Nothing was lost: run the same command again to resume.\n')
  return exit
}

export function registerUpload(program: Command): void {
  const command = program
    .command('upload')
    .description('Check a folder of recordings and its CSV, then upload them over SFTP: recordings first, the CSV last.')
    .argument('<folder>', 'the folder holding the recordings (and the CSV, unless --csv names it)')
  addSendOptions(command)
  command
    .option('--json', 'print one JSON summary object on stdout')
    .option('--resend-delivered', 'send again rows already delivered to this destination (they are left out by default)')
    .option('--adopt-layout', 'write the CSV in this source\'s columns and make them the destination\'s layout (update the platform\'s mapping too)')
    .addHelpText('after', '\nExit codes: 0 every eligible row reached the platform in a CSV (now or earlier); 1 finished, but rows were\nexcluded or failed (failed ones are retried by the next run); 2 bad invocation, unreadable input, or local data a rerun cannot fix (the message\nnames the file), nothing sent; 3 interrupted or cancelled (run the same command again to finish); 4 refused (authentication, or the host key\nis unknown or changed).')
    .action(async (folder: string, opts: UploadOptions) => {
      try {
        process.exitCode = await runUpload(folder, opts)
      } catch (err) {
        const e = printError(err)
        if (opts.json) process.stdout.write(JSON.stringify({ error: e.toPayload() }) + '\n')
        process.exitCode = exitCodeFor(e)
      }
    })
}
