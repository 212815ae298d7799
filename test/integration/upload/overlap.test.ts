/**
 * Exactly once in company (issue 27): runs that overlap in time — several exports of the same
 * conversations started together, the same export from several app homes — deliver each
 * conversation in exactly one CSV. Driven through the `bulk-upload` command, several processes
 * at once, against OpenSSH's sshd; asserted on what is on the server: the CSVs' rows and
 * every recording's sha256.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import Papa from 'papaparse'
import { afterEach, describe, expect, it } from 'vitest'
import { hasSshd, skipWithReason } from '../../helpers/system'
import { csvsOnServer, editedCopies, expectEachOnce, overlapSetup, summary } from './overlap-support'
import { listServerRoot } from './servers'
import type { TestServer } from './servers'

/**
 * Several CLI processes at once, each starting from the TypeScript source: on a busy 2-core
 * machine that can take minutes. A limit against hangs, not a speed bound.
 */
const MANY_PROCESSES_MS = 300_000

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** Polls an observable condition that needs a file system call (not a fixed sleep) until it holds. */
async function untilAsync(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const started = Date.now()
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe.skipIf(skipWithReason(hasSshd(), 'overlapping runs against OpenSSH sshd'))('overlapping runs to one destination (OpenSSH sshd)', () => {
  it('4 edited copies of one export sent at once from one app home: each conversation in exactly one CSV', async () => {
    const t = await overlapSetup(servers, 'four-exports', 60, 60_000)
    const home = path.join(t.work, 'home')
    const copies = await editedCopies(t, 4)
    const runs = await Promise.all(copies.map((csv) => t.upload(csv, home)))
    const summaries = runs.map(summary)
    const csvs = await expectEachOnce(t)
    // Rows the first commit delivered are counted as already delivered by the others, not sent.
    expect(summaries.reduce((n, s) => n + s.inCsv, 0)).toBe(60)
    expect(summaries.reduce((n, s) => n + s.inCsv + s.alreadyDelivered, 0)).toBe(4 * 60)
    expect(csvs.size).toBeGreaterThanOrEqual(1)
  }, MANY_PROCESSES_MS)

  it('a run that started before another delivered some of its recordings leaves them as delivered: never written again, so never cut by a kill', async () => {
    // Found by a QA run: the second run truncated and rewrote recordings the first had just
    // delivered (killed midway, it left one empty for good, named by the first run's CSV).
    const t = await overlapSetup(servers, 'delivered-meanwhile', 30, 200_000)
    const home = path.join(t.work, 'home')
    const source = Papa.parse<string[]>((await readFile(t.fixture.gen.csvPath, 'utf8')).trim()).data
    // The nightly job's export: the last 6 conversations of the QA manager's.
    await mkdir(path.join(t.work, 'nightly'))
    const nightly = path.join(t.work, 'nightly', 'export.csv')
    await writeFile(nightly, Papa.unparse([source[0]!, ...source.slice(-6)]))
    const shared = t.fixture.checked.manifest.recordings.slice(-6).map((r) => r.remoteName)

    // The QA manager's run starts first and is held (SIGSTOP) once it has begun sending: its
    // first 16 files in flight, the shared ones still to come.
    let pid = 0
    const wavs = async () => (await listServerRoot(t.server.root)).filter((n) => n.endsWith('.wav'))
    const manager = t.upload(t.fixture.gen.csvPath, home, ['--bwlimit', '1M'], (p) => (pid = p))
    let started: string[] = []
    await untilAsync(async () => (started = await wavs()).length > 0)
    process.kill(pid, 'SIGSTOP')
    try {
      expect(shared.filter((n) => started.includes(n)), 'shared recordings already started when the run was held').toEqual([])
      // The nightly job delivers the shared conversations meanwhile.
      expect(summary(await t.upload(nightly, home))).toMatchObject({ uploaded: 6, alreadyDelivered: 0 })
    } finally {
      process.kill(pid, 'SIGCONT')
    }
    const delivered = await Promise.all(shared.map(async (n) => (await stat(path.join(t.server.root, n))).mtimeMs))

    const run = await manager
    expect(summary(run)).toMatchObject({ uploaded: 24, alreadyDelivered: 6 })
    // The delivered recordings were not opened for writing again.
    expect(await Promise.all(shared.map(async (n) => (await stat(path.join(t.server.root, n))).mtimeMs))).toEqual(delivered)
    await expectEachOnce(t)
  }, MANY_PROCESSES_MS)

  it('one export sent at once from 3 app homes on one computer: each conversation in exactly one CSV', async () => {
    const t = await overlapSetup(servers, 'three-homes', 40, 60_000)
    const runs = await Promise.all([1, 2, 3].map((n) => t.upload(t.fixture.gen.csvPath, path.join(t.work, `home-${n}`))))
    const summaries = runs.map(summary)
    await expectEachOnce(t)
    expect(summaries.reduce((n, s) => n + s.inCsv, 0)).toBe(40)
  }, MANY_PROCESSES_MS)
})

describe.skipIf(skipWithReason(hasSshd(), 'foreign CSVs against OpenSSH sshd'))('a CSV someone else put on the server', () => {
  it('named like the app\'s but with foreign columns: left alone with a warning, never blocks, never counts as delivered', async () => {
    const t = await overlapSetup(servers, 'foreign-csv', 6, 2_000)
    const foreign = 'export_20260101T000000Z_a1b2c3d4e5f6.csv'
    const source = Papa.parse<string[]>((await readFile(t.fixture.gen.csvPath, 'utf8')).trim()).data
    const refCol = source[0]!.indexOf(t.fixture.gen.mapping.contactReference)
    // Someone else's file: the batch's own references, under other column names.
    await writeFile(path.join(t.server.root, foreign), Papa.unparse([['id', 'when'], ...source.slice(1).map((r) => [r[refCol]!, 'x'])]))
    const home = path.join(t.work, 'home')
    const run = await t.upload(t.fixture.gen.csvPath, home)
    expect(summary(run).uploaded).toBe(6)
    expect(run.stderr).toContain(`Left alone: ${foreign} on the server is named like this app's CSVs, but its columns are not the platform layout this app writes`)
    const csvs = await csvsOnServer(t.server, t.fixture.gen.mapping.contactReference)
    expect([...csvs.keys()].filter((n) => n !== foreign)).toHaveLength(1)
    // A later run is not stopped by it either, and finds nothing new.
    const again = await t.upload(t.fixture.gen.csvPath, home)
    expect(summary(again)).toMatchObject({ uploaded: 0, alreadyDelivered: 6 })
  }, MANY_PROCESSES_MS)
})
