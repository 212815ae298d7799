import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import Papa from 'papaparse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eligibleRowNumbers } from '../../../src/batch'
import { startUpload } from '../../../src/transfer/upload'
import { GESFTPSERVER } from '../../helpers/sshd'
import { hasSshd } from '../../helpers/system'
import { startServer, listServerRoot, type ServerKind, type TestServer } from './servers'
import { checkedFixture, makeKeyPair, sha256File, tempDir } from './support'

const kinds: ServerKind[] = ['sandbox-posix', 'sandbox-s3']
if (hasSshd().ok) kinds.push('sshd')
else console.warn(`SKIPPED upload to OpenSSH sshd: ${hasSshd().reason}`)
if (hasSshd().ok && existsSync(GESFTPSERVER)) kinds.push('gesftpserver')
else console.warn(`SKIPPED upload to gesftpserver: ${hasSshd().ok ? `${GESFTPSERVER} is missing (apt-get install gesftpserver)` : hasSshd().reason}`)

function parseCsv(text: string): string[][] {
  return Papa.parse<string[]>(text.trim(), { skipEmptyLines: true }).data
}

describe.each(kinds)('upload of a checked batch to %s', (kind) => {
  let server: TestServer
  let work: string
  let key: { privateKey: string; publicKey: string }

  beforeAll(async () => {
    work = await tempDir(`upload-${kind}`)
    key = await makeKeyPair(work)
    server = await startServer(kind, work, key.publicKey)
  })
  afterAll(async () => {
    await server?.close()
  })

  it('sends every eligible recording byte for byte, then exactly one CSV with exactly the eligible rows', async () => {
    const batchDir = path.join(work, 'batch')
    const { gen, spec, checked } = await checkedFixture(batchDir, {
      rows: 60,
      recordingBytes: 40_000,
      faults: { missingRecording: 2, invalidDate: 1, duplicateReference: 1, orphanRecording: 1, caseMismatch: 1 },
    })
    expect(checked.report.ready).toBe(true)
    const job = await startUpload({
      spec,
      checked,
      destination: { id: null, name: kind, host: server.host, port: server.port, username: server.username, remoteDir: '', privateKey: key.privateKey, knownHostsPath: server.knownHostsPath },
      stateDir: path.join(work, 'state'),
      concurrency: 4,
      retryDelaysMs: [50, 100],
    })
    const result = await job.done
    expect(result.stoppedBy).toBeNull()
    const { manifest } = checked
    expect(result.summary.uploaded).toBe(manifest.eligibleRows)
    expect(result.summary.excluded).toBe(gen.rows - gen.eligibleRows)
    expect(result.summary.failed).toBe(0)

    const listed = await listServerRoot(server.root)
    const csvs = listed.filter((n) => n.endsWith('.csv'))
    expect(csvs).toEqual([result.summary.csv])
    expect(listed.filter((n) => !n.endsWith('.csv') && !manifest.recordings.some((r) => r.remoteName === n))).toEqual([])
    for (const r of manifest.recordings) {
      expect(await sha256File(path.join(server.root, r.remoteName))).toBe(await sha256File(r.localPath))
    }
    const csvPath = path.join(server.root, result.summary.csv!)
    const csvMtime = (await stat(csvPath)).mtimeMs
    for (const r of manifest.recordings) expect((await stat(path.join(server.root, r.remoteName))).mtimeMs).toBeLessThanOrEqual(csvMtime)

    const uploaded = parseCsv(await readFile(csvPath, 'utf8'))
    const source = parseCsv(await readFile(gen.csvPath, 'utf8'))
    expect(uploaded[0]).toEqual(source[0])
    const refCol = source[0]!.indexOf(gen.mapping.contactReference)
    const expectedRefs = eligibleRowNumbers(manifest).map((row) => source[row]![refCol])
    expect(uploaded.slice(1).map((r) => r[refCol])).toEqual(expectedRefs)

    const report = JSON.parse(await readFile(result.summary.reportJson, 'utf8')) as { rows: Array<{ status: string; code: string }> }
    expect(report.rows).toHaveLength(gen.rows)
    expect(report.rows.filter((r) => r.status === 'uploaded')).toHaveLength(manifest.eligibleRows)
    expect(report.rows.filter((r) => r.status === 'excluded').map((r) => r.code)).toContain('MISSING_RECORDING')

    // The same command again: everything is already there, nothing is sent twice.
    const againEvents: string[] = []
    const again = await (await startUpload({
      spec, checked, onEvent: (e) => againEvents.push(e.kind),
      destination: { id: null, name: kind, host: server.host, port: server.port, username: server.username, remoteDir: '', privateKey: key.privateKey, knownHostsPath: server.knownHostsPath },
      stateDir: path.join(work, 'state'),
    })).done
    expect(again.nothingNew).toBe(true)
    expect(againEvents).toEqual(['batch-done'])
    expect(await listServerRoot(server.root)).toEqual(listed)
    expect((await stat(csvPath)).mtimeMs).toBe(csvMtime)
  })

  it('sends recordings larger than the bytes kept in flight byte for byte (writes, close and stat back to back)', async () => {
    // A server of its own: the first test's CSV on the other one names these references.
    const own = await startServer(kind, await tempDir(`upload-large-${kind}`), key.publicKey)
    try {
      const { spec, checked } = await checkedFixture(path.join(work, 'large-batch'), { rows: 3, recordingBytes: 9_000_000 })
      const job = await startUpload({
        spec,
        checked,
        destination: { id: null, name: kind, host: own.host, port: own.port, username: own.username, remoteDir: '', privateKey: key.privateKey, knownHostsPath: own.knownHostsPath },
        stateDir: path.join(work, 'large-state'),
        home: path.join(work, 'large-home'), // its own ledger too
        concurrency: 2,
        retryDelaysMs: [50, 100],
      })
      const result = await job.done
      expect(result.summary.failed).toBe(0)
      expect(result.summary.uploaded).toBe(3)
      expect(checked.manifest.recordings).toHaveLength(3)
      for (const r of checked.manifest.recordings) {
        expect(await sha256File(path.join(own.root, r.remoteName))).toBe(await sha256File(r.localPath))
      }
    } finally {
      await own.close()
    }
  })
})
