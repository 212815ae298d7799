/**
 * A resumed batch is one delivery (issue 22, item 4): what an interrupted attempt sent counts
 * as sent by this batch, apart from what was on the server before it; the delivery's bytes
 * are those of every attempt; each run keeps its own report; every row of a report names its
 * recording and a code, rows delivered before included.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import Papa from 'papaparse'
import { afterEach, describe, expect, it } from 'vitest'
import type { UploadEvent } from '../../../src/api'
import { DeliveryLedger } from '../../../src/ledger/ledger'
import { startUpload, type UploadDestination } from '../../../src/transfer/upload'
import { startServer, type TestServer } from './servers'
import { checkedFixture, makeKeyPair, tempDir } from './support'

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

interface ReportRow {
  row: number
  contactReference: string
  recording: string
  status: string
  code: string
}

async function setup() {
  const work = await tempDir('resumed-report')
  const key = await makeKeyPair(work)
  const server = await startServer('sandbox-posix', work, key.publicKey)
  servers.push(server)
  // 2 rows whose recording is missing: excluded, with a code and the recording they name.
  const fixture = await checkedFixture(path.join(work, 'batch'), { rows: 12, recordingBytes: 200_000, faults: { missingRecording: 2 } })
  const destination: UploadDestination = { id: null, name: 'sandbox', host: server.host, port: server.port, username: server.username, remoteDir: '', privateKey: key.privateKey, knownHostsPath: server.knownHostsPath }
  const home = path.join(work, 'home')
  const upload = (onEvent?: (e: UploadEvent) => void, checked = fixture.checked, spec = fixture.spec) =>
    startUpload({ spec, checked, destination, home, stateDir: path.join(work, 'state'), concurrency: 2, ...(onEvent ? { onEvent } : {}) })
  return { work, server, fixture, destination, home, upload }
}

async function reportRows(file: string): Promise<ReportRow[]> {
  return (JSON.parse(await readFile(file, 'utf8')) as { rows: ReportRow[] }).rows
}

describe('a resumed batch', () => {
  it('counts what its interrupted attempt sent as sent by this batch, records the bytes of every attempt, and keeps each run\'s report', async () => {
    const t = await setup()
    const recordings = t.fixture.checked.manifest.recordings
    const totalBytes = recordings.reduce((n, r) => n + r.size, 0)
    t.server.sandbox!.setFaults({ throttleBytesPerSecond: 1_000_000 })
    let done = 0
    const first = await t.upload((e) => {
      if (e.kind === 'file-done' && ++done === 4) first.cancel()
    })
    const cancelled = await first.done
    expect(cancelled.stoppedBy?.code).toBe('CANCELLED')
    t.server.sandbox!.setFaults({ throttleBytesPerSecond: null })

    const result = await (await t.upload()).done
    expect(result.stoppedBy).toBeNull()
    const s = result.summary
    const eligible = recordings.flatMap((r) => r.rows).length
    expect(s.skipped).toBe(0) // nothing was on the server before this batch
    expect((s.sentEarlier ?? 0)).toBeGreaterThanOrEqual(4)
    expect(s.uploaded + (s.sentEarlier ?? 0)).toBe(eligible)

    // History: one delivery, with the bytes of every attempt.
    const ledger = await DeliveryLedger.open(t.home, t.destination)
    try {
      expect(ledger.history().map((d) => ({ rows: d.rows, bytes: d.bytes }))).toEqual([{ rows: eligible, bytes: totalBytes }])
    } finally {
      ledger.close()
    }

    // Each run has its own report; the second's rows say which recordings the first sent.
    expect(s.reportJson).not.toBe(cancelled.summary.reportJson)
    const batchFolder = path.dirname(s.reportJson)
    expect((await readdir(batchFolder)).filter((n) => /^report-.*\.json$/.test(n))).toHaveLength(2)
    const rows = await reportRows(s.reportJson)
    expect(rows.filter((r) => r.status === 'sent-earlier').length).toBe(s.sentEarlier)
    expect(rows.filter((r) => r.status === 'uploaded').length).toBe(s.uploaded)
    for (const r of rows.filter((x) => x.status === 'excluded')) expect(r).toMatchObject({ code: 'MISSING_RECORDING', recording: expect.stringMatching(/\.wav$/) })
    expect(rows.filter((r) => r.status === 'excluded')).toHaveLength(2)
  })

  it('a later export\'s report marks the rows delivered before as delivered-earlier, with ALREADY_DELIVERED and their recording', async () => {
    const t = await setup()
    expect((await (await t.upload()).done).stoppedBy).toBeNull()
    // The same calls exported again with one more column: another batch, every row delivered.
    const csv = await readFile(t.fixture.gen.csvPath, 'utf8')
    const records = Papa.parse<string[]>(csv.trim()).data
    const again = path.join(t.work, 'again.csv')
    await writeFile(again, Papa.unparse(records.map((r, i) => [...r, i === 0 ? 'Wrap-up' : 'ok'])))
    const spec = { ...t.fixture.spec, csvPath: again }
    const { validateBatch } = await import('../../../src/batch')
    const checked = await validateBatch(spec)
    const result = await (await t.upload(undefined, checked, spec)).done
    expect(result.nothingNew).toBe(true)
    const rows = await reportRows(result.summary.reportJson)
    const delivered = rows.filter((r) => r.status === 'delivered-earlier')
    expect(delivered.length).toBe(result.summary.alreadyDelivered)
    for (const r of delivered) expect(r).toMatchObject({ code: 'ALREADY_DELIVERED', recording: expect.stringMatching(/\.wav$/) })
  })
})
