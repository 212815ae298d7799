/**
 * Settings → Team ledger through the web host (its WebSocket transport and the core service
 * behind it), against a real PostgreSQL server started here: with the setting on, History
 * lists a delivery another computer recorded and Review's check flags its rows as already
 * delivered; an upload records its delivery where the other computer sees it, and "Do this
 * automatically" saves a job on the same ledger (never its password); an unreachable database
 * is the TEAM_LEDGER_UNREACHABLE sentence, without the password or a stack trace.
 */
import { readdir, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchSpec, BulkUploadApi, Destination, Result, Settings, UploadEvent } from '../../src/api'
import { ERROR_MESSAGES } from '../../src/errors'
import { destinationKey } from '../../src/ledger/destination-key'
import { TeamLedger } from '../../src/ledger/team-ledger'
import { DEFAULT_SETTINGS } from '../../main/settings-store'
import { flushLog } from '../../main/log'
import { startSandbox, type SandboxServer } from '../../src/sandbox'
import { generateBatch } from '../fixtures/generate-batch'
import { hasPostgres, startPostgres, type PostgresServer } from '../helpers/postgres'
import { freePort } from '../helpers/sshd'
import { skipWithReason } from '../helpers/system'
import { startTestWebHost, type TestWebHost } from '../helpers/web-host'
import { tempDir } from './upload/support'

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error))
  return r.value
}

describe.skipIf(skipWithReason(hasPostgres(), 'the desktop app on a team ledger (PostgreSQL)'))('Settings → Team ledger, through the web host', () => {
  let pg: PostgresServer
  let work: string
  let host: TestWebHost
  let api: BulkUploadApi
  let server: SandboxServer
  let destination: Destination
  let spec: BatchSpec
  /** The batch's rows as Review lists them: reference, recording, size. */
  let rows: Array<{ row: number; reference: string; file: string; size: number }>
  const events: UploadEvent[] = []
  /** The end of an upload started after `from` events had arrived (a batch sent again keeps its id). */
  const endOf = async (batchId: string, from: number) => {
    const find = () => events.slice(from).find((e) => e.batchId === batchId && (e.kind === 'batch-done' || e.kind === 'batch-failed'))
    await expect.poll(find, { timeout: 120_000 }).toBeTruthy()
    return find()!
  }

  const settings = async (change: Partial<Settings>) => value(await api.saveSettings({ ...DEFAULT_SETTINGS, ...change }))
  /** Another computer sending to the same account: its own connection to the same database. */
  const otherComputer = (url: string) => TeamLedger.open(url, destinationKey(destination))

  beforeAll(async () => {
    pg = await startPostgres()
    work = await tempDir('team-ledger-app')
    host = await startTestWebHost(work, path.join(work, 'home'))
    api = host.client()
    api.onUploadEvent((e) => events.push(e))
    const key = value(await api.generateKey('platform', 'ed25519', null))
    server = await startSandbox({ root: path.join(work, 'server'), authorizedKeys: [key.publicKey], hostKeyPath: path.join(work, 'host-key') })
    destination = value(await api.saveDestination({ name: 'evaluagent Leeds', host: server.host, port: server.port, username: server.username, keyName: 'platform', remoteDir: '' }))
    const batch = await generateBatch(path.join(work, 'exports', 'day-1'), { rows: 6, recordingBytes: 4_000 })
    spec = { paths: [path.dirname(batch.csvPath)], csvPath: batch.csvPath, mapping: batch.mapping, destinationId: destination.id }
    value(await api.scan(spec.paths)) // the user adds the folder
    const report = value(await api.validate(spec))
    rows = value(await api.listRecordings(report.checkId, 0, 100)).rows.map((r) => ({ row: r.row, reference: r.reference, file: r.file, size: r.size }))
    expect(rows).toHaveLength(6)
  })
  afterAll(async () => {
    await host?.close()
    await server?.close()
    await pg?.close()
    await flushLog()
    if (work) await rm(work, { recursive: true, force: true })
  })

  it('with the setting on, History lists another computer\'s delivery and Review flags its rows as already delivered', async () => {
    const url = await pg.createDatabase('site_b_first')
    const siteB = await otherComputer(url)
    try {
      await siteB.recordDelivery(
        { batchId: 'site-b-1', csvName: 'calls-site-b.csv', rows: 2, bytes: 8_000, deliveredAt: '2024-05-30T17:05:00.000Z', sourceCsv: '/srv/exports/calls.csv', reportCsv: null, reportJson: null },
        rows.slice(0, 2).map((r) => ({ reference: r.reference, recording: r.file, size: r.size, sha256: 'ab'.repeat(32) })),
      )
    } finally {
      await siteB.close()
    }
    // This computer's own ledger knows nothing of it.
    expect(value(await api.listHistory(destination.id))).toEqual([])
    expect(value(await api.validate(spec)).alreadyDelivered ?? 0).toBe(0)

    expect(await settings({ teamLedger: url })).toMatchObject({ teamLedger: url })
    expect(value(await api.listHistory(destination.id))).toEqual([expect.objectContaining({ csvName: 'calls-site-b.csv', rows: 2, batchId: 'site-b-1' })])
    const report = value(await api.validate(spec))
    expect(report).toMatchObject({ alreadyDelivered: 2, counts: { ALREADY_DELIVERED: 2 } })
    const flagged = value(await api.listIssues(report.checkId, { offset: 0, limit: 50, code: 'ALREADY_DELIVERED' }))
    expect(flagged.issues.map((i) => i.row).sort()).toEqual(rows.slice(0, 2).map((r) => r.row).sort())
    for (const issue of flagged.issues) expect(issue.message).toMatch(/calls-site-b\.csv/)
    // The sandbox keeps its own ledger: another computer's trial batches are not this one's.
    expect(value(await api.listHistory('sandbox'))).toEqual([])
  })

  it('an upload with the setting on is recorded in the team ledger, and a saved job uses the same ledger', async () => {
    const url = await pg.createDatabase('upload_from_app')
    await settings({ teamLedger: url })
    const check = value(await api.testConnection(destination.id, null))
    if (!check.trusted) value(await api.trustHost(destination.id, check.hostKey.fingerprint))
    const from = events.length
    const { batchId } = value(await api.startUpload(spec, destination.id, null))
    const end = await endOf(batchId, from)
    if (end.kind !== 'batch-done') throw new Error(JSON.stringify(end))
    expect(end.summary).toMatchObject({ uploaded: 6 })

    const siteB = await otherComputer(url)
    try {
      const delivered = siteB.records.history()
      expect(delivered).toHaveLength(1)
      expect(delivered[0]!.rows).toBe(6)
      expect(siteB.records.lookup(rows.map((r) => r.reference)).size).toBe(6)
    } finally {
      await siteB.close()
    }
    // Recorded there, not in this computer's own ledger.
    await settings({ teamLedger: '' })
    expect(value(await api.listHistory(destination.id))).toEqual([])
    await settings({ teamLedger: url })
    expect(value(await api.listHistory(destination.id))).toHaveLength(1)

    value(await api.saveJob({ name: 'leeds-nightly', root: path.join(work, 'exports'), spec, destinationId: destination.id }))
    const job = JSON.parse(await readFile(path.join(work, 'home', 'jobs', 'leeds-nightly.json'), 'utf8')) as { options: { ledger?: string } }
    expect(job.options.ledger).toBe(url)
  })

  it('an unreachable team ledger is the TEAM_LEDGER_UNREACHABLE sentence, without its password or a stack trace, and nothing is sent', async () => {
    const address = `postgresql://qa:hunter2@127.0.0.1:${await freePort()}/deliveries`
    // A well-formed address is saved as is: whether it answers is known when it is used.
    await settings({ teamLedger: address })
    const before = await readdir(server.root).catch(() => [] as string[])
    for (const answer of [await api.listHistory(destination.id), await api.validate({ ...spec, resendDelivered: true })]) {
      expect(answer).toMatchObject({ ok: false, error: { code: 'TEAM_LEDGER_UNREACHABLE', message: ERROR_MESSAGES.TEAM_LEDGER_UNREACHABLE } })
      const text = JSON.stringify(answer)
      expect(text).not.toContain('hunter2')
      expect(text).not.toMatch(/\n\s+at /)
    }
    // An upload started anyway stops before sending anything, with the same sentence.
    const from = events.length
    const started = await api.startUpload({ ...spec, resendDelivered: true }, destination.id, null)
    let error = started.ok ? undefined : started.error
    if (started.ok) {
      const end = await endOf(started.value.batchId, from)
      if (end.kind !== 'batch-failed') throw new Error(`the upload ended without the team ledger: ${JSON.stringify(end)}`)
      error = end.error
    }
    expect(error).toMatchObject({ code: 'TEAM_LEDGER_UNREACHABLE', message: ERROR_MESSAGES.TEAM_LEDGER_UNREACHABLE })
    expect(JSON.stringify(error)).not.toContain('hunter2')
    // "Do this automatically" keeps no password in the job file: it says where the password goes instead.
    const job = await api.saveJob({ name: 'with-password', root: path.join(work, 'exports'), spec, destinationId: destination.id })
    expect(job).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT', message: expect.stringMatching(/never keeps the team ledger's password.*~\/\.pgpass/) } })
    expect(JSON.stringify(job)).not.toContain('hunter2')
    // Nor does the app's log, which records every refusal and failure.
    await flushLog()
    const logged = await readFile(path.join(work, 'home', 'logs', 'bulk-upload.log'), 'utf8')
    expect(logged).toMatch(/TEAM_LEDGER_UNREACHABLE/)
    expect(logged).not.toContain('hunter2')
    expect((await readdir(server.root).catch(() => [] as string[])).filter((f) => f.endsWith('.csv'))).toEqual(before.filter((f) => f.endsWith('.csv')))
  })
})
