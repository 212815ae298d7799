/**
 * `bulk-upload check <folder>`: checks a batch without sending anything, for people and for
 * scripts. Human output (colours only on a terminal) or, with --json, exactly one JSON object.
 * Exit 0: no errors (warnings allowed); 1: errors found; 2: unusable invocation or input.
 */
import path from 'node:path'
import { readdir, stat } from 'node:fs/promises'
import type { Command } from 'commander'
import { MAPPED_FIELDS, type AgentReport, type AudioSummary, type IssueCode, type MappingProfile, type ValidationIssue } from '../../api'
import { AppError } from '../../errors'
import { ISSUE_RULES, classifyName, isHiddenOrSystem, scanPaths, severityOf, validateBatch, type CheckedBatch, type FolderScan } from '../../batch'
import { readKnownAgents } from '../../agents/known-agents-store'
import { resolveDestination } from '../destination-flags'
import { EXIT, exitCodeFor } from '../exit-codes'
import { appHome } from '../../app-home'
import { checkForDestination } from '../../ledger/destination-checks'
import { readLayout } from '../../ledger/layout-store'
import { openDestinationLedger } from '../../ledger/destination-ledger'
import { addSourceDateOptions, LEDGER_OPTION } from '../send-options'
import { ledgerLocation } from '../../ledger/ledger-location'
import { chooseCsv, chooseMapping, type BatchInputOptions } from '../batch-input'
import { clockText as clock } from '../../batch/duration-checks'
import { bold, dim, eraseLine, green, lineStart, printError, red, yellow } from '../terminal'

interface CheckOptions extends BatchInputOptions {
  json?: boolean
  host?: string
  port: number
  user?: string
  remoteDir?: string
  destination?: string
  resendDelivered?: boolean
  strictAgents?: boolean
  ledger?: string
}

/**
 * With a destination (--host and --user), rows already delivered there are flagged and the
 * platform layout compared, exactly as `upload` will do; without one, the batch alone.
 */
async function forDestination(checked: CheckedBatch, opts: CheckOptions): Promise<CheckedBatch> {
  if (!opts.host && !opts.user && opts.destination === undefined) {
    if (opts.strictAgents) throw new AppError('BAD_ARGUMENT', '--strict-agents checks agents against a destination\'s list: name the destination too (--destination NAME, or --host and --user).')
    return checked
  }
  if (opts.destination === undefined && (!opts.host || !opts.user)) throw new AppError('BAD_ARGUMENT', 'Give both --host and --user to check against a destination (or neither).')
  const dest = (await resolveDestination(appHome(), opts)).address
  const agents = await readKnownAgents(appHome(), dest)
  const ledger = await openDestinationLedger(appHome(), dest, ledgerLocation(opts.ledger))
  try {
    return checkForDestination(checked, { ledger: ledger.records, layout: await readLayout(appHome(), dest), resendDelivered: Boolean(opts.resendDelivered), agents, strictAgents: Boolean(opts.strictAgents) })
  } finally {
    await ledger.close()
  }
}

/** Problem rows shown per code in the human output. */
const SHOWN_PER_CODE = 5
const ENCODING_NAMES = { 'utf-8': 'UTF-8', 'utf-8-bom': 'UTF-8 with BOM', 'utf-16le': 'UTF-16 LE', 'utf-16be': 'UTF-16 BE', 'windows-1252': 'Windows-1252' }
const DELIMITER_NAMES = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' }

/** "12:04:33 in 140 recordings (min 0:05, median 4:10, max 31:02)". */
export function audioLine(a: AudioSummary): string {
  return `${clock(a.totalSeconds)} in ${a.recordings} recordings (min ${clock(a.minSeconds ?? 0)}, median ${clock(a.medianSeconds ?? 0)}, max ${clock(a.maxSeconds ?? 0)})`
}

/** Agents listed per batch in the human output (--json carries up to 1,000). */
const AGENTS_SHOWN = 20

/** The agents concerned, with their rows and where to create their mappings. */
export function agentLines(a: AgentReport): string[] {
  if (a.code === null) return []
  const what = a.code === 'UNKNOWN_AGENT'
    ? `${a.concernedTotal} of ${a.distinct} agents are not on this destination's list (${a.listSize} agents)${a.strict ? ': their rows are left out' : ''}:`
    : `${a.concernedTotal} of ${a.distinct} agents are not confirmed for this destination (no agent list imported; bulk-upload agents confirm remembers them):`
  const out = [what]
  for (const c of a.concerned.slice(0, AGENTS_SHOWN)) out.push(`      ${c.agent}  ${c.rows} ${c.rows === 1 ? 'row' : 'rows'}`)
  if (a.concernedTotal > AGENTS_SHOWN) out.push(dim(`      ... and ${a.concernedTotal - AGENTS_SHOWN} more (use --json for the list)`))
  out.push(`    ${a.whereToMap}`)
  return out
}

function printHuman(checked: CheckedBatch, folder: string, mapping: MappingProfile, suggested: boolean): void {
  const { report, manifest, issues } = checked
  const out: string[] = []
  const kb = (n: number): string => (n >= 1 << 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : n >= 1 << 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`)
  const rel = path.relative(process.cwd(), manifest.csvPath)
  out.push(`${bold('Checked')} ${rel && !rel.startsWith('..') ? rel : manifest.csvPath} (${ENCODING_NAMES[manifest.encoding]}, ${DELIMITER_NAMES[manifest.delimiter]}) with the recordings in ${folder}`)
  if (suggested) {
    out.push(dim(`Mapping (columns you did not name were suggested from the header): ${MAPPED_FIELDS.filter((f) => mapping[f]).map((f) => `${f}="${mapping[f]}"`).join(', ')}`))
  }
  out.push('')
  out.push(`  Conversations  ${report.conversations}`)
  out.push(`  Eligible       ${report.eligible}`)
  out.push(`  Excluded       ${report.excluded}`)
  out.push(`  Recordings     ${report.recordings} found, ${manifest.recordings.length} to upload (${kb(report.eligibleBytes)})`)
  out.push(`  Orphans        ${report.orphans}`)
  if (report.audio && report.audio.recordings > 0) out.push(`  Audio          ${audioLine(report.audio)}`)
  const strict = report.agents?.strict ?? false
  const paint = { error: red, warning: yellow, notice: (t: string) => t }
  for (const severity of ['error', 'warning', 'notice'] as const) {
    // Blocking problems first: they are why nothing can be sent.
    const codes = (Object.keys(report.counts) as IssueCode[]).filter((c) => severityOf(c, strict) === severity).sort((a, b) => Number(ISSUE_RULES[b].blocks) - Number(ISSUE_RULES[a].blocks))
    if (codes.length === 0) continue
    out.push('', bold(severity === 'error' ? red('Errors') : severity === 'warning' ? yellow('Warnings') : 'Notices'))
    for (const code of codes) {
      const n = report.counts[code] ?? 0
      out.push(`  ${paint[severity](code.padEnd(24))} ${String(n).padStart(8)}  ${ISSUE_RULES[code].title}`)
      if (code === report.agents?.code) {
        out.push(...agentLines(report.agents).map((l) => `    ${l}`))
        continue
      }
      const shown = issues.filter((i) => i.code === code).slice(0, SHOWN_PER_CODE)
      for (const i of shown) out.push(dim(`      ${i.row !== null ? `row ${i.row}: ` : ''}`) + i.message)
      if (n > shown.length) out.push(dim(`      ... and ${n - shown.length} more (use --json for the full list)`))
    }
  }
  out.push('')
  const errors = (Object.keys(report.counts) as IssueCode[]).some((c) => severityOf(c, strict) === 'error')
  const delivered = report.alreadyDelivered ?? 0
  if (delivered > 0) {
    const last = report.deliveredBefore?.[0]
    out.push(yellow(`${delivered} rows were already delivered to this destination${last ? ` (last in ${last.csvName} on ${last.deliveredAt.slice(0, 10)})` : ''} and will be left out.`))
  }
  if (report.eligible === 0 && delivered > 0 && !errors) out.push(green('Nothing new to send: every row was delivered before.'))
  else if (report.ready && !errors) out.push(green(`Ready: all ${report.eligible} conversations can be uploaded.`))
  else if (report.ready) out.push(yellow(`Ready with exclusions: ${report.eligible} conversations can be uploaded; ${report.excluded} rows will be left out unless you fix them.`))
  else out.push(red('Not ready: fix the errors above in the CSV or the folder, then run check again.'))
  process.stdout.write(out.join('\n') + '\n')
}

function progressPrinter(enabled: boolean): ((p: { bytesRead: number; totalBytes: number; rows: number }) => void) | undefined {
  if (!enabled) return undefined
  return (p) => {
    const pct = p.totalBytes > 0 ? Math.floor((p.bytesRead / p.totalBytes) * 100) : 100
    process.stderr.write(`${lineStart()}Checking... ${pct}% (${p.rows} rows)`)
  }
}

const EMPTY_SCAN: FolderScan = { roots: [], csvFiles: [], recordings: [], skipped: 0, unsafeLinks: [] }

/**
 * The CSVs at the top of the folder, for chooseCsv, from one readdir: the full scan then runs
 * inside validateBatch, alongside the CSV pass, instead of before it. Only when there is none
 * is the whole folder scanned, to name the CSVs in sub-folders.
 */
async function topLevelCsvs(folder: string): Promise<FolderScan> {
  const entries = await readdir(folder, { withFileTypes: true })
  const csvFiles = entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && !isHiddenOrSystem(e.name) && classifyName(e.name).kind === 'csv')
    .map((e) => ({ path: path.join(folder, e.name), relPath: e.name, size: 0, mtimeMs: 0, root: folder }))
    .sort((a, b) => (a.relPath < b.relPath ? -1 : 1))
  return csvFiles.length > 0 ? { ...EMPTY_SCAN, roots: [folder], csvFiles } : scanPaths([folder])
}

async function runCheck(folderArg: string, opts: CheckOptions): Promise<number> {
  const folder = path.resolve(folderArg)
  const st = await stat(folder).catch(() => null)
  if (!st?.isDirectory()) throw new AppError('FILE_NOT_FOUND', `The folder ${folderArg} does not exist or is not a folder. Give the folder holding the recordings and the CSV.`)
  const csvPath = await chooseCsv(folder, opts.csv === undefined ? await topLevelCsvs(folder) : EMPTY_SCAN, opts.csv)
  const { mapping, suggested } = await chooseMapping(csvPath, opts)
  const showProgress = !opts.json && Boolean(process.stderr.isTTY)
  const checked = await forDestination(await validateBatch({ paths: [folder], csvPath, mapping }, { onProgress: progressPrinter(showProgress) }), opts)
  if (showProgress) process.stderr.write(`${lineStart()}${eraseLine()}`)
  const hasErrors = Object.keys(checked.report.counts).some((c) => severityOf(c as IssueCode, checked.report.agents?.strict ?? false) === 'error')
  if (opts.json) {
    const { report, manifest } = checked
    const json = {
      ready: report.ready,
      conversations: report.conversations,
      eligible: report.eligible,
      excluded: report.excluded,
      alreadyDelivered: report.alreadyDelivered ?? 0,
      recordings: report.recordings,
      toUpload: manifest.recordings.length,
      orphans: report.orphans,
      audio: report.audio ?? null,
      agents: report.agents ?? null,
      csv: manifest.csvPath,
      encoding: manifest.encoding,
      delimiter: manifest.delimiter,
      mapping,
      counts: report.counts,
      issuesOmitted: checked.issuesOmitted,
      issues: checked.issues.map((i: ValidationIssue) => ({ severity: i.severity, code: i.code, row: i.row, file: i.file, message: i.message })),
    }
    process.stdout.write(JSON.stringify(json) + '\n')
  } else printHuman(checked, folder, mapping, suggested)
  return hasErrors ? EXIT.PROBLEMS : EXIT.OK
}

/** Registers `check`. Every failure ends as a sentence and exit 2, never a stack trace. */
export function registerCheck(program: Command): void {
  const command = program
    .command('check')
    .description('Check a folder of recordings and its CSV without uploading anything.')
    .argument('<folder>', 'the folder holding the recordings (and the CSV, unless --csv names it)')
    .option('--csv <file>', 'the CSV of conversations (default: the only CSV at the top of the folder)')
    .option('--mapping <file>', 'a mapping profile (JSON: {"contactReference": "...", "agentId": "...", "contactDate": "...", "audioFilename": "..."})')
    .option('--map <field=column>', 'map one field to a column, e.g. --map agentId="Agent Email" (repeatable); --map duration=COLUMN checks stated call durations against the recordings', (v: string, acc: string[]) => [...acc, v], [] as string[])
  addSourceDateOptions(command)
    .option('--host <host>', 'check against this destination too: rows already delivered there are flagged (with --user)')
    .option('--port <n>', 'the destination\'s SFTP port', (v: string) => Number(v), 22)
    .option('--user <name>', 'the destination\'s SFTP user name')
    .option('--remote-dir <dir>', 'the destination\'s remote folder (default: the login folder)')
    .option('--destination <name>', 'check against a destination saved in the app, by its name (instead of --host and --user)')
    .option('--resend-delivered', 'count rows already delivered as eligible (as upload --resend-delivered would send them)')
    .option('--strict-agents', 'agents not on the destination\'s agent list are errors (their rows are left out), whatever its setting')
    .option(LEDGER_OPTION.flags, LEDGER_OPTION.description)
    .option('--json', 'print exactly one JSON object')
    .addHelpText('after', '\nExit codes: 0 no errors (warnings allowed), 1 errors found, 2 unusable invocation or input.')
    .action(async (folder: string, opts: CheckOptions) => {
      try {
        process.exitCode = await runCheck(folder, opts)
      } catch (err) {
        const e = printError(err)
        if (opts.json) process.stdout.write(JSON.stringify({ ready: false, error: e.toPayload() }) + '\n')
        process.exitCode = exitCodeFor(e)
      }
    })
}
