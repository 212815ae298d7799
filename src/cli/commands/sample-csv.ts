/**
 * `bulk-upload sample-csv` and `bulk-upload layout show|import|forget`: the platform layout of
 * a destination from the command line. The platform's mapping is set up once from a sample
 * CSV and reads every later CSV by it (DESIGN.md), so the user needs that sample, and a way to
 * tell the app which layout the platform was set up with when it was not the app's first upload.
 * Exit 0: done; 2: bad invocation or unreadable input (nothing is written then).
 */
import path from 'node:path'
import { stat } from 'node:fs/promises'
import { InvalidArgumentError, type Command } from 'commander'
import { FIELD_LABELS, MAPPED_FIELDS, type MappingProfile, type PlatformLayout } from '../../api'
import { appHome } from '../../app-home'
import { previewCsv, scanPaths } from '../../batch'
import { compareLayout, layoutChangedDetail, layoutFromSource, sameLayout, sampleCsvText } from '../../batch/platform-layout'
import { AppError, toAppError } from '../../errors'
import type { DestinationAddress } from '../../ledger/destination-key'
import { forgetLayout, layoutPath, readLayout, saveLayout } from '../../ledger/layout-store'
import { chooseCsv, chooseMapping, type BatchInputOptions } from '../batch-input'
import { bold, dim, green, yellow } from '../terminal'
import { action } from '../command-action'
import { writeOwnerOnlyFile } from '../../atomic-file'

interface DestinationOptions {
  host: string
  port: number
  user: string
  remoteDir?: string
}

interface SampleOptions extends DestinationOptions, BatchInputOptions {
  from?: string
  record?: boolean
}

interface ImportOptions extends DestinationOptions, BatchInputOptions {}

function port(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError(`Expected \`port\` to be a whole number from 1 to 65535, got \`${value}\`.`)
  return n
}

/** The options naming a destination, as `upload` spells them: the same flags find the same layout. */
function destinationOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--host <host>', 'the SFTP host name the platform gave you')
    .option('--port <n>', 'the SFTP port', port, 22)
    .requiredOption('--user <name>', 'the SFTP user name the platform gave you')
    .option('--remote-dir <dir>', 'remote folder, as given to upload (default: the login folder)')
}

function mappingOptions(cmd: Command): Command {
  return cmd
    .option('--mapping <file>', 'a mapping profile (JSON)')
    .option('--map <field=column>', 'map one field to a column, e.g. --map agentId="Agent Email" (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
}

const address = (o: DestinationOptions): DestinationAddress => ({ host: o.host, port: o.port, username: o.user, remoteDir: o.remoteDir ?? '' })
const label = (o: DestinationOptions): string => `${o.user}@${o.host}:${o.port}${o.remoteDir ? ` (folder ${o.remoteDir})` : ''}`

function describeLayout(layout: PlatformLayout): string[] {
  const width = Math.max(...layout.columns.map((c) => c.name.length))
  return layout.columns.map((c, i) => `  ${String(i + 1).padStart(2)}  ${c.name.padEnd(width)}  ${c.field ? FIELD_LABELS[c.field] : dim('(extra column)')}`)
}

/** A source CSV's header and the mapping it is read with: a CSV file, or a folder and --csv. */
async function readSource(from: string, opts: BatchInputOptions): Promise<{ csvPath: string; headers: string[]; mapping: MappingProfile; suggested: boolean; audioHint: string | undefined }> {
  const st = await stat(from).catch(() => null)
  if (!st) throw new AppError('FILE_NOT_FOUND', `${from} does not exist. Give the folder of the batch or its CSV file.`)
  const csvPath = st.isDirectory() ? await chooseCsv(path.resolve(from), opts.csv === undefined ? await scanPaths([path.resolve(from)]) : { roots: [], csvFiles: [], recordings: [], skipped: 0, unsafeLinks: [] }, opts.csv) : path.resolve(from)
  const { mapping, suggested } = await chooseMapping(csvPath, opts)
  const preview = await previewCsv(csvPath)
  const hint = preview.suggestion.audioFilename
  const used = Object.values(mapping)
  const audioHint = !mapping.audioFilename && hint !== undefined && !used.includes(hint) ? hint : undefined
  return { csvPath, headers: preview.headers, mapping, suggested, audioHint }
}

function printSourceNotes(src: { mapping: MappingProfile; suggested: boolean; audioHint: string | undefined }): void {
  if (src.suggested) {
    const named = MAPPED_FIELDS.filter((f) => src.mapping[f]).map((f) => `${f}="${src.mapping[f]}"`)
    process.stderr.write(dim(`Mapping (columns you did not name were suggested from the header): ${named.join(', ')}\n`))
  }
  if (src.audioHint !== undefined) {
    process.stderr.write(yellow(`"${src.audioHint}" looks like the recordings' file names but is not mapped: if the platform maps it as Audio filename, add --map audioFilename="${src.audioHint}".\n`))
  }
}

/**
 * Writes the sample where the user asked; failures say what to do about this computer's file.
 * Created new (exclusive, 0600) beside the target and renamed over it, so a symbolic link at
 * OUT is replaced, never followed: the file it points to stays as it was.
 */
async function writeOutput(out: string, text: string): Promise<string> {
  const target = path.resolve(out)
  try {
    if ((await stat(target).catch(() => null))?.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' })
    await writeOwnerOnlyFile(target, text, { appFolder: false })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new AppError('LOCAL_DISK_FULL', `Could not write ${target}: ${(err as Error).message}`)
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new AppError('BAD_ARGUMENT', `Could not write ${target}: its folder does not exist. Choose a file in a folder that exists.`)
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
      throw new AppError('BAD_ARGUMENT', `Could not write ${target} (${code}). Choose a file in a folder you can write to.`)
    }
    throw toAppError(err)
  }
  return target
}

async function runSampleCsv(out: string, opts: SampleOptions): Promise<void> {
  const home = appHome()
  const dest = address(opts)
  const recorded = await readLayout(home, dest)
  let layout: PlatformLayout
  if (opts.record && opts.from === undefined) throw new AppError('BAD_ARGUMENT', '--record keeps the layout built by --from: give --from FOLDER_OR_CSV too.')
  if (opts.from !== undefined) {
    const src = await readSource(opts.from, opts)
    if (path.resolve(out) === src.csvPath) throw new AppError('BAD_ARGUMENT', `The sample would replace the source CSV ${src.csvPath}. Choose another file name for the sample.`)
    printSourceNotes(src)
    layout = layoutFromSource(src.headers, src.mapping)
    if (recorded && !sameLayout(recorded, layout)) {
      const diff = compareLayout(recorded, src.headers, src.mapping)
      const how = diff ? layoutChangedDetail(diff) : 'the same columns, named or ordered differently'
      process.stderr.write(yellow(`The layout recorded for ${label(opts)} differs from this CSV's: ${how}.${opts.record ? '' : ' The sample follows the CSV; run without --from for the recorded layout, or add --record to replace it.'}\n`))
    }
  } else if (recorded) {
    layout = recorded
  } else {
    throw new AppError(
      'BAD_ARGUMENT',
      `No platform layout is recorded for ${label(opts)} yet. Build the sample from your CSV with --from FOLDER_OR_CSV (add --record to keep it as this destination's layout), or record the sample CSV you gave the platform with: bulk-upload layout import SAMPLE.csv --host ${opts.host} --user ${opts.user}`,
    )
  }
  const written = await writeOutput(out, sampleCsvText(layout))
  if (opts.record && !(recorded && sameLayout(recorded, layout))) await saveLayout(home, dest, layout)
  const lines = [`${green('Wrote')} ${written}: the header and 3 example rows, ${layout.columns.length} columns:`, ...describeLayout(layout), '']
  if (opts.from === undefined) lines.push(dim(`This is the layout recorded for ${label(opts)} on ${layout.recordedAt}.`))
  else if (opts.record) lines.push(`Recorded as the platform layout of ${label(opts)}: later uploads are written in it.`)
  else lines.push(dim(`Not recorded: the first upload to ${label(opts)} records its layout (or add --record).`))
  lines.push('Give this file to the platform\'s Setup step to map its columns; later CSVs are sent in the same layout.')
  process.stdout.write(lines.join('\n') + '\n')
}

async function runShow(opts: DestinationOptions & { json?: boolean }): Promise<void> {
  const dest = address(opts)
  const layout = await readLayout(appHome(), dest)
  if (opts.json) {
    process.stdout.write(JSON.stringify({ destination: { host: opts.host, port: opts.port, user: opts.user, remoteDir: dest.remoteDir }, layout }) + '\n')
    return
  }
  if (!layout) {
    process.stdout.write(`No platform layout is recorded for ${label(opts)} yet: the first upload records it, or record the sample CSV you gave the platform with bulk-upload layout import.\n`)
    return
  }
  process.stdout.write([`${bold('Platform layout')} of ${label(opts)}, recorded ${layout.recordedAt}:`, ...describeLayout(layout), dim(`Kept in ${layoutPath(appHome(), dest)}`), ''].join('\n'))
}

async function runImport(sample: string, opts: ImportOptions): Promise<void> {
  const st = await stat(sample).catch(() => null)
  if (!st?.isFile()) throw new AppError('FILE_NOT_FOUND', `The sample CSV ${sample} does not exist or is not a file. Give the CSV you uploaded in the platform's Setup step.`)
  const home = appHome()
  const dest = address(opts)
  const src = await readSource(sample, opts)
  printSourceNotes(src)
  const layout = layoutFromSource(src.headers, src.mapping)
  const before = await readLayout(home, dest).catch(() => null) // a damaged one is being replaced
  if (before && sameLayout(before, layout)) {
    process.stdout.write(`${label(opts)} already has this layout (recorded ${before.recordedAt}); nothing changed.\n`)
    return
  }
  await saveLayout(home, dest, layout)
  const lines = [`${green('Recorded')} the platform layout of ${label(opts)}${before ? ' (it replaces the earlier one)' : ''}:`, ...describeLayout(layout), '']
  lines.push('Later uploads to this destination are written in this layout.')
  process.stdout.write(lines.join('\n') + '\n')
}

/** Registers `sample-csv` and `layout show|import|forget`. */
export function registerSampleCsv(program: Command): void {
  const sample = program
    .command('sample-csv')
    .description('Write the sample CSV to give the platform\'s Setup step, in the layout later uploads to this destination use.')
    .argument('<out.csv>', 'the file to write')
  destinationOptions(sample)
    .option('--from <folder-or-csv>', 'build the layout from this batch\'s CSV instead of the recorded one')
    .option('--csv <file>', 'with a folder for --from: the CSV of conversations (default: the only CSV at its top)')
  mappingOptions(sample)
    .option('--date-format <fmt>', 'accepted as for check; not needed for the layout')
    .option('--timezone <zone>', 'accepted as for check; not needed for the layout')
    .option('--record', 'with --from: keep this layout as the destination\'s platform layout')
    .addHelpText('after', '\nWithout --from, the layout recorded for the destination is used (by its first upload or by layout import).\nExit codes: 0 written, 2 bad invocation, unreadable input or no layout recorded.')
    .action(action((out: string, opts: SampleOptions) => runSampleCsv(out, opts)))

  const layout = program.command('layout').description('The CSV layout the platform\'s mapping was set up with, per destination.')
  destinationOptions(layout.command('show').description('Print the platform layout recorded for a destination.'))
    .option('--json', 'print one JSON object ({"layout": null} when none is recorded)')
    .action(action((opts: DestinationOptions & { json?: boolean }) => runShow(opts)))
  const imp = layout
    .command('import')
    .description('Record the sample CSV you gave the platform\'s Setup step as the destination\'s layout.')
    .argument('<sample.csv>', 'the sample CSV the platform\'s mapping was made from')
  mappingOptions(destinationOptions(imp))
    .addHelpText('after', '\nFields you do not name with --map or --mapping are suggested from the header.')
    .action(action((file: string, opts: ImportOptions) => runImport(file, opts)))
  destinationOptions(layout.command('forget').description('Forget the recorded layout: the next upload records it again.'))
    .action(
      action(async (opts: DestinationOptions) => {
        await forgetLayout(appHome(), address(opts))
        process.stdout.write(`Forgot the platform layout of ${label(opts)}; the next upload to it records the layout again.\n`)
      }),
    )
}
