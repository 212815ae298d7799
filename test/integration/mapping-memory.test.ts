/**
 * Mapping memory through the real core service over the web host: a batch checked with a
 * mapping teaches it to the app; the next CSV with the very same header is previewed with that
 * mapping and the name of the CSV it came from; a CSV with other columns gets none; the memory
 * survives a restart of the host (it is in the data folder). A CSV with a new header whose
 * columns are those of the last destination's platform layout gets the layout's mapping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import type { UploadEvent } from '../../src/api'
import { flushLog } from '../../main/log'
import { generateBatch, type GeneratedBatch } from '../fixtures/generate-batch'
import { startTestWebHost } from '../helpers/web-host'

let dir: string
let april: GeneratedBatch
let may: GeneratedBatch

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bu-mapmem-'))
  april = await generateBatch(path.join(dir, 'april'), { rows: 5 })
  may = await generateBatch(path.join(dir, 'may'), { rows: 7 })
})
afterAll(async () => {
  await flushLog()
  await rm(dir, { recursive: true, force: true })
})

describe('mapping memory', () => {
  it('applies the mapping used for a CSV with the same header, names where it came from, and keeps it across restarts', async () => {
    const home = path.join(dir, 'home')
    let host = await startTestWebHost(dir, home)
    try {
      const api = host.client()
      expect((await api.scan([april.dir, may.dir])).ok).toBe(true)
      const first = await api.previewCsv(april.csvPath)
      expect(first.ok && first.value.remembered).toBeNull()
      // The user maps the platform's optional audio field to nothing: not what the suggestion says.
      const chosen = { contactReference: april.mapping.contactReference, agentId: april.mapping.agentId, contactDate: april.mapping.contactDate }
      expect((await api.validate({ paths: [april.dir], csvPath: april.csvPath, mapping: chosen })).ok).toBe(true)
      const next = await api.previewCsv(may.csvPath)
      expect(next.ok && next.value.remembered).toMatchObject({ profile: chosen, from: path.basename(april.csvPath) })
      expect((await stat(path.join(home, 'mappings.json'))).mode & 0o777).toBe(0o600)
    } finally {
      await host.close()
    }

    host = await startTestWebHost(dir, home)
    try {
      const api = host.client()
      const other = path.join(dir, 'other')
      await generateBatch(other, { rows: 2 })
      const csv = path.join(other, 'renamed-columns.csv')
      await writeFile(csv, (await readFile(may.csvPath, 'utf8')).replace(may.headers[0]!, 'Reference number'))
      expect((await api.scan([may.dir, other])).ok).toBe(true)
      const again = await api.previewCsv(may.csvPath)
      expect(again.ok && again.value.remembered?.from).toBe(path.basename(april.csvPath))
      const changed = await api.previewCsv(csv)
      expect(changed.ok && changed.value.remembered).toBeNull()
    } finally {
      await host.close()
    }
  })

  it('maps a CSV by the last destination\'s platform layout when it names its columns as the layout does', async () => {
    const home = path.join(dir, 'home-layout')
    const host = await startTestWebHost(dir, home)
    try {
      const api = host.client()
      expect((await api.scan([april.dir])).ok).toBe(true)
      const spec = { paths: [april.dir], csvPath: april.csvPath, mapping: april.mapping }
      const events: UploadEvent[] = []
      const off = api.onUploadEvent((e) => events.push(e))
      const check = await api.testConnection('sandbox', null)
      if (!check.ok) throw new Error(JSON.stringify(check.error))
      expect((await api.trustHost('sandbox', check.value.hostKey.fingerprint)).ok).toBe(true)
      const started = await api.startUpload(spec, 'sandbox', null)
      if (!started.ok) throw new Error(JSON.stringify(started.error))
      await expect.poll(() => events.find((e) => e.kind === 'batch-done' || e.kind === 'batch-failed'), { timeout: 30_000 }).toBeTruthy()
      off()
      const end = events.find((e) => e.kind === 'batch-done' || e.kind === 'batch-failed')
      if (end?.kind !== 'batch-done') throw new Error(JSON.stringify(end))

      // The next export writes the same columns in other spelling (an exporter update): the
      // header is new to the mapping memory, and the layout's names still meet it.
      const respelled = path.join(dir, 'respelled')
      await generateBatch(respelled, { rows: 3 })
      const csv = path.join(respelled, 'june.csv')
      const text = await readFile(may.csvPath, 'utf8')
      const [header, ...rest] = text.split('\n')
      const newHeader = header!.replace('Call ID', 'call_id').replace('Agent Email', 'AGENT EMAIL').replace('Start Time', 'start-time')
      await writeFile(csv, [newHeader, ...rest].join('\n'))
      expect((await api.scan([respelled])).ok).toBe(true)
      const preview = await api.previewCsv(csv)
      if (!preview.ok) throw new Error(JSON.stringify(preview.error))
      expect(preview.value.remembered).toMatchObject({
        kind: 'layout', from: 'Sandbox (this computer)',
        profile: { contactReference: 'call_id', agentId: 'AGENT EMAIL', contactDate: 'start-time' },
      })
      // A CSV with a column the layout lacks is not mapped by it.
      const extra = path.join(respelled, 'extra.csv')
      await writeFile(extra, [`${newHeader.replace(/\r$/, '')},Sentiment`, ...rest].join('\n'))
      expect((await api.scan([respelled])).ok).toBe(true)
      const other = await api.previewCsv(extra)
      expect(other.ok && other.value.remembered).toBeNull()
    } finally {
      await host.close()
    }
  })
})
