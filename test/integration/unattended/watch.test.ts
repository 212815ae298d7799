/**
 * `bulk-upload watch` against the sandbox, as a nightly export is: day folders appearing
 * while it runs (a folder still being written is not taken), exports overlapping earlier
 * ones, a broken folder beside good ones, and a restart in the middle. The proof is the
 * server's CSVs: every conversation in exactly one row.
 */
import { copyFile, mkdir, readdir, readFile, rename, stat, writeFile, appendFile } from 'node:fs/promises'
import path from 'node:path'
import Papa from 'papaparse'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli, until } from '../upload/cli'
import { startServer, type TestServer } from '../upload/servers'
import { makeKeyPair, tempDir } from '../upload/support'
import { generateBatch } from '../../fixtures/generate-batch'
import { setFileTimes } from './file-times'

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function setup() {
  const work = await tempDir('watch')
  const key = await makeKeyPair(work)
  const server = await startServer('sandbox-posix', work, key.publicKey)
  servers.push(server)
  // One source of rows; each day's export is a slice of it (overlapping slices share rows).
  const source = await generateBatch(path.join(work, 'source'), { rows: 60, recordingBytes: 20_000 })
  const parsed = Papa.parse<string[]>((await readFile(source.csvPath, 'utf8')).trim(), { skipEmptyLines: true })
  const [header, ...rows] = parsed.data
  const root = path.join(work, 'exports')
  await mkdir(root)
  /** Writes an export of source rows [from, to) into root/name, recordings first, the CSV last. */
  const exportDay = async (name: string, from: number, to: number, dest = path.join(root, name)) => {
    await mkdir(path.join(dest, 'recordings'), { recursive: true })
    const slice = rows.slice(from, to)
    for (const r of slice) await copyFile(path.join(source.dir, 'recordings', r[3]!), path.join(dest, 'recordings', r[3]!))
    await writeFile(path.join(dest, 'calls.csv'), Papa.unparse([header!, ...slice]) + '\r\n')
    return dest
  }
  const args = (...extra: string[]) => [
    'watch', root, '--host', server.host, '--port', String(server.port), '--user', server.username,
    '--key', path.join(work, 'id_ed25519'), '--known-hosts', server.knownHostsPath, '--state-dir', path.join(work, 'state'), '--json', ...extra,
  ]
  const env = { BULK_UPLOAD_HOME: path.join(work, 'home'), ALL_PROXY: '', HTTPS_PROXY: '' }
  return { work, server, root, rows, exportDay, args, env }
}

/** Every contact reference in every CSV on the server, one entry per row. */
async function deliveredReferences(root: string): Promise<string[]> {
  const refs: string[] = []
  for (const name of (await readdir(root)).filter((n) => n.endsWith('.csv'))) {
    const data = Papa.parse<string[]>((await readFile(path.join(root, name), 'utf8')).trim()).data
    refs.push(...data.slice(1).map((r) => r[0]!))
  }
  return refs.sort()
}

const lines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)

describe('bulk-upload watch --once', () => {
  it('sends overlapping exports once each, skips a broken folder beside them, exits 1, and a second pass sends nothing', async () => {
    const t = await setup()
    await t.exportDay('2026-11-01', 0, 20)
    await t.exportDay('2026-11-02', 13, 33) // a third overlaps the day before
    const broken = await t.exportDay('2026-11-03', 33, 40)
    await writeFile(path.join(broken, 'calls.csv'), 'Nothing,Like,The,Mapping\r\n1,2,3,4\r\n')
    const first = await runCli(t.args('--once', '--settle', '0'), t.env)
    expect(first.code).toBe(1)
    const out = lines(first.stdout)
    expect(out.map((o) => [path.basename(o.folder as string), o.result])).toEqual([['2026-11-01', 'delivered'], ['2026-11-02', 'delivered'], ['2026-11-03', 'skipped']])
    expect(out[1]).toMatchObject({ uploaded: 13, alreadyDelivered: 7 })
    expect((out[2]!.error as { message: string }).message).toMatch(/column|map/i)
    const refs = await deliveredReferences(t.server.root)
    expect(refs).toEqual(t.rows.slice(0, 33).map((r) => r[0]!).sort())

    const again = await runCli(t.args('--once', '--settle', '0'), t.env)
    const second = lines(again.stdout)
    expect(second.slice(0, 2).map((o) => o.result)).toEqual(['nothing-new', 'nothing-new'])
    // Each nothing-new folder says so with its counts: nothing uploaded, no bytes, no CSV.
    for (const o of second.slice(0, 2)) expect(o).toMatchObject({ uploaded: 0, bytes: 0, failed: 0 })
    expect(second.slice(0, 2).map((o) => o.csv ?? null)).toEqual([null, null])
    expect(await deliveredReferences(t.server.root)).toEqual(refs)
    const log = await readFile(path.join(t.work, 'home', 'logs', 'unattended.log'), 'utf8')
    expect(log).toMatch(/delivered .*2026-11-02 batch \S+ uploaded 13/)
    expect(log).toMatch(/skipped .*2026-11-03/)
    // The second pass leaves one nothing-new line per folder in the run log.
    for (const day of ['2026-11-01', '2026-11-02']) expect(log).toMatch(new RegExp(`nothing-new .*${day} batch \\S+ uploaded 0 .* bytes 0`))
  })

  it('restarted after being killed mid-batch, sends the rest and nothing twice', async () => {
    const t = await setup()
    await t.exportDay('day-a', 0, 30)
    await t.exportDay('day-b', 20, 60)
    let pid = 0
    const recordings = async () => (await readdir(t.server.root)).filter((n) => n.endsWith('.wav')).length
    const killed = runCli([...t.args('--once', '--settle', '0'), '--bwlimit', '200K', '--concurrency', '2'], t.env, (p) => (pid = p))
    let count = 0
    await until(() => {
      void recordings().then((n) => (count = n))
      return count >= 35 // into the second day's recordings
    }, 60_000)
    process.kill(pid, 'SIGKILL')
    expect((await killed).signal).toBe('SIGKILL')
    const rerun = await runCli(t.args('--once', '--settle', '0'), t.env)
    expect(rerun.code).toBe(0)
    const refs = await deliveredReferences(t.server.root)
    expect(refs).toEqual(t.rows.map((r) => r[0]!).sort()) // each of the 60 in exactly one row
  })
})

describe('bulk-upload watch --once and a folder still being copied', () => {
  it('leaves a folder whose newest file is 2 s old (exit 1: which folder, its age, from when), takes the settled one beside it, and takes the first once its files are 2 minutes old', async () => {
    const t = await setup()
    const fresh = await t.exportDay('2026-11-05', 0, 10)
    const settled = await t.exportDay('2026-11-04', 10, 20)
    await setFileTimes(fresh, 2)
    await setFileTimes(settled, 120)
    // The default --settle (60 s): the pass takes a folder only once its newest file is that old.
    const first = await runCli(t.args('--once'), t.env)
    expect(first.code, first.stderr).toBe(1)
    const out = lines(first.stdout)
    expect(out.map((o) => [path.basename(o.folder as string), o.result])).toEqual([['2026-11-04', 'delivered'], ['2026-11-05', 'not-settled']])
    const left = out[1]!
    expect(left).toMatchObject({ folder: fresh, error: { code: 'FOLDER_NOT_SETTLED' } })
    const age = left.newestFileAgeSeconds as number
    expect(age).toBeGreaterThanOrEqual(2)
    expect(age).toBeLessThan(60)
    const newest = (await stat(path.join(fresh, 'calls.csv'))).mtimeMs
    expect(Math.abs(Date.parse(left.takenFrom as string) - (newest + 60_000))).toBeLessThan(1000)
    const message = (left.error as { message: string }).message
    expect(message).toContain(`${fresh} was left for the next run: its newest file is ${age} s old`)
    expect(message).toMatch(/have not changed for 60 s \(--settle\).* A run from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d takes it\.$/)
    expect(first.stderr).toMatch(/1 folder was left for the next run because files in it changed less than 60 s ago \(--settle\)/)
    // Nothing of it was sent: only the settled folder's rows are on the server.
    expect(await deliveredReferences(t.server.root)).toEqual(t.rows.slice(10, 20).map((r) => r[0]!).sort())
    expect(await readFile(path.join(t.work, 'home', 'logs', 'unattended.log'), 'utf8')).toMatch(/not-settled .*2026-11-05 error FOLDER_NOT_SETTLED: /)

    // Its files are two minutes old now (set, not waited for): the next run takes it.
    await setFileTimes(fresh, 120)
    const second = await runCli(t.args('--once'), t.env)
    expect(second.code, second.stderr).toBe(0)
    expect(lines(second.stdout).map((o) => [path.basename(o.folder as string), o.result, o.uploaded])).toEqual([['2026-11-04', 'nothing-new', 0], ['2026-11-05', 'delivered', 10]])
    expect(await deliveredReferences(t.server.root)).toEqual(t.rows.slice(0, 20).map((r) => r[0]!).sort())
  })

  it('says so in words without --json', async () => {
    const t = await setup()
    const fresh = await t.exportDay('2026-11-06', 0, 5)
    await setFileTimes(fresh, 2)
    const run = await runCli(t.args('--once').filter((a) => a !== '--json'), t.env)
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(`Not settled ${fresh} was left for the next run: its newest file is `)
    expect(run.stderr).toMatch(/^Not finished: 1 folder was left for the next run/m)
  })
})

describe('bulk-upload watch (running)', () => {
  it('takes day folders as they appear, but not one still being written', async () => {
    const t = await setup()
    await t.exportDay('day-1', 0, 10)
    let pid = 0
    let output = () => ''
    const watching = runCli(t.args('--interval', '0.5', '--settle', '2'), t.env, (p, o) => {
      pid = p
      output = o
    })
    await until(() => output().includes('"result":"delivered"'), 60_000)
    // Day 2 is written slowly: its last recording grows for a while after the CSV is there.
    const staging = path.join(t.work, 'staging-day-2')
    await t.exportDay('day-2', 10, 20, staging)
    await rename(staging, path.join(t.root, 'day-2'))
    const growing = path.join(t.root, 'day-2', 'recordings', t.rows[19]![3]!)
    const started = Date.now()
    while (Date.now() - started < 4000) {
      await appendFile(growing, Buffer.alloc(512))
      await new Promise((r) => setTimeout(r, 250)) // the writer's pace, not a wait for the watcher
      expect(output()).not.toContain('day-2')
    }
    await until(() => output().includes('day-2'), 60_000)
    const takenAfter = Date.now() - started
    expect(takenAfter).toBeGreaterThanOrEqual(4000 + 2000 - 300)
    process.kill(pid, 'SIGTERM')
    const done = await watching
    expect(done.code).toBe(0)
    const out = lines(done.stdout)
    expect(out.map((o) => [path.basename(o.folder as string), o.result])).toEqual([['day-1', 'delivered'], ['day-2', 'delivered']])
    expect(await deliveredReferences(t.server.root)).toEqual(t.rows.slice(0, 20).map((r) => r[0]!).sort())
  })
})
