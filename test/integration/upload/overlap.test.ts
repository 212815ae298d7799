/**
 * Exactly once in company (issue 27): runs that overlap in time — several exports of the same
 * conversations started together, the same export from several app homes — deliver each
 * conversation in exactly one CSV. Driven through the `bulk-upload` command, several processes
 * at once, against OpenSSH's sshd; asserted on what is on the server: the CSVs' rows and
 * every recording's sha256.
 */
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import Papa from 'papaparse'
import { afterEach, describe, expect, it } from 'vitest'
import { hasSshd, skipWithReason } from '../../helpers/system'
import { csvsOnServer, editedCopies, expectEachOnce, overlapSetup, summary } from './overlap-support'
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
