/**
 * Exactly once, as users meet it (issue 8): every conversation reaches the server in exactly
 * one CSV, whatever the user does between runs — a new state folder, the app's data lost,
 * Ctrl+C at several points, a file refused then allowed, overlapping exports. Driven through
 * the `bulk-upload` command against real servers; what is asserted is what a user would
 * check: the CSVs on the server, their rows, the recordings' bytes, the exit code and message.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { appendFileSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import Papa from 'papaparse'
import { afterEach, describe, expect, it } from 'vitest'
import type { UploadEvent } from '../../../src/api'
import { DeliveryLedger } from '../../../src/ledger/ledger'
import { startUpload } from '../../../src/transfer/upload'
import { runCli, until } from './cli'
import { csvsOnServer } from './overlap-support'
import { listServerRoot, startServer, type ServerKind, type TestServer } from './servers'
import { checkedFixture, makeKeyPair, sha256File, tempDir } from './support'

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function setup(kind: ServerKind, rows: number, recordingBytes: number) {
  const work = await tempDir(`once-${kind}`)
  const key = await makeKeyPair(work)
  const server = await startServer(kind, work, key.publicKey)
  servers.push(server)
  const fixture = await checkedFixture(path.join(work, 'batch'), { rows, recordingBytes })
  const home = path.join(work, 'home')
  const args = (opts: { stateDir?: string; extra?: string[] } = {}) => [
    'upload', fixture.gen.dir, '--host', server.host, '--port', String(server.port), '--user', server.username,
    '--key', path.join(work, 'id_ed25519'), '--known-hosts', server.knownHostsPath,
    '--state-dir', opts.stateDir ?? path.join(work, 'state'), ...(opts.extra ?? []),
  ]
  return { work, server, fixture, home, args, env: { BULK_UPLOAD_HOME: home } }
}

/** Contact references of the batch's eligible rows, from the source CSV. */
async function eligibleReferences(t: Awaited<ReturnType<typeof setup>>): Promise<string[]> {
  const source = Papa.parse<string[]>((await readFile(t.fixture.gen.csvPath, 'utf8')).trim()).data
  const col = source[0]!.indexOf(t.fixture.gen.mapping.contactReference)
  const rows = t.fixture.checked.manifest.recordings.flatMap((r) => r.rows).sort((a, b) => a - b)
  return rows.map((row) => source[row]![col]!)
}

/** Every eligible row in exactly one CSV, and every recording byte for byte. */
async function expectDeliveredOnce(t: Awaited<ReturnType<typeof setup>>): Promise<Map<string, string[]>> {
  const csvs = await csvsOnServer(t.server, t.fixture.gen.mapping.contactReference)
  const all = [...csvs.values()].flat()
  expect(new Set(all).size, 'a conversation appears in two CSVs').toBe(all.length)
  expect(all.sort()).toEqual((await eligibleReferences(t)).sort())
  for (const r of t.fixture.checked.manifest.recordings) expect(await sha256File(path.join(t.server.root, r.remoteName)), r.remoteName).toBe(await sha256File(r.localPath))
  expect((await listServerRoot(t.server.root)).filter((n) => n.endsWith('.part'))).toEqual([])
  return csvs
}

describe.each<ServerKind>(['sandbox-posix', 'sandbox-s3', 'sshd'])('a finished batch run again, on %s', (kind) => {
  it('from another state folder, and with the app data lost, sends no second CSV and says when it was delivered', async () => {
    const t = await setup(kind, 12, 20_000)
    const first = await runCli(t.args(), t.env)
    expect(first.code, first.stderr).toBe(0)
    const [csvName] = [...(await expectDeliveredOnce(t)).keys()]

    const otherState = await runCli(t.args({ stateDir: path.join(t.work, 'state-2') }), t.env)
    expect(otherState.code, otherState.stderr).toBe(0)
    expect(otherState.stdout).toContain(`Nothing new to send: all 12 rows were already delivered to this destination`)
    expect(otherState.stdout).toContain(csvName)

    // The app's data folder lost (or purged): the server's listing names this batch's CSV.
    await rm(t.home, { recursive: true, force: true })
    const lost = await runCli(t.args({ stateDir: path.join(t.work, 'state-3') }), t.env)
    expect(lost.code, lost.stderr).toBe(0)
    expect(lost.stdout).toContain('Nothing new to send')
    expect([...(await expectDeliveredOnce(t)).keys()]).toEqual([csvName])

    const history = await runCli(['history', '--host', t.server.host, '--port', String(t.server.port), '--user', t.server.username, '--json'], t.env)
    expect(history.code, history.stderr).toBe(0)
    expect(JSON.parse(history.stdout)).toMatchObject({ batches: [{ csvName, rows: 12 }] })
  })
})

describe.each<ServerKind>(['sandbox-posix', 'sandbox-s3'])('Ctrl+C on %s', (kind) => {
  it('before any file finished, and again mid-batch: exit 3, "Cancelled: N of M", no CSV, no truncated file; the same command then finishes once', async () => {
    const t = await setup(kind, 6, 1_500_000)
    const { sandbox } = t.server
    sandbox!.setFaults({ throttleBytesPerSecond: 3_000_000 })
    const total = t.fixture.checked.manifest.recordings.reduce((n, r) => n + r.size, 0)

    const early = await runCli(t.args({ extra: ['--concurrency', '2'] }), t.env, (pid) => {
      void until(() => sandbox!.stats.bytesReceived > 200_000).then(() => process.kill(pid, 'SIGINT'))
    })
    expect(early.code, early.stderr).toBe(3)
    expect(early.stderr).toContain('Cancelled: 0 of 6 recordings are on the server')
    expect(early.stdout + early.stderr).not.toMatch(/Upload complete/)
    expect((await listServerRoot(t.server.root)).filter((n) => n.endsWith('.csv'))).toEqual([])

    const mid = await runCli(t.args({ extra: ['--concurrency', '2'] }), t.env, (pid) => {
      const at = sandbox!.stats.bytesReceived + total / 2
      void until(() => sandbox!.stats.bytesReceived > at).then(() => process.kill(pid, 'SIGINT'))
    })
    expect(mid.code, mid.stderr).toBe(3)
    expect(mid.stderr).toMatch(/Cancelled: [1-5] of 6 recordings are on the server/)
    const listed = await listServerRoot(t.server.root)
    expect(listed.filter((n) => n.endsWith('.csv') || n.endsWith('.part'))).toEqual([])
    if (kind === 'sandbox-s3') {
      // This server cannot continue a file: nothing it holds may be a truncated recording.
      for (const r of t.fixture.checked.manifest.recordings.filter((x) => listed.includes(x.remoteName))) {
        expect(await sha256File(path.join(t.server.root, r.remoteName)), r.remoteName).toBe(await sha256File(r.localPath))
      }
    }

    sandbox!.setFaults({ throttleBytesPerSecond: null })
    const final = await runCli(t.args(), t.env)
    expect(final.code, final.stderr).toBe(0)
    expect((await expectDeliveredOnce(t)).size).toBe(1)
  })

  it('a second Ctrl+C quits at once, still without a CSV', async () => {
    const t = await setup(kind, 4, 2_000_000)
    t.server.sandbox!.setFaults({ throttleBytesPerSecond: 1_000_000 })
    const run = await runCli(t.args(), t.env, (pid) => {
      void until(() => t.server.sandbox!.stats.bytesReceived > 100_000).then(() => {
        process.kill(pid, 'SIGINT')
        process.kill(pid, 'SIGINT')
      })
    })
    expect(run.code).toBe(3)
    expect((await listServerRoot(t.server.root)).filter((n) => n.endsWith('.csv'))).toEqual([])
  })
})

describe('a recording the server refused, then allowed', () => {
  it('is retried by the next run, whose CSV holds only its rows: every row in exactly one CSV', async () => {
    const t = await setup('sandbox-posix', 10, 20_000)
    const denied = t.fixture.checked.manifest.recordings[4]!
    t.server.sandbox!.setFaults({ denyFiles: [denied.remoteName] })
    const first = await runCli(t.args({ extra: ['--json'] }), t.env)
    expect(first.code, first.stderr).toBe(1)
    expect(JSON.parse(first.stdout)).toMatchObject({ failed: denied.rows.length, uploaded: 10 - denied.rows.length })

    t.server.sandbox!.setFaults({ denyFiles: [] })
    const second = await runCli(t.args({ extra: ['--json'] }), t.env)
    expect(second.code, second.stderr).toBe(0)
    expect(JSON.parse(second.stdout)).toMatchObject({ failed: 0, alreadyDelivered: 10 - denied.rows.length })
    const csvs = await expectDeliveredOnce(t)
    expect([...csvs.values()].map((refs) => refs.length).sort((a, b) => a - b)).toEqual([denied.rows.length, 10 - denied.rows.length].sort((a, b) => a - b))

    const third = await runCli(t.args(), t.env)
    expect(third.code).toBe(0)
    expect(third.stdout).toContain('Nothing new to send')
  })
})

describe('overlapping exports', () => {
  it('deliver each conversation once, even from a computer without the ledger: the second export sends only the rows the first did not', async () => {
    const t = await setup('sandbox-posix', 30, 5_000)
    // Records, not lines: the export's notes hold line breaks inside quotes.
    const records = Papa.parse<string[]>((await readFile(t.fixture.gen.csvPath, 'utf8')).trim()).data
    const dir = path.join(t.work, 'exports')
    await mkdir(dir)
    await writeFile(path.join(dir, 'monday.csv'), Papa.unparse([records[0]!, ...records.slice(1, 21)]))
    await writeFile(path.join(dir, 'tuesday.csv'), Papa.unparse([records[0]!, ...records.slice(11, 31)]))
    const withCsv = (name: string, ...extra: string[]) => t.args({ extra: ['--csv', path.join(dir, name), ...extra] })

    expect((await runCli(withCsv('monday.csv'), t.env)).code).toBe(0)
    const check = await runCli(['check', t.fixture.gen.dir, '--csv', path.join(dir, 'tuesday.csv'), '--host', t.server.host, '--port', String(t.server.port), '--user', t.server.username, '--json'], t.env)
    expect(check.code, check.stderr).toBe(0)
    expect(JSON.parse(check.stdout)).toMatchObject({ eligible: 10, alreadyDelivered: 10, counts: { ALREADY_DELIVERED: 10 } })

    // From a computer with no ledger (a fresh app data folder): the server's CSVs still tell.
    const tuesday = await runCli(withCsv('tuesday.csv', '--json'), { BULK_UPLOAD_HOME: path.join(t.work, 'home-elsewhere') })
    expect(tuesday.code, tuesday.stderr).toBe(0)
    expect(JSON.parse(tuesday.stdout)).toMatchObject({ uploaded: 10, alreadyDelivered: 10 })
    const csvs = await csvsOnServer(t.server, t.fixture.gen.mapping.contactReference)
    const all = [...csvs.values()].flat()
    expect(csvs.size).toBe(2)
    expect(new Set(all).size).toBe(30)
    expect(all).toHaveLength(30)

    // On purpose: the delivered rows go again.
    const resend = await runCli(withCsv('tuesday.csv', '--resend-delivered', '--json'), t.env)
    expect(resend.code, resend.stderr).toBe(0)
    expect((await csvsOnServer(t.server, t.fixture.gen.mapping.contactReference)).size).toBe(3)
  })
})

/**
 * A tiny file system of its own (tmpfs) with `freePages` pages left: the batch's state folder
 * lives there, so this computer's disk fills up at a chosen point. Needs root (mount).
 */
async function tinyDisk(work: string, freePages: number): Promise<{ dir: string; close: () => void } | null> {
  const dir = path.join(work, 'tiny-disk')
  await mkdir(dir)
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'ignore' })
  } catch {
    return null
  }
  await writeFile(path.join(dir, 'filler'), Buffer.alloc(256 * 1024 - freePages * 4096))
  return { dir, close: () => execFileSync('umount', [dir]) }
}

describe("this computer's disk full", () => {
  it.each([
    // Exit 3 either way (exit-codes.ts): space freed, the same command finishes, and a job
    // retrying it meanwhile does no harm.
    { when: 'before anything is sent', freePages: 1, exit: 3 },
    { when: 'after sending began', freePages: 2, exit: 3 },
  ])('$when: a sentence about this computer, no stack trace, exit $exit, no CSV; with space freed the same command finishes', async ({ freePages, exit }) => {
    const t = await setup('sandbox-posix', 4, 10_000)
    const disk = await tinyDisk(t.work, freePages)
    if (!disk) {
      console.warn('skipped: mounting a small tmpfs needs root (CI runs as root)')
      return
    }
    try {
      const full = await runCli(t.args({ stateDir: path.join(disk.dir, 'state') }), t.env)
      expect(full.code, full.stderr).toBe(exit)
      expect(full.stderr).toContain("This computer's disk is full")
      expect(full.stderr).not.toMatch(/The server has no room|at .*\.ts:\d+/)
      expect((await listServerRoot(t.server.root)).filter((n) => n.endsWith('.csv'))).toEqual([])
      await rm(path.join(disk.dir, 'filler'))
      const again = await runCli(t.args({ stateDir: path.join(disk.dir, 'state') }), t.env)
      expect(again.code, again.stderr).toBe(0)
      await expectDeliveredOnce(t)
    } finally {
      disk.close()
    }
  })
})

describe('a recording changed while it uploads', () => {
  it('is sent again from the start: the server and the ledger hold the new bytes, never a mix', async () => {
    const t = await setup('sandbox-posix', 3, 3_000_000)
    t.server.sandbox!.setFaults({ throttleBytesPerSecond: 4_000_000 })
    const target = t.fixture.checked.manifest.recordings[0]!
    let changed = false
    const events: UploadEvent[] = []
    const job = await startUpload({
      spec: t.fixture.spec, checked: t.fixture.checked, stateDir: path.join(t.work, 'state'), home: t.home, concurrency: 1,
      destination: { id: null, name: 'sandbox', host: t.server.host, port: t.server.port, username: t.server.username, remoteDir: '', privateKey: await readFile(path.join(t.work, 'id_ed25519'), 'utf8'), knownHostsPath: t.server.knownHostsPath },
      onEvent: (e) => {
        events.push(e)
        if (!changed && e.kind === 'batch-progress' && e.progress.bytesSent > 1_000_000) {
          changed = true
          appendFileSync(target.localPath, randomBytes(5000))
        }
      },
    })
    const result = await job.done
    expect(result.stoppedBy).toBeNull()
    expect(changed).toBe(true)
    expect(events.some((e) => e.kind === 'file-retrying' && e.file === target.remoteName && e.error.code === 'LOCAL_FILE_CHANGED')).toBe(true)
    const now = await sha256File(target.localPath)
    expect(await sha256File(path.join(t.server.root, target.remoteName))).toBe(now)
    const ledger = await DeliveryLedger.open(t.home, { host: t.server.host, port: t.server.port, username: t.server.username, remoteDir: '' })
    try {
      expect(ledger.recording(target.remoteName)).toMatchObject({ sha256: now, size: target.size + 5000 })
    } finally {
      ledger.close()
    }
  })
})

describe('the platform layout', () => {
  it('is set by the first batch; a later export with renamed, reordered and new columns is written in it, and --adopt-layout replaces it', async () => {
    const t = await setup('sandbox-posix', 6, 5_000)
    const records = Papa.parse<string[]>((await readFile(t.fixture.gen.csvPath, 'utf8')).trim()).data
    const header = records[0]!
    const dir = path.join(t.work, 'exports')
    await mkdir(dir)
    await writeFile(path.join(dir, 'first.csv'), Papa.unparse(records.slice(0, 4)))
    const first = await runCli(t.args({ extra: ['--csv', path.join(dir, 'first.csv')] }), t.env)
    expect(first.code, first.stderr).toBe(0)

    // The next export: the reference column renamed, the columns reversed, one column more.
    const m = t.fixture.gen.mapping
    const renamed = header.map((h) => (h === m.contactReference ? 'Interaction ID' : h))
    const later = [[...renamed].reverse().concat('Wrap code'), ...records.slice(4).map((r) => [...r].reverse().concat('W1'))]
    await writeFile(path.join(dir, 'later.csv'), Papa.unparse(later))
    const args = (...extra: string[]) => t.args({ extra: ['--csv', path.join(dir, 'later.csv'), '--map', 'contactReference=Interaction ID', ...extra] })
    const second = await runCli(args(), t.env)
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toContain('Columns changed:')
    expect(second.stderr).toContain('new column "Wrap code"')
    const csvs = await csvsOnServer(t.server, m.contactReference)
    const written = [...csvs.keys()].sort()
    const latest = Papa.parse<string[]>((await readFile(path.join(t.server.root, written[1]!), 'utf8')).trim()).data
    expect(latest[0]).toEqual(header) // the platform's layout: its names, its order, no new column
    expect(latest.slice(1).map((r) => r[header.indexOf(m.contactReference)])).toEqual(records.slice(4).map((r) => r[header.indexOf(m.contactReference)]))

    // Adopting the new columns: the next batch's CSV has them (and says to update the mapping).
    const refAt = header.indexOf(m.contactReference)
    const again = records.slice(1, 2).map((r) => r.map((c, j) => (j === refAt ? `${c}-again` : c)))
    await writeFile(path.join(dir, 'later.csv'), Papa.unparse([[...renamed].reverse().concat('Wrap code'), ...again.map((r) => [...r].reverse().concat('W2'))]))
    const adopted = await runCli(args('--adopt-layout'), t.env)
    expect(adopted.code, adopted.stderr).toBe(0)
    expect(adopted.stderr).toMatch(/update the mapping in the platform/)
    const newest = [...(await csvsOnServer(t.server, 'Interaction ID')).keys()].sort().pop()!
    expect(Papa.parse<string[]>((await readFile(path.join(t.server.root, newest), 'utf8')).trim()).data[0]).toEqual([...renamed].reverse().concat('Wrap code'))
  })
})
