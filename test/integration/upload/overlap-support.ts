/**
 * Shared by the overlap tests (issue 27): an export against OpenSSH's sshd, the upload
 * command for one export from one app home, and what "each conversation in exactly one CSV"
 * means on the server.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import Papa from 'papaparse'
import { expect } from 'vitest'
import { runCli, type CliRun } from './cli'
import { listServerRoot, startServer, type TestServer } from './servers'
import { checkedFixture, makeKeyPair, sha256File, tempDir } from './support'

/** An export and sshd; the server is pushed on `servers` for the test file to close. */
export async function overlapSetup(servers: TestServer[], name: string, rows: number, recordingBytes: number) {
  const work = await tempDir(`overlap-${name}`)
  const key = await makeKeyPair(work)
  const server = await startServer('sshd', work, key.publicKey)
  servers.push(server)
  const fixture = await checkedFixture(path.join(work, 'batch'), { rows, recordingBytes })
  /** The upload command for one export (`csv`) from one app home. */
  const upload = (csv: string, home: string, extra: string[] = [], onSpawn?: (pid: number) => void): Promise<CliRun> =>
    runCli([
      'upload', fixture.gen.dir, '--csv', csv, '--host', server.host, '--port', String(server.port), '--user', server.username,
      '--key', path.join(work, 'id_ed25519'), '--known-hosts', server.knownHostsPath, '--state-dir', path.join(home, 'state'),
      // Slow enough that every run is still sending recordings when the first one commits.
      '--bwlimit', '4M', '--json', ...extra,
    ], { BULK_UPLOAD_HOME: home }, onSpawn)
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
export type OverlapSetup = Awaited<ReturnType<typeof overlapSetup>>

export async function expectEachOnce(t: OverlapSetup): Promise<Map<string, string[]>> {
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

interface RunSummary {
  uploaded: number
  sentEarlier: number
  skipped: number
  alreadyDelivered: number
  nothingNew: boolean
  /** Rows this run's CSV carried: its recordings uploaded by it, or found on the server (another run of the overlap may have sent them). */
  inCsv: number
}

/** The JSON summary of a run that exited 0. */
export function summary(run: CliRun): RunSummary {
  expect(run.code, run.stderr).toBe(0)
  const s = JSON.parse(run.stdout) as Omit<RunSummary, 'inCsv'>
  return { ...s, inCsv: s.uploaded + s.sentEarlier + s.skipped }
}
