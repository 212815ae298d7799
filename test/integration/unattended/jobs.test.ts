/**
 * Saved jobs as a scheduler runs them: saved from one folder, run from another (paths kept
 * absolute), listed with their last run, printed as systemd/cron/schtasks entries, removed.
 */
import { mkdir, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../upload/cli'
import { startServer, type TestServer } from '../upload/servers'
import { checkedFixture, makeKeyPair, tempDir } from '../upload/support'
import { setFileTimes } from './file-times'

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

describe('bulk-upload job', () => {
  it('saves, runs (a watch --once), lists the last run, prints scheduler entries and removes a job', async () => {
    const work = await tempDir('jobs')
    const key = await makeKeyPair(work)
    const server = await startServer('sandbox-posix', work, key.publicKey)
    servers.push(server)
    const root = path.join(work, 'exports')
    await mkdir(root)
    await checkedFixture(path.join(root, '2026-12-01'), { rows: 5, recordingBytes: 8_000 })
    const env = { BULK_UPLOAD_HOME: path.join(work, 'home'), ALL_PROXY: '', HTTPS_PROXY: '' }
    const save = await runCli(['job', 'save', 'nightly', root, '--host', server.host, '--port', String(server.port), '--user', server.username,
      '--key', path.join(work, 'id_ed25519'), '--known-hosts', server.knownHostsPath, '--bwlimit', '08:00,1M 18:00,off', '--settle', '0'], env)
    expect(save.stderr).toBe('')
    expect(save.code).toBe(0)
    const file = path.join(work, 'home', 'jobs', 'nightly.json')
    expect((await stat(file)).mode & 0o777).toBe(0o600)

    const never = await runCli(['job', 'list'], env)
    expect(never.stdout).toMatch(/^nightly .* never run/m)

    const run = await runCli(['job', 'run', 'nightly', '--json'], env)
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout.trim())).toMatchObject({ result: 'delivered', uploaded: 5 })
    expect((await readdir(server.root)).filter((n) => n.endsWith('.csv'))).toHaveLength(1)
    const list = JSON.parse((await runCli(['job', 'list', '--json'], env)).stdout) as Array<{ name: string; lastRun: { exit: number; uploaded: number } }>
    expect(list).toMatchObject([{ name: 'nightly', lastRun: { exit: 0, uploaded: 5, batches: 1 } }])

    const cron = await runCli(['job', 'show', 'nightly', '--cron'], env)
    expect(cron.stdout).toMatch(new RegExp(`^0 2 \\* \\* \\* BULK_UPLOAD_HOME=\\S+ \\S*node\\S* \\S+bulk-upload\\.js job run nightly`, 'm'))
    const systemd = await runCli(['job', 'show', 'nightly', '--systemd', '--at', '03:30'], env)
    expect(systemd.stdout).toContain('OnCalendar=*-*-* 03:30:00')
    expect(systemd.stdout).toMatch(/ExecStart=\S+ \S+bulk-upload\.js job run nightly/)
    const schtasks = await runCli(['job', 'show', 'nightly', '--schtasks'], env)
    expect(schtasks.stdout).toMatch(/^schtasks \/Create \/SC DAILY \/ST 02:00 \/TN "bulk-upload nightly" \/TR /m)

    expect((await runCli(['job', 'remove', 'nightly'], env)).code).toBe(0)
    const gone = await runCli(['job', 'run', 'nightly'], env)
    expect(gone.code).toBe(2)
    expect(gone.stderr).toMatch(/There is no saved job named nightly/)
  })

  it('run leaves a folder whose newest file is 2 s old (exit 1, recorded as its last run with the reason) and takes it once its files are 2 minutes old', async () => {
    const work = await tempDir('jobs-settle')
    const key = await makeKeyPair(work)
    const server = await startServer('sandbox-posix', work, key.publicKey)
    servers.push(server)
    const root = path.join(work, 'exports')
    const day = path.join(root, '2026-12-02')
    await checkedFixture(day, { rows: 4, recordingBytes: 8_000 })
    await setFileTimes(day, 2)
    const env = { BULK_UPLOAD_HOME: path.join(work, 'home'), ALL_PROXY: '', HTTPS_PROXY: '' }
    // Saved without --settle: the job keeps the default, 60 s.
    const save = await runCli(['job', 'save', 'nightly', root, '--host', server.host, '--port', String(server.port), '--user', server.username,
      '--key', path.join(work, 'id_ed25519'), '--known-hosts', server.knownHostsPath], env)
    expect(save.code, save.stderr).toBe(0)

    const early = await runCli(['job', 'run', 'nightly'], env)
    expect(early.code, early.stderr).toBe(1)
    expect(early.stdout).toContain(`Not settled ${day} was left for the next run: its newest file is `)
    expect(early.stderr).toMatch(/1 folder was left for the next run because files in it changed less than 60 s ago \(--settle\)/)
    expect((await readdir(server.root)).filter((n) => n.endsWith('.csv'))).toEqual([])
    const list = JSON.parse((await runCli(['job', 'list', '--json'], env)).stdout) as Array<{ lastRun: { exit: number; problem: string } }>
    expect(list[0]!.lastRun).toMatchObject({ exit: 1, uploaded: 0 })
    const problem = list[0]!.lastRun.problem
    expect(problem.startsWith(`${day} was left for the next run: its newest file is `)).toBe(true)
    expect(problem).toMatch(/ A run from .* takes it\.$/)

    await setFileTimes(day, 120)
    const later = await runCli(['job', 'run', 'nightly', '--json'], env)
    expect(later.code, later.stderr).toBe(0)
    expect(JSON.parse(later.stdout.trim())).toMatchObject({ folder: day, result: 'delivered', uploaded: 4 })
  })
})
