/**
 * What the API may touch (issue 9), over the web host's real WebSocket into the core service
 * (the Electron host dispatches to the same service through the same validator): every call
 * that reads, writes or opens a path is given one outside its scope (a 0600 private key, a
 * `.bashrc`, the app's own keys, a folder never added) and must refuse, leaving the files as
 * they were; then the same calls inside the scope work, so the refusals are not a broken host.
 * The desktop's save dialog is stood in for by a host adapter that answers with a path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import type { BulkUploadApi, MappingProfile } from '../../src/api'
import { CoreService, type HostAdapter } from '../../main/core-service'
import { flushLog } from '../../main/log'
import { generateBatch, type GeneratedBatch } from '../fixtures/generate-batch'
import { startTestWebHost, type TestWebHost } from '../helpers/web-host'

let dir: string
let host: TestWebHost
let api: BulkUploadApi
let batch: GeneratedBatch
let privateKey: string
let bashrc: string
let unpicked: GeneratedBatch

const BASHRC = 'export PATH=$HOME/bin:$PATH\n'
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n'

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bu-scope-'))
  await mkdir(path.join(dir, 'user', '.ssh'), { recursive: true })
  privateKey = path.join(dir, 'user', '.ssh', 'id_ed25519')
  await writeFile(privateKey, KEY, { mode: 0o600 })
  bashrc = path.join(dir, 'user', '.bashrc')
  await writeFile(bashrc, BASHRC)
  batch = await generateBatch(path.join(dir, 'user', 'exports', 'may'), { rows: 6 })
  unpicked = await generateBatch(path.join(dir, 'user', 'exports', 'april'), { rows: 4 })
  host = await startTestWebHost(dir, path.join(dir, 'home'))
  api = host.client()
  // Picking the may batch: the one thing the renderer may read from now on.
  const scan = await api.scan([batch.dir])
  expect(scan.ok).toBe(true)
})
afterAll(async () => {
  await host.close()
  await flushLog()
  await rm(dir, { recursive: true, force: true })
})

const refused = { ok: false, error: { code: 'OUT_OF_SCOPE', message: expect.stringMatching(/only reads the folders and files you added|only opens its own reports/) } }
const mapping = (): MappingProfile => ({ ...batch.mapping })

async function untouched(): Promise<void> {
  expect(await readFile(bashrc, 'utf8')).toBe(BASHRC)
  expect(await readFile(privateKey, 'utf8')).toBe(KEY)
}

describe('reads are limited to the batches the user picked', () => {
  it('refuses to preview, check or read dates of any file no scan found, and leaks none of it', async () => {
    for (const file of [privateKey, bashrc, '/etc/passwd', unpicked.csvPath, path.join(batch.dir, '..', 'may', '..', 'april', path.basename(unpicked.csvPath))]) {
      const preview = await api.previewCsv(file)
      expect(preview).toMatchObject(refused)
      expect(JSON.stringify(preview)).not.toContain('BEGIN OPENSSH')
      expect(await api.checkProfile(file, mapping())).toMatchObject(refused)
      expect(await api.proposeDateFormat(file, 'Call Start')).toMatchObject(refused)
    }
    // The picked batch's CSV reads: the refusals above are the scope, not a broken host.
    const preview = await api.previewCsv(batch.csvPath)
    expect(preview.ok && preview.value.rows).toHaveLength(6)
  })

  it('refuses to check, send, sample or schedule a batch whose folder or CSV was not picked', async () => {
    const specs = [
      { paths: [unpicked.dir], csvPath: unpicked.csvPath, mapping: mapping() },
      { paths: [batch.dir], csvPath: unpicked.csvPath, mapping: mapping() },
      { paths: [unpicked.dir], csvPath: batch.csvPath, mapping: mapping() },
      { paths: [path.join(dir, 'user')], csvPath: batch.csvPath, mapping: mapping() },
      { paths: [batch.dir], csvPath: privateKey, mapping: mapping() },
    ]
    for (const spec of specs) {
      expect(await api.validate(spec)).toMatchObject(refused)
      expect(await api.startUpload(spec, 'sandbox', null)).toMatchObject(refused)
      expect(await api.writeSampleCsv('sandbox', spec)).toMatchObject(refused)
      expect(await api.saveJob({ name: 'nightly', root: path.dirname(spec.paths[0]!), spec, destinationId: 'sandbox' })).toMatchObject(refused)
    }
    const checked = await api.validate({ paths: [batch.dir], csvPath: batch.csvPath, mapping: mapping() })
    expect(checked.ok && checked.value.eligible).toBe(batch.eligibleRows)
  })

  it('lists folders with names and counts only: no file names, sizes of files or contents', async () => {
    const listing = await api.browse(path.join(dir, 'user'))
    if (!listing.ok) throw new Error(JSON.stringify(listing.error))
    // Hidden folders (.ssh) are not offered, and files (.bashrc) are not named at all.
    expect(listing.value.folders.map((f) => f.name)).toEqual(['exports'])
    expect(JSON.stringify(listing.value)).not.toMatch(/bashrc|id_ed25519/)
    const exports = await api.browse(path.join(dir, 'user', 'exports'))
    expect(exports.ok && exports.value.folders).toEqual([
      { name: 'april', path: unpicked.dir, counts: { csvFiles: 1, recordings: unpicked.recordingFiles, complete: true } },
      { name: 'may', path: batch.dir, counts: { csvFiles: 1, recordings: batch.recordingFiles, complete: true } },
    ])
    expect(await api.browse(privateKey)).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT', message: expect.stringMatching(/is not a folder/) } })
  })
})

describe('writes never take a path from the renderer', () => {
  it('refuses the old path-taking forms of every writing call, and the files stay as they were', async () => {
    const raw = api as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>
    const checked = await api.validate({ paths: [batch.dir], csvPath: batch.csvPath, mapping: mapping() })
    const checkId = checked.ok ? checked.value.checkId : ''
    const badArity = { ok: false, error: { code: 'BAD_ARGUMENT' } }
    expect(await raw.saveMapping!(bashrc, mapping())).toMatchObject(badArity)
    expect(await raw.exportIssues!(checkId, bashrc)).toMatchObject(badArity)
    expect(await raw.writeSampleCsv!('sandbox', null, bashrc)).toMatchObject(badArity)
    await untouched()
  })

  it('hands every file the user asks for to the browser as a download', async () => {
    const checked = await api.validate({ paths: [batch.dir], csvPath: batch.csvPath, mapping: mapping() })
    if (!checked.ok) throw new Error(JSON.stringify(checked.error))
    const saved = await api.saveMapping(mapping())
    expect(saved).toMatchObject({ ok: true, value: { kind: 'download', name: 'mapping.json', mimeType: 'application/json' } })
    // What was downloaded loads back: the page reads the file and sends its text.
    const text = saved.ok && saved.value.kind === 'download' ? saved.value.text : ''
    expect(await api.parseMapping(text)).toEqual({ ok: true, value: mapping() })
    expect(await api.parseMapping(KEY)).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT', message: expect.stringMatching(/not a mapping saved by this app/) } })
    expect(await api.exportIssues(checked.value.checkId)).toMatchObject({ ok: true, value: { kind: 'download', name: `${path.basename(batch.csvPath, '.csv')}-problems.csv` } })
    expect(await api.writeSampleCsv('sandbox', { paths: [batch.dir], csvPath: batch.csvPath, mapping: mapping() })).toMatchObject({ ok: true, value: { kind: 'download', name: 'platform-sample.csv', text: expect.stringContaining(batch.mapping.contactReference) } })
    await untouched()
  })
})

describe('opening is limited to the app’s reports and logs, saved files and picked folders', () => {
  it('refuses keys, settings and anything outside; hands a report over as a download', async () => {
    const home = path.join(dir, 'home')
    await mkdir(path.join(home, 'keys'), { recursive: true })
    await writeFile(path.join(home, 'keys', 'id_ed25519'), KEY, { mode: 0o600 })
    for (const target of [privateKey, bashrc, '/etc/passwd', path.join(home, 'keys', 'id_ed25519'), path.join(home, 'known_hosts'), path.join(home, 'batches', '..', 'keys', 'id_ed25519')]) {
      const opened = await api.openPath(target)
      expect(opened).toMatchObject(refused)
      expect(JSON.stringify(opened)).not.toContain('BEGIN OPENSSH')
    }
    await mkdir(path.join(home, 'batches', 'b1'), { recursive: true })
    await writeFile(path.join(home, 'batches', 'b1', 'report.csv'), 'row,reference\r\n1,CR-1\r\n')
    expect(await api.openPath(path.join(home, 'batches', 'b1', 'report.csv'))).toEqual({ ok: true, value: { kind: 'download', name: 'report.csv', mimeType: 'text/csv', text: 'row,reference\r\n1,CR-1\r\n' } })
    // A folder of the app cannot be handed to a browser: the sentence says where it is.
    expect(await api.openPath(path.join(home, 'batches', 'b1'))).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT', message: expect.stringMatching(/It is there, at /) } })
  })
})

describe('the desktop host: native save dialog', () => {
  it('writes only where the dialog says, owner-only, opens it afterwards, and writes nothing when cancelled', async () => {
    const documents = path.join(dir, 'documents')
    await mkdir(documents)
    let answer: string | null = path.join(documents, 'may-problems.csv')
    const opened: string[] = []
    const desktop: HostAdapter = {
      capabilities: { kind: 'electron', nativeDialogs: true },
      pickFolder: () => Promise.resolve(null),
      pickSavePath: () => Promise.resolve(answer),
      openPath: (p) => { opened.push(p); return Promise.resolve({ kind: 'opened' }) },
    }
    const service = new CoreService({ home: path.join(dir, 'desktop-home'), host: desktop })
    try {
      expect((await service.scan([batch.dir])).ok).toBe(true)
      const checked = await service.validate({ paths: [batch.dir], csvPath: batch.csvPath, mapping: mapping() })
      if (!checked.ok) throw new Error(JSON.stringify(checked.error))
      expect(await service.exportIssues(checked.value.checkId)).toEqual({ ok: true, value: { kind: 'saved', path: answer } })
      const written = await stat(answer)
      expect(written.mode & 0o777).toBe(0o600)
      expect((await readFile(answer, 'utf8')).split('\r\n')[0]).toBe('row,contact reference,agent,contact date,file,code,severity,message')
      expect(await service.openPath(answer)).toEqual({ ok: true, value: { kind: 'opened' } })
      expect(opened).toEqual([answer])
      expect(await service.openPath(bashrc)).toMatchObject(refused)

      answer = null
      expect(await service.saveMapping(mapping())).toEqual({ ok: true, value: { kind: 'cancelled' } })

      // A place the dialog points at that cannot be written (its "folder" is a file): the sentence says to choose another.
      answer = path.join(bashrc, 'mapping.json')
      expect(await service.saveMapping(mapping())).toMatchObject({ ok: false, error: { code: 'LOCAL_NOT_WRITABLE', message: expect.stringMatching(/Choose another folder/) } })
      await untouched()
    } finally {
      await service.close()
    }
  })
})
