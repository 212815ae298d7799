/**
 * The desktop's known-agent list (issue 12) through the core service, as the settings use it:
 * the platform's user export picked by scanning its folder (Windows-1252, semicolons, accented
 * headers), its column chosen, imported for the sandbox destination (its real SFTP server is
 * started, as for any check against it); then a batch checked for that destination names its
 * agents off the list UNKNOWN_AGENT, and clearing the list brings NEW_AGENT back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { CoreService, WEB_HOST_ADAPTER } from '../../main/core-service'
import { flushLog } from '../../main/log'
import { generateBatch, type GeneratedBatch } from '../fixtures/generate-batch'
import type { BatchReport, BatchSpec } from '../../src/api'

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

async function checkForSandbox(): Promise<BatchReport> {
  expect((await service.scan([batch.dir])).ok).toBe(true)
  const spec: BatchSpec = { paths: [batch.dir], csvPath: batch.csvPath, mapping: { ...batch.mapping }, destinationId: 'sandbox' }
  const r = await service.validate(spec)
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

  it('notes agents never delivered as NEW_AGENT while no list is loaded', async () => {
    expect(await service.getKnownAgents('sandbox')).toEqual({ ok: true, value: { list: null, delivered: 0, strict: false } })
    const report = await checkForSandbox()
    expect(report.agents).toMatchObject({ code: 'NEW_AGENT', listSize: 0, distinct: 6 })
    expect(report.counts.UNKNOWN_AGENT ?? 0).toBe(0)
  })

  it('imports the chosen column, and the batch then flags the three agents off the list UNKNOWN_AGENT', async () => {
    const imported = await service.importAgentList('sandbox', usersCsv, 'Adresse électronique')
    if (!imported.ok) throw new Error(imported.error.message)
    expect(imported.value.list).toMatchObject({ ids: ['agent1@example.com', 'AGENT2@example.com', 'agent3@example.com'], source: usersCsv, column: 'Adresse électronique' })
    expect(await service.getKnownAgents('sandbox')).toMatchObject({ ok: true, value: { list: { ids: imported.value.list!.ids }, delivered: 0 } })

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
