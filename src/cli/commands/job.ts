/**
 * `bulk-upload job save|list|run|remove|show`: a `watch --once` saved by name, for cron,
 * systemd timers and Windows Task Scheduler to run unattended.
 */
import path from 'node:path'
import { stat } from 'node:fs/promises'
import type { Command } from 'commander'
import { appHome } from '../../app-home'
import { AppError, toAppError } from '../../errors'
import { EXIT, exitCodeFor } from '../exit-codes'
import { appendRunLog } from '../run-log'
import { checkJobName, listJobs, loadJob, recordLastRun, removeJob, saveJob, type SavedJob } from '../../jobs/job-store'
import { cronLine, schtasksCommand, systemdUnits, type SchedulerContext } from '../../jobs/schedulers'
import { formatWhen, green, printError } from '../terminal'
import { parseBandwidthLimit } from '../../ssh/rate-limiter'
import { parseProxyUrl, redact } from '../../ssh/proxy'
import type { BatchOutcome, WatchOptions } from '../watch/watch-run'
import { addWatchOptions, runWatch, WATCH_EXIT_HELP } from './watch'

/** Paths made absolute: a job runs from wherever the scheduler starts it. */
async function absolute(opts: WatchOptions): Promise<SavedJob['options']> {
  const { once, json, ...rest } = opts
  void once
  void json
  const out = { ...rest }
  const keyIsFile = Boolean((await stat(opts.key).catch(() => null))?.isFile())
  if (keyIsFile) out.key = path.resolve(opts.key)
  if (out.knownHosts) out.knownHosts = path.resolve(out.knownHosts)
  if (out.mapping) out.mapping = path.resolve(out.mapping)
  if (out.stateDir) out.stateDir = path.resolve(out.stateDir)
  return out
}

async function action(run: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await run()
  } catch (err) {
    const e = printError(err)
    process.exitCode = exitCodeFor(e)
  }
}

function context(name: string, at: string | undefined): SchedulerContext {
  return { name, node: process.execPath, script: path.resolve(process.argv[1] ?? 'bin/bulk-upload.js'), home: process.env.BULK_UPLOAD_HOME ? appHome() : null, ...(at ? { at } : {}) }
}

export function registerJob(program: Command): void {
  const job = program.command('job').description('Saved jobs: a watch --once stored by name, to run from cron, systemd or Task Scheduler.')

  const save = job.command('save').description('Save a job: the same options as watch.').argument('<name>').argument('<root>', 'the export folder the job watches')
  addWatchOptions(save).action((name: string, root: string, opts: WatchOptions) =>
    action(async () => {
      checkJobName(name)
      if (!(await stat(root).catch(() => null))?.isDirectory()) throw new AppError('FILE_NOT_FOUND', `The folder ${root} does not exist or is not a folder.`)
      if (opts.bwlimit) parseBandwidthLimit(opts.bwlimit)
      if (opts.proxy) parseProxyUrl(opts.proxy)
      const file = await saveJob({ version: 1, name, root: path.resolve(root), options: await absolute(opts), savedAt: new Date().toISOString(), lastRun: null })
      process.stdout.write(`${green('Saved')} job ${name} (${file}). Run it with: bulk-upload job run ${name}\nSchedule it: bulk-upload job show ${name} --systemd | --cron | --schtasks\n`)
      return EXIT.OK
    }),
  )

  job.command('list').description('The saved jobs and their last run.').option('--json', 'one JSON array on stdout').action((opts: { json?: boolean }) =>
    action(async () => {
      const jobs = await listJobs()
      if (opts.json) {
        process.stdout.write(JSON.stringify(jobs.map((j) => ({ name: j.name, root: j.root, destination: `${j.options.user}@${j.options.host}:${j.options.port}`, lastRun: j.lastRun }))) + '\n')
        return EXIT.OK
      }
      if (jobs.length === 0) process.stdout.write('No saved jobs. Save one with: bulk-upload job save NAME ROOT --host ... --user ... --key ...\n')
      for (const j of jobs) {
        const last = j.lastRun ? `last run ${formatWhen(j.lastRun.at)}: exit ${j.lastRun.exit}, ${j.lastRun.batches} batches, ${j.lastRun.uploaded} rows uploaded${j.lastRun.problem ? ` (${j.lastRun.problem})` : ''}` : 'never run'
        process.stdout.write(`${j.name}  ${j.root} -> ${j.options.user}@${j.options.host}:${j.options.port}${j.options.proxy ? ` via ${redact(j.options.proxy)}` : ''}  ${last}\n`)
      }
      return EXIT.OK
    }),
  )

  job.command('run').description('Run a saved job once (watch --once with its options).').argument('<name>').option('--json', 'one JSON line per batch')
    .addHelpText('after', WATCH_EXIT_HELP)
    .action((name: string, opts: { json?: boolean }) =>
      action(async () => {
        const saved = await loadJob(name)
        const outcomes: BatchOutcome[] = []
        const ended = async (code: number, problem: string | null) => {
          const uploaded = outcomes.reduce((n, o) => n + (o.uploaded ?? 0), 0)
          await recordLastRun(name, { at: new Date().toISOString(), exit: code, batches: outcomes.length, uploaded, problem })
          // The run log says which job a run's batch lines belong to (the app's Saved jobs reads the job's own record).
          await appendRunLog(`job ${name} ended: exit ${code}, ${outcomes.length} batches, ${uploaded} rows uploaded${problem ? `, ${problem}` : ''}`)
        }
        let code: number
        try {
          code = await runWatch(saved.root, { ...saved.options, once: true, json: Boolean(opts.json) }, (o) => outcomes.push(o))
        } catch (err) {
          // A run that could not start (a damaged known_hosts, a missing key) is a last run too: the app's Saved jobs shows it.
          const e = toAppError(err)
          await ended(exitCodeFor(e), e.message)
          throw e
        }
        await ended(code, outcomes.find((o) => o.error)?.error?.message ?? null)
        return code
      }),
    )

  job.command('remove').description('Remove a saved job (its deliveries stay in the ledger).').argument('<name>').action((name: string) =>
    action(async () => {
      await removeJob(name)
      process.stdout.write(`Removed job ${name}.\n`)
      return EXIT.OK
    }),
  )

  job.command('show').description('Print a saved job, or the scheduler entries that run it nightly.').argument('<name>')
    .option('--systemd', 'a systemd service and timer').option('--cron', 'a crontab line').option('--schtasks', 'a Windows Task Scheduler command')
    .option('--at <HH:MM>', 'the nightly time (local)', '02:00')
    .action((name: string, opts: { systemd?: boolean; cron?: boolean; schtasks?: boolean; at: string }) =>
      action(async () => {
        const saved = await loadJob(name)
        if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(opts.at)) throw new AppError('BAD_ARGUMENT', `Expected \`--at\` to be a time such as 02:00, got \`${opts.at}\`.`)
        const c = context(saved.name, opts.at)
        if (opts.systemd) process.stdout.write(systemdUnits(c) + '\n')
        if (opts.cron) process.stdout.write(cronLine(c) + '\n')
        if (opts.schtasks) process.stdout.write(schtasksCommand(c) + '\n')
        if (!opts.systemd && !opts.cron && !opts.schtasks) {
          const shown = { ...saved, options: { ...saved.options, ...(saved.options.proxy ? { proxy: redact(saved.options.proxy) } : {}) } }
          process.stdout.write(JSON.stringify(shown, null, 2) + '\n')
        }
        return EXIT.OK
      }),
    )
}
