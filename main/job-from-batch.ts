/**
 * "Do this automatically": a finished batch saved as a job in the same store as
 * `bulk-upload job save` (src/jobs/job-store.ts), so `bulk-upload job run NAME`, started by a
 * systemd timer, cron or Task Scheduler, sends the next exports the way the app sent this one:
 * same destination, key, pinned host key, mapping, speed limit, proxy and delivery ledger.
 */
import { existsSync, realpathSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { MAPPED_FIELDS, type Destination, type JobInfo, type JobInput, type Settings } from '../src/api'
import { AppError } from '../src/errors'
import { listJobs, removeJob, saveJob, type SavedJob } from '../src/jobs/job-store'
import { scheduleFor } from '../src/jobs/schedulers'
import { packagedLauncher } from '../src/cli-launcher'
import { formatProxyUrl, type ProxySpec } from '../src/ssh/proxy'
import { ledgerHasPassword, redactLedger, type LedgerLocation } from '../src/ledger/ledger-location'

/** The environment variable a job reads an encrypted key's passphrase from (no secret is stored). */
export const JOB_PASSPHRASE_ENV = 'BULK_UPLOAD_PASSPHRASE'

/** How a scheduler starts the command line on this computer. */
export interface CliInvocation {
  node: string
  script: string
  /** The installed app's `bulk-upload` launcher: when set, the entry runs it alone. */
  launcher?: string | null
}

/** What tells an installed desktop app from a clone: Electron's own fields on `process`. */
export interface RunningApp {
  /** Electron's version, absent under plain node. */
  electron?: string
  /** true under `electron .` (a clone), absent in a packaged app. */
  defaultApp?: boolean
  /** The packaged app's resources folder (holds app.asar and bin/). */
  resourcesPath?: string
  platform: NodeJS.Platform
  env: NodeJS.ProcessEnv
}

const runningApp = (): RunningApp => ({
  electron: process.versions.electron,
  defaultApp: (process as { defaultApp?: boolean }).defaultApp,
  resourcesPath: (process as { resourcesPath?: string }).resourcesPath,
  platform: process.platform,
  env: process.env,
})

/**
 * The `bulk-upload` launcher of the installed desktop app, or null from a clone. Linux packages
 * link it as /usr/bin/bulk-upload, which stays right across upgrades; an AppImage's own files
 * vanish when it exits, so its entry names where README's AppImage steps put the command.
 */
export function installedLauncher(app: RunningApp = runningApp(), exists: (p: string) => boolean = existsSync, realpath: (p: string) => string = (p) => realpathSync(p)): string | null {
  if (!app.electron || app.defaultApp || !app.resourcesPath) return null
  const launcher = packagedLauncher(app.resourcesPath, app.platform)
  if (app.platform !== 'linux') return launcher
  if (app.env.APPIMAGE) return path.join(app.env.HOME ?? os.homedir(), '.local', 'bin', 'bulk-upload')
  const linked = '/usr/bin/bulk-upload'
  try {
    if (exists(linked) && realpath(linked) === realpath(launcher)) return linked
  } catch {
    // an unreadable link: name the launcher itself
  }
  return launcher
}

/**
 * How "Do this automatically…" entries start the command: the installed app's launcher
 * (installedLauncher); from a clone, the `bulk-upload` script next to the running host: the web
 * host runs from bin/ (directly or through run-ts.js); otherwise the working folder's bin/.
 * Under `electron .` the binary is not a plain node, so the entry names `node` (on PATH).
 */
export function defaultCliInvocation(argv = process.argv, cwd = process.cwd(), app: RunningApp = runningApp()): CliInvocation {
  const launcher = installedLauncher(app)
  const first = argv[1] ? path.resolve(argv[1]) : ''
  const candidates = [first, path.join(path.dirname(first), 'bulk-upload.js'), path.join(cwd, 'bin', 'bulk-upload.js')]
  const script = candidates.find((c) => path.basename(c) === 'bulk-upload.js' && existsSync(c)) ?? path.join(cwd, 'bin', 'bulk-upload.js')
  return { node: app.electron ? 'node' : process.execPath, script, launcher }
}

export interface BatchJobContext {
  home: string
  destination: Destination
  settings: Settings
  /** The proxy the app uses for this destination now (the system's is resolved once, at saving). */
  proxy: ProxySpec | null
  /** The ledger the app uses for this destination: a team ledger's address, or null for this computer's own. */
  ledger: LedgerLocation
  keyEncrypted: boolean
}

/**
 * A job file names secrets, never holds them (as saveJob refuses a proxy password): a team
 * ledger address with a password is refused with the way out, the PostgreSQL password file,
 * which the app and the scheduled job both read.
 */
function checkLedgerForJob(ledger: LedgerLocation): void {
  if (ledger === null || !ledgerHasPassword(ledger)) return
  const bare = new URL(ledger)
  bare.password = ''
  throw new AppError('BAD_ARGUMENT', `A saved job does not keep the team ledger password of ${redactLedger(ledger)}.`, {
    message: `A saved job never keeps the team ledger's password in its file. In Settings → Team ledger, give the address without it (${bare.toString()}) and put the password in the PostgreSQL password file of this computer (~/.pgpass; %APPDATA%\\postgresql\\pgpass.conf on Windows), which the app and the job both read.`,
  })
}

/** The saved job for a batch: `watch --once` options that reproduce the app's upload. */
export function jobFromBatch(input: JobInput, c: BatchJobContext): SavedJob {
  checkLedgerForJob(c.ledger)
  const { mapping } = input.spec
  const d = c.destination
  const options: SavedJob['options'] = {
    map: MAPPED_FIELDS.filter((f) => mapping[f]).map((f) => `${f}=${mapping[f]!}`),
    ...(mapping.dateFormat ? { dateFormat: mapping.dateFormat } : {}),
    ...(mapping.timezone ? { timezone: mapping.timezone } : {}),
    host: d.host,
    port: d.port,
    user: d.username,
    // A key made or imported in the app is stored by name in the app home, which the job shares.
    key: d.keyName,
    ...(c.keyEncrypted ? { passphraseEnv: JOB_PASSPHRASE_ENV } : {}),
    knownHosts: path.join(c.home, 'known_hosts'),
    ...(d.remoteDir ? { remoteDir: d.remoteDir } : {}),
    ...(c.settings.concurrency !== null ? { concurrency: c.settings.concurrency } : {}),
    ...(c.settings.bandwidthLimit ? { bwlimit: c.settings.bandwidthLimit } : {}),
    // 'none' (and the sandbox, on this computer) is --no-proxy; a system setting without a
    // proxy leaves ALL_PROXY / HTTPS_PROXY to the scheduler's environment.
    ...(c.proxy ? { proxy: formatProxyUrl(c.proxy) } : c.settings.proxy === 'none' || d.sandbox ? { proxy: false as const } : {}),
    // Always named, 'local' included: a BULK_UPLOAD_LEDGER in the scheduler's environment must
    // not send the job to another ledger than the app's (rows would then go twice).
    ledger: c.ledger ?? 'local',
    csvName: '*.csv',
    interval: 60,
    settle: 60,
  }
  return { version: 1, name: input.name, root: path.resolve(input.root), options, savedAt: new Date().toISOString(), lastRun: null }
}

/** A saved job as the app lists it, with the scheduler entry for this computer. */
export function jobInfo(job: SavedJob, home: string, cli: CliInvocation, platform: NodeJS.Platform = process.platform): JobInfo {
  return {
    name: job.name,
    root: job.root,
    destination: `${job.options.user}@${job.options.host}:${job.options.port}`,
    savedAt: job.savedAt,
    lastRun: job.lastRun,
    // The home is always named: the scheduler's environment may not point where the app does.
    schedule: scheduleFor(platform, { name: job.name, node: cli.node, script: cli.script, launcher: cli.launcher ?? null, home }),
  }
}

/** The jobs the app shows: the store read and written for the app's home. */
export class JobsStore {
  constructor(
    private readonly home: string,
    private readonly cli: CliInvocation,
  ) {}

  async save(job: SavedJob): Promise<JobInfo> {
    await saveJob(job, this.home)
    return jobInfo(job, this.home, this.cli)
  }

  async list(): Promise<JobInfo[]> {
    const jobs = await listJobs(this.home).catch((err: unknown) => {
      throw new AppError('NOT_READABLE', `The saved jobs in ${path.join(this.home, 'jobs')} could not be read: ${String(err)}`, { cause: err })
    })
    return jobs.map((j) => jobInfo(j, this.home, this.cli))
  }

  remove(name: string): Promise<void> {
    return removeJob(name, this.home)
  }
}
