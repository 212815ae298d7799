/**
 * Exactly once in company (issue 27): runs that overlap in time — several exports of the same
 * conversations started together, the same export from several app homes — deliver each
 * conversation in exactly one CSV. Driven through the `bulk-upload` command, several processes
 * at once, against OpenSSH's sshd; asserted on what is on the server: the CSVs' rows and
 * every recording's sha256.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import Papa from 'papaparse'
import { afterEach, describe, expect, it } from 'vitest'
import { hasSshd, skipWithReason } from '../../helpers/system'
import { runCli, type CliRun } from './cli'
import { listServerRoot, startServer, type TestServer } from './servers'
import { checkedFixture, makeKeyPair, sha256File, tempDir } from './support'

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

export async function overlapSetup(name: string, rows: number, recordingBytes: number) {
  const work = await tempDir(`overlap-${name}`)
  const key = await makeKeyPair(work)
  const server = await startServer('sshd', work, key.publicKey)
  servers.push(server)
  const fixture = await checkedFixture(path.join(work, 'batch'), { rows, recordingBytes })
  /** The upload command for one export (`csv`) from one app home. */
  const upload = (csv: string, home: string, extra: string[] = []): Promise<CliRun> =>
    runCli([
      'upload', fixture.gen.dir, '--csv', csv, '--host', server.host, '--port', String(server.port), '--user', server.username,
      '--key', path.join(work, 'id_ed25519'), '--known-hosts', server.knownHostsPath, '--state-dir', path.join(home, 'state'),
      // Slow enough that every run is still sending recordings when the first one commits.
      '--bwlimit', '4M', '--json', ...extra,
    ], { BULK_UPLOAD_HOME: home })
  return { work, server, fixture, upload }
}

/** The CSVs on the server, each as its data rows' contact references. */
export async function csvsOnServer(server: TestServer, refColumn: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  for (const name of (await listServerRoot(server.root)).filter((n) => n.endsWith('.csv'))) {
    const rows = Papa.parse<string[]>((await readFile(path.join(server.root, name), 'utf8')).trim()).data
    const col = rows[0]!.indexOf(refColumn)
    out.set(name, rows.slice(1).map((r) => r[col]!))
  }
  return out
}

/** Every eligible conversation in exactly one CSV, every recording byte for byte, no `.part` left. */
export async function expectEachOnce(t: Awaited<ReturnType<typeof overlapSetup>>): Promise<Map<string, string[]>> {
  const source = Papa.parse<string[]>((await readFile(t.fixture.gen.csvPath, 'utf8')).trim()).data
  const refCol = source[0]!.indexOf(t.fixture.gen.mapping.contactReference)
  const eligible = t.fixture.checked.manifest.recordings.flatMap((r) => r.rows).map((row) => source[row]![refCol]!)
  const csvs = await csvsOnServer(t.server, t.fixture.gen.mapping.contactReference)
  const all = [...csvs.values()].flat()
  expect(all.length - new Set(all).size, 'conversations found in more than one CSV').toBe(0)
  expect(all.sort()).toEqual(eligible.sort())
  for (const r of t.fixture.checked.manifest.recordings) expect(await sha256File(path.join(t.server.root, r.remoteName)), r.remoteName).toBe(await sha256File(r.localPath))
  expect((await listServerRoot(t.server.root)).filter((n) => n.endsWith('.part'))).toEqual([])
  return csvs
}

/** Copies of the export, copy k with one cell of row k changed: each copy is a batch of its own. */
export async function editedCopies(t: Awaited<ReturnType<typeof overlapSetup>>, count: number): Promise<string[]> {
  const records = Papa.parse<string[]>((await readFile(t.fixture.gen.csvPath, 'utf8')).trim()).data
  const notes = records[0]!.indexOf('Notes')
  const dir = path.join(t.work, 'exports')
  await mkdir(dir, { recursive: true })
  const files: string[] = []
  for (let k = 1; k <= count; k++) {
    const copy = records.map((r, i) => (i === k ? r.map((cell, c) => (c === notes ? `${cell} (edited in copy ${k})` : cell)) : r))
    const file = path.join(dir, `export-${k}.csv`)
    await writeFile(file, Papa.unparse(copy))
    files.push(file)
  }
  return files
}

function summary(run: CliRun): { uploaded: number; alreadyDelivered: number } {
  expect(run.code, run.stderr).toBe(0)
  return JSON.parse(run.stdout) as { uploaded: number; alreadyDelivered: number }
}

describe.skipIf(skipWithReason(hasSshd(), 'overlapping runs against OpenSSH sshd'))('overlapping runs to one destination (OpenSSH sshd)', () => {
  it('4 edited copies of one export sent at once from one app home: each conversation in exactly one CSV', async () => {
    const t = await overlapSetup('four-exports', 60, 60_000)
    const home = path.join(t.work, 'home')
    const copies = await editedCopies(t, 4)
    const runs = await Promise.all(copies.map((csv) => t.upload(csv, home)))
    const summaries = runs.map(summary)
    const csvs = await expectEachOnce(t)
    // Rows the first commit delivered are counted as already delivered by the others, not sent.
    expect(summaries.reduce((n, s) => n + s.uploaded, 0)).toBe(60)
    expect(summaries.reduce((n, s) => n + s.uploaded + s.alreadyDelivered, 0)).toBe(4 * 60)
    expect(csvs.size).toBeGreaterThanOrEqual(1)
  })

  it('one export sent at once from 3 app homes on one computer: each conversation in exactly one CSV', async () => {
    const t = await overlapSetup('three-homes', 40, 60_000)
    const runs = await Promise.all([1, 2, 3].map((n) => t.upload(t.fixture.gen.csvPath, path.join(t.work, `home-${n}`))))
    const summaries = runs.map(summary)
    await expectEachOnce(t)
    expect(summaries.reduce((n, s) => n + s.uploaded, 0)).toBe(40)
  })
})

describe('a CSV someone else put on the server', () => {
  it('named like the app\'s but with foreign columns: left alone with a warning, never blocks, never counts as delivered', async () => {
    const t = await overlapSetup('foreign-csv', 6, 2_000)
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
  })
})
