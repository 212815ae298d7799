/**
 * Saved jobs: a `watch --once` with its options, stored by name in `<app home>/jobs/NAME.json`
 * (owner-only: it names the key file and may hold a proxy login), plus its last run. No key or
 * passphrase is stored: the key is a file path or a keygen name, the passphrase an env var name.
 * One store for both ways of saving a job: `bulk-upload job save` and the desktop app's
 * "Do this automatically" (main/job-from-batch.ts).
 */
import { mkdir, readdir, readFile, rm, writeFile, chmod } from 'node:fs/promises'
import path from 'node:path'
import { appHome } from '../app-home'
import { AppError } from '../errors'
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

export async function saveJob(job: SavedJob, home = appHome()): Promise<string> {
  await mkdir(jobsDir(home), { recursive: true, mode: 0o700 })
  const file = jobFile(job.name, home)
  await writeFile(file, JSON.stringify(job, null, 2) + '\n', { mode: 0o600 })
  if (process.platform !== 'win32') await chmod(file, 0o600)
  return file
}

export async function loadJob(name: string, home = appHome()): Promise<SavedJob> {
  const text = await readFile(jobFile(name, home), 'utf8').catch((err: { code?: string }) => {
    if (err.code === 'ENOENT') throw new AppError('NOT_FOUND', `There is no saved job named ${name}. \`bulk-upload job list\` shows the saved jobs.`)
    throw err
  })
  return JSON.parse(text) as SavedJob
}

export async function listJobs(home = appHome()): Promise<SavedJob[]> {
  const names = (await readdir(jobsDir(home)).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort()
  const jobs: SavedJob[] = []
  for (const n of names) jobs.push(JSON.parse(await readFile(path.join(jobsDir(home), n), 'utf8')) as SavedJob)
  return jobs
}

export async function removeJob(name: string, home = appHome()): Promise<void> {
  await loadJob(name, home)
  await rm(jobFile(name, home))
}

export async function recordLastRun(name: string, run: LastRun, home = appHome()): Promise<void> {
  const job = await loadJob(name, home)
  await saveJob({ ...job, lastRun: run }, home)
}
