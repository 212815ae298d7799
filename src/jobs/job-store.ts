/**
 * Saved jobs: a `watch --once` with its options, stored by name in `<app home>/jobs/NAME.json`
 * (owner-only: it names the key file and may hold a proxy login), plus its last run. No key or
 * passphrase is stored: the key is a file path or a keygen name, the passphrase an env var name.
 * One store for both ways of saving a job: `bulk-upload job save` and the desktop app's
 * "Do this automatically" (main/job-from-batch.ts).
 */
import { mkdir, readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { appHome } from '../app-home'
import { AppError } from '../errors'
import { writeOwnerOnlyFile } from '../atomic-file'
import { readBoundedText } from '../batch/mapping-file'
import { hasProxyPassword, PROXY_PASSWORD_ENV, redact } from '../ssh/proxy'
import { ledgerHasPassword, redactLedger, withoutPassword } from '../ledger/ledger-location'
import type { JobLastRun } from '../api'
import type { WatchOptions } from '../cli/watch/watch-run'

export type LastRun = JobLastRun

export interface SavedJob {
  version: 1
  name: string
  root: string
  options: Omit<WatchOptions, 'once' | 'json'>
  savedAt: string
  lastRun: LastRun | null
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export function checkJobName(name: string): string {
  if (!NAME.test(name)) throw new AppError('BAD_ARGUMENT', `Expected a job name of letters, digits, dot, dash or underscore (at most 64), got \`${name}\`.`)
  return name
}

function jobsDir(home: string): string {
  return path.join(home, 'jobs')
}

function jobFile(name: string, home: string): string {
  return path.join(jobsDir(home), `${checkJobName(name)}.json`)
}

/** A job file is a few kilobytes; more than this is not one (and is never read whole). */
export const JOB_MAX_BYTES = 1024 * 1024

/** Written whole or not at all, owner-only, in the 0700 jobs folder (src/atomic-file.ts). */
export async function saveJob(job: SavedJob, home = appHome()): Promise<string> {
  // A job file names secrets, never holds them: the proxy password comes from the environment.
  if (typeof job.options.proxy === 'string' && hasProxyPassword(job.options.proxy)) {
    throw new AppError('BAD_ARGUMENT', `A saved job does not keep the proxy password of ${redact(job.options.proxy)}.`, {
      message: `A saved job never keeps a proxy password in its file. Give the proxy without it (${redact(job.options.proxy).replace(':***@', '@')}) and set ${PROXY_PASSWORD_ENV} in the environment the scheduler runs the job with.`,
    })
  }
  // Nor the team ledger's: PostgreSQL reads it from ~/.pgpass or PGPASSWORD when the job runs.
  const ledger = (job.options as { ledger?: unknown }).ledger
  if (typeof ledger === 'string' && ledgerHasPassword(ledger)) {
    throw new AppError('BAD_ARGUMENT', `A saved job does not keep the password of the team ledger ${redactLedger(ledger)}.`, {
      message: `A saved job never keeps the team ledger's password in its file. Give the address without it (${withoutPassword(ledger)}) and put the password in ~/.pgpass (or PGPASSWORD in the environment the scheduler runs the job with).`,
    })
  }
  await mkdir(jobsDir(home), { recursive: true, mode: 0o700 })
  const file = jobFile(job.name, home)
  await writeOwnerOnlyFile(file, JSON.stringify(job, null, 2) + '\n')
  return file
}

/** A job file, read with a bound; a damaged one is LOCAL_DATA_DAMAGED naming the file and the way out. */
async function readJobFile(file: string, name: string): Promise<SavedJob> {
  const damaged = (why: string) =>
    new AppError('LOCAL_DATA_DAMAGED', `The saved job ${file} is damaged (${why}).`, {
      message: `The saved job ${name} (${file}) is damaged: remove it with bulk-upload job remove ${name}, or move the file away, and save the job again.`,
    })
  let text: string
  try {
    text = await readBoundedText(file, { maxBytes: JOB_MAX_BYTES, what: 'a saved job', hint: '' })
  } catch (err) {
    if (err instanceof AppError && err.code === 'BAD_ARGUMENT') throw damaged(err.details ?? err.message)
    throw err
  }
  let job: Partial<SavedJob>
  try {
    job = JSON.parse(text) as Partial<SavedJob>
  } catch (err) {
    throw damaged((err as Error).message)
  }
  if (typeof job !== 'object' || job === null || job.version !== 1 || typeof job.root !== 'string' || typeof job.options !== 'object' || job.options === null) throw damaged('not a job file of this version')
  return job as SavedJob
}

export async function loadJob(name: string, home = appHome()): Promise<SavedJob> {
  const file = jobFile(name, home)
  return readJobFile(file, name).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'FILE_NOT_FOUND') throw new AppError('NOT_FOUND', `There is no saved job named ${name}. \`bulk-upload job list\` shows the saved jobs.`)
    throw err
  })
}

export async function listJobs(home = appHome()): Promise<SavedJob[]> {
  const names = (await readdir(jobsDir(home)).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort()
  const jobs: SavedJob[] = []
  for (const n of names) jobs.push(await readJobFile(path.join(jobsDir(home), n), n.slice(0, -'.json'.length)))
  return jobs
}

export async function removeJob(name: string, home = appHome()): Promise<void> {
  // A damaged job can be removed: that is the way out its sentence gives.
  await loadJob(name, home).catch((err: unknown) => {
    if (!(err instanceof AppError && err.code === 'LOCAL_DATA_DAMAGED')) throw err
  })
  await rm(jobFile(name, home))
}

export async function recordLastRun(name: string, run: LastRun, home = appHome()): Promise<void> {
  const job = await loadJob(name, home)
  await saveJob({ ...job, lastRun: run }, home)
}
