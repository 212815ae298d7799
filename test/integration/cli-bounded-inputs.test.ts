/**
 * Every file input is read with a size bound and only as a regular file (issue 23, item 3):
 * the real CLI given /dev/zero, a pipe with no writer, or an oversized file for --mapping and
 * as a saved job's file answers with exit 2 and a sentence naming the file, instead of reading
 * hundreds of megabytes ("Invalid string length") or waiting on the pipe for ever.
 */
import os from 'node:os'
import path from 'node:path'
import { execFile, execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listJobs, loadJob, removeJob } from '../../src/jobs/job-store'

const BIN = fileURLToPath(new URL('../../bin/bulk-upload.js', import.meta.url))
let root: string
let batch: string
let home: string

/** Runs the CLI; with /usr/bin/time where there is one, also its peak memory in KiB. */
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string; maxKiB: number | null }> {
  const timed = existsSync('/usr/bin/time')
  const [file, argv] = timed ? ['/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, BIN, ...args]] : [process.execPath, [BIN, ...args]]
  return new Promise((resolve) => {
    execFile(file as string, argv as string[], { env: { ...process.env, NO_COLOR: '1', BULK_UPLOAD_HOME: home } }, (err, stdout, stderr) => {
      const rss = /maxrss=(\d+)/.exec(stderr)
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr: stderr.replace(/.*maxrss=\d+\n?/, '').replace(/Command exited with non-zero status \d+\n/, ''), maxKiB: rss ? Number(rss[1]) : null })
    })
  })
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'bu-bounded-'))
  home = path.join(root, 'home')
  batch = path.join(root, 'batch')
  await mkdir(batch)
  await writeFile(path.join(batch, 'calls.csv'), 'Contact Reference,Agent ID,Contact Date\r\nR1,a@x.com,2026-01-02T09:00:00+00:00\r\n')
  execFileSync('mkfifo', [path.join(root, 'pipe.json')])
  await writeFile(path.join(root, 'huge.json'), Buffer.alloc(2 * 1024 * 1024, 0x20))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('--mapping', () => {
  it('refuses /dev/zero, a pipe and an oversized file at once, naming the file', async () => {
    for (const [file, why] of [['/dev/zero', 'it is a device'], [path.join(root, 'pipe.json'), 'it is a pipe'], [path.join(root, 'huge.json'), 'it holds 2097152 bytes, more than the 1048576'], ['/tmp', 'it is a folder']] as const) {
      const r = await run(['check', batch, '--mapping', file])
      expect([r.code, r.stderr], file).toEqual([2, expect.stringContaining(`${file} is not a mapping file (${why}`)])
      expect(r.stderr).not.toContain('Invalid string length')
      // Nothing near the hundreds of megabytes reading /dev/zero took (node itself needs some 100).
      if (r.maxKiB !== null) expect(r.maxKiB).toBeLessThan(200 * 1024)
    }
  })
})

describe('agents import', () => {
  it('refuses /dev/zero, a pipe and a folder at once, naming the file', async () => {
    for (const file of ['/dev/zero', path.join(root, 'pipe.json'), '/tmp']) {
      const r = await run(['agents', 'import', file, '--host', 'sftp.example.com', '--user', 'acme'])
      expect([r.code, r.stderr], file).toEqual([2, expect.stringContaining(`The agent list ${file} does not exist or is not a file`)])
      if (r.maxKiB !== null) expect(r.maxKiB).toBeLessThan(200 * 1024)
    }
  })
})

describe('saved job files', () => {
  it('refuses a job file that is /dev/zero, a pipe, oversized or not JSON as damaged, and removes it on request', async () => {
    const jobs = path.join(home, 'jobs')
    await mkdir(jobs, { recursive: true })
    await symlink('/dev/zero', path.join(jobs, 'zero.json'))
    await symlink(path.join(root, 'pipe.json'), path.join(jobs, 'pipe.json'))
    await symlink(path.join(root, 'huge.json'), path.join(jobs, 'huge.json'))
    await writeFile(path.join(jobs, 'broken.json'), '{"version": 1, "root": ')
    for (const name of ['zero', 'pipe', 'huge', 'broken']) {
      await expect(loadJob(name, home), name).rejects.toMatchObject({ code: 'LOCAL_DATA_DAMAGED', message: expect.stringContaining(`The saved job ${name} (${path.join(jobs, `${name}.json`)}) is damaged`) })
    }
    await expect(listJobs(home)).rejects.toMatchObject({ code: 'LOCAL_DATA_DAMAGED' })
    const r = await run(['job', 'run', 'zero'])
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('is damaged: remove it with bulk-upload job remove zero')])
    if (r.maxKiB !== null) expect(r.maxKiB).toBeLessThan(200 * 1024)
    for (const name of ['zero', 'pipe', 'huge', 'broken']) await removeJob(name, home)
    expect(await listJobs(home)).toEqual([])
  })
})
