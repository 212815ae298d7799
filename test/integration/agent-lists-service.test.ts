/**
 * The desktop's known-agent list (issue 12) through the core service, as the settings use it:
 * the platform's user export picked by scanning its folder (Windows-1252, semicolons, accented
 * headers), its column chosen, imported for the sandbox destination (its real SFTP server is
 * started, as for any check against it); then a batch checked for that destination names its
 * agents off the list UNKNOWN_AGENT, and clearing the list brings NEW_AGENT back; agents
 * confirmed (Review's "These agents are right") are flagged no more, and a delivery makes no
 * agent known (issue 22). With the
 * destination's strict setting on, the rows of those agents are left out of the upload (the
 * CSV on the sandbox server holds only the others); off again, they are sent with a warning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import Papa from 'papaparse'
import { CoreService, WEB_HOST_ADAPTER } from '../../main/core-service'
import { flushLog } from '../../main/log'
import { generateBatch, type GeneratedBatch } from '../fixtures/generate-batch'
import type { BatchReport, BatchSpec, UploadEvent } from '../../src/api'

let dir: string
let service: CoreService
let batch: GeneratedBatch
let usersCsv: string

// Rows 1..6 of the generated batch name agent1..agent6@example.com; the platform knows 1 to 3.
const EXPORT = 'Nom;Adresse électronique;Équipe\r\nJosé Núñez;agent1@example.com;Ventes\r\nZoë Müller;AGENT2@example.com ;Support\r\nBjörn Ås;agent3@example.com;Support\r\nSans adresse;;Support\r\n'

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bu-agent-lists-'))
  batch = await generateBatch(path.join(dir, 'may'), { rows: 6 })
  await mkdir(path.join(dir, 'platform-export'))
  usersCsv = path.join(dir, 'platform-export', 'users.csv')
  await writeFile(usersCsv, Buffer.from(EXPORT, 'latin1'))
  service = new CoreService({ home: path.join(dir, 'home'), host: WEB_HOST_ADAPTER })
})
afterAll(async () => {
  await service.close()
  await flushLog()
  await rm(dir, { recursive: true, force: true })
})

const specFor = (): BatchSpec => ({ paths: [batch.dir], csvPath: batch.csvPath, mapping: { ...batch.mapping }, destinationId: 'sandbox' })

async function checkForSandbox(): Promise<BatchReport> {
  expect((await service.scan([batch.dir])).ok).toBe(true)
  const r = await service.validate(specFor())
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

describe('a known-agent list imported in the settings', () => {
  it('reads only a CSV the user picked, with its headers decoded from Windows-1252', async () => {
    expect(await service.previewAgentList(usersCsv)).toMatchObject({ ok: false, error: { code: 'OUT_OF_SCOPE' } })
    const scan = await service.scan([path.dirname(usersCsv)])
    expect(scan.ok && scan.value.csvFiles.map((f) => f.path)).toEqual([usersCsv])
    const preview = await service.previewAgentList(usersCsv)
    expect(preview).toMatchObject({ ok: true, value: { path: usersCsv, headers: ['Nom', 'Adresse électronique', 'Équipe'] } })
  })

  it('notes agents never confirmed as NEW_AGENT while no list is loaded', async () => {
    expect(await service.getKnownAgents('sandbox')).toEqual({ ok: true, value: { list: null, confirmed: 0, earlierDeliveries: 0, strict: false } })
    const report = await checkForSandbox()
    expect(report.agents).toMatchObject({ code: 'NEW_AGENT', listSize: 0, distinct: 6 })
    expect(report.counts.UNKNOWN_AGENT ?? 0).toBe(0)
  })

  it('imports the chosen column, and the batch then flags the three agents off the list UNKNOWN_AGENT', async () => {
    const imported = await service.importAgentList('sandbox', usersCsv, 'Adresse électronique')
    if (!imported.ok) throw new Error(imported.error.message)
    expect(imported.value.list).toMatchObject({ ids: ['agent1@example.com', 'AGENT2@example.com', 'agent3@example.com'], source: usersCsv, column: 'Adresse électronique' })
    expect(await service.getKnownAgents('sandbox')).toMatchObject({ ok: true, value: { list: { ids: imported.value.list!.ids }, confirmed: 0 } })

    const report = await checkForSandbox()
    expect(report.agents).toMatchObject({ code: 'UNKNOWN_AGENT', listSize: 3, distinct: 6, concernedTotal: 3 })
    expect(report.agents!.concerned.map((c) => c.agent).sort()).toEqual(['agent4@example.com', 'agent5@example.com', 'agent6@example.com'])
    expect(report.counts.UNKNOWN_AGENT).toBe(3)
    const issues = await service.listIssues(report.checkId, { offset: 0, limit: 50, code: 'UNKNOWN_AGENT' })
    expect(issues.ok && issues.value.issues.map((i) => i.row).sort()).toEqual([4, 5, 6])
  })

  it('a column without IDs is refused and leaves the list as it was', async () => {
    await writeFile(usersCsv, Buffer.from('Nom;Adresse électronique;Équipe\r\nJosé;;Ventes\r\n', 'latin1'))
    const r = await service.importAgentList('sandbox', usersCsv, 'Adresse électronique')
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } })
    expect((await service.getKnownAgents('sandbox'))).toMatchObject({ ok: true, value: { list: { ids: ['agent1@example.com', 'AGENT2@example.com', 'agent3@example.com'] } } })
  })

  it('edited by hand: one added is known, and clearing brings NEW_AGENT back', async () => {
    const added = await service.saveAgentList('sandbox', ['agent1@example.com', 'AGENT2@example.com', 'agent3@example.com', 'agent4@example.com', 'Agent4@Example.com'])
    expect(added.ok && added.value.list!.ids).toEqual(['agent1@example.com', 'AGENT2@example.com', 'agent3@example.com', 'agent4@example.com'])
    expect((await checkForSandbox()).counts.UNKNOWN_AGENT).toBe(2)
    expect(await service.saveAgentList('sandbox', [])).toMatchObject({ ok: true, value: { list: null } })
    const report = await checkForSandbox()
    expect(report.agents?.code).toBe('NEW_AGENT')
    expect(report.counts.UNKNOWN_AGENT ?? 0).toBe(0)
  })
})

/** Uploads the batch to the sandbox as the wizard does; the CSV it wrote, read back from the server, and every name there. */
async function uploadToSandbox(): Promise<{ rows: Array<Record<string, string>>; onServer: string[] }> {
  const serverDir = path.join(dir, 'home', 'sandbox-server')
  const before = new Set(await readdir(serverDir).catch(() => [] as string[]))
  const events: UploadEvent[] = []
  const off = service.onUploadEvent((e) => events.push(e))
  try {
    const started = await service.startUpload(specFor(), 'sandbox', null)
    if (!started.ok) throw new Error(started.error.message)
    const end = () => events.find((e) => (e.kind === 'batch-done' || e.kind === 'batch-failed') && e.batchId === started.value.batchId)
    await expect.poll(end, { timeout: 30_000 }).toBeTruthy()
    if (end()?.kind !== 'batch-done') throw new Error(JSON.stringify(end()))
  } finally {
    off()
  }
  const onServer = (await readdir(serverDir)).filter((n) => !n.startsWith('.'))
  const csvs = onServer.filter((n) => n.endsWith('.csv') && !before.has(n))
  expect(csvs).toHaveLength(1)
  const parsed = Papa.parse<Record<string, string>>(await readFile(path.join(serverDir, csvs[0]!), 'utf8'), { header: true, skipEmptyLines: true })
  return { rows: parsed.data, onServer }
}

describe('the destination\'s strict setting, changed in the settings', () => {
  const agentsOf = (rows: Array<Record<string, string>>) => rows.map((r) => r[batch.mapping.agentId]).sort()

  it('makes unknown agents errors: the next check leaves their rows out, and the uploaded CSV holds only the others', async () => {
    await writeFile(usersCsv, Buffer.from(EXPORT, 'latin1'))
    expect((await service.importAgentList('sandbox', usersCsv, 'Adresse électronique')).ok).toBe(true)
    const set = await service.setStrictAgents('sandbox', true)
    expect(set).toMatchObject({ ok: true, value: { strict: true, list: { ids: ['agent1@example.com', 'AGENT2@example.com', 'agent3@example.com'] } } })
    expect(await service.getKnownAgents('sandbox')).toMatchObject({ ok: true, value: { strict: true } })

    const report = await checkForSandbox()
    expect(report.agents).toMatchObject({ code: 'UNKNOWN_AGENT', strict: true, concernedTotal: 3 })
    expect(report.eligible).toBe(3)
    const errors = await service.listIssues(report.checkId, { offset: 0, limit: 50, code: 'UNKNOWN_AGENT' })
    expect(errors.ok && errors.value.issues.map((i) => [i.row, i.severity])).toEqual([[4, 'error'], [5, 'error'], [6, 'error']])

    const check = await service.testConnection('sandbox', null)
    if (!check.ok) throw new Error(check.error.message)
    expect((await service.trustHost('sandbox', check.value.hostKey.fingerprint)).ok).toBe(true)
    const sent = await uploadToSandbox()
    expect(agentsOf(sent.rows)).toEqual(['agent1@example.com', 'agent2@example.com', 'agent3@example.com'])
    // Left out means not sent at all: the recordings of rows 4 to 6 are not on the server either.
    const audio = batch.mapping.audioFilename!
    const rowsCsv = Papa.parse<Record<string, string>>(await readFile(batch.csvPath, 'utf8'), { header: true, skipEmptyLines: true }).data
    for (const row of rowsCsv.slice(3)) expect(sent.onServer).not.toContain(path.basename(row[audio]!))
    for (const row of rowsCsv.slice(0, 3)) expect(sent.onServer).toContain(path.basename(row[audio]!))
  })

  it('off again: the same batch sends the rows of those agents, with a warning', async () => {
    expect(await service.setStrictAgents('sandbox', false)).toMatchObject({ ok: true, value: { strict: false } })
    const report = await checkForSandbox()
    expect(report.agents).toMatchObject({ code: 'UNKNOWN_AGENT', strict: false, concernedTotal: 3 })
    const warnings = await service.listIssues(report.checkId, { offset: 0, limit: 50, code: 'UNKNOWN_AGENT' })
    expect(warnings.ok && warnings.value.issues.map((i) => [i.row, i.severity])).toEqual([[4, 'warning'], [5, 'warning'], [6, 'warning']])
    // Rows 1 to 3 reached the platform in the first CSV; only 4 to 6 are left to send.
    expect(report.alreadyDelivered).toBe(3)
    const sent = await uploadToSandbox()
    expect(agentsOf(sent.rows)).toEqual(['agent4@example.com', 'agent5@example.com', 'agent6@example.com'])
  })
})

describe('agents confirmed for the destination', () => {
  it('are known from then on: the delivery before made none known, a confirmation does', async () => {
    // Rows 1 to 6 were all delivered above; the list cleared, nothing was confirmed.
    expect((await service.saveAgentList('sandbox', [])).ok).toBe(true)
    const before = await service.validate({ ...specFor(), resendDelivered: true })
    if (!before.ok) throw new Error(before.error.message)
    expect(before.value.agents).toMatchObject({ code: 'NEW_AGENT', concernedTotal: 6, deliveredSize: 0 })

    const confirmed = await service.confirmAgents('sandbox', ['agent1@example.com', 'AGENT2@example.com ', 'agent1@example.com'])
    expect(confirmed).toMatchObject({ ok: true, value: { confirmed: 2, list: null } })
    const after = await service.validate({ ...specFor(), resendDelivered: true })
    if (!after.ok) throw new Error(after.error.message)
    expect(after.value.agents).toMatchObject({ code: 'NEW_AGENT', concernedTotal: 4, deliveredSize: 2 })
    expect(after.value.agents!.concerned.map((c) => c.agent)).toEqual(['agent3@example.com', 'agent4@example.com', 'agent5@example.com', 'agent6@example.com'])
    expect(after.value.counts.NEW_AGENT).toBe(4)
  })
})
