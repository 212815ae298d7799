/**
 * One path-scope rule for every call that reads or opens a path (issue 23, item 1), over the
 * web host's real WebSocket into the core service (Electron's IPC dispatches to the same
 * service): a picked file admits that file only, not the folder it is in; a picked folder
 * admits what is inside it after resolving links; the app's data folder as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises'
import type { BulkUploadApi, MappingProfile } from '../../src/api'
import { flushLog } from '../../main/log'
import { generateBatch, type GeneratedBatch } from '../fixtures/generate-batch'
import { startTestWebHost, type TestWebHost } from '../helpers/web-host'

let dir: string
let host: TestWebHost
let api: BulkUploadApi
let privateKey: string
let shadow: string
let picked: GeneratedBatch
let folder: string

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n'
const SECRET = 'account,token\nprod,AKIA-not-for-the-page\n'
const refused = { ok: false, error: { code: 'OUT_OF_SCOPE' } }

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bu-scope-picks-'))
  await mkdir(path.join(dir, 'user', '.ssh'), { recursive: true })
  privateKey = path.join(dir, 'user', '.ssh', 'id_ed25519')
  await writeFile(privateKey, KEY, { mode: 0o600 })
  await mkdir(path.join(dir, 'etc'))
  shadow = path.join(dir, 'etc', 'shadow.csv')
  await writeFile(shadow, 'root,$6$secret-hash\n', { mode: 0o600 })
  await mkdir(path.join(dir, 'user', '.docker'))
  await writeFile(path.join(dir, 'user', '.docker', 'config.json'), '{"auths":{"registry":{"auth":"c2VjcmV0"}}}', { mode: 0o600 })
  await writeFile(path.join(dir, 'container_info.json'), '{"id":"abc"}')

  // A batch whose CSV will be picked alone, with a 0600 secret.csv beside it.
  picked = await generateBatch(path.join(dir, 'user', 'exports', 'may'), { rows: 4 })
  await writeFile(path.join(picked.dir, 'secret.csv'), SECRET, { mode: 0o600 })
  await writeFile(path.join(picked.dir, 'notes.txt'), 'beside the CSV\n')

  // A picked folder with links: two out of it (a key, a shadow file, a folder) and one within.
  folder = path.join(dir, 'user', 'batch1')
  await mkdir(folder)
  await writeFile(path.join(folder, 'calls.csv'), 'Contact Reference,Agent ID,Contact Date\r\nR1,a@x.com,2026-01-02T09:00:00+00:00\r\n')
  await writeFile(path.join(folder, 'readme.txt'), 'inside the folder\n')
  await symlink(privateKey, path.join(folder, 'key.txt'))
  await symlink(shadow, path.join(folder, 'shadow.csv'))
  await symlink(path.join(dir, 'user', '.docker'), path.join(folder, 'docker'))
  await symlink(path.join(folder, 'readme.txt'), path.join(folder, 'also-readme.txt'))

  host = await startTestWebHost(dir, path.join(dir, 'home'))
  api = host.client()
})
afterAll(async () => {
  await host.close()
  await flushLog()
  await rm(dir, { recursive: true, force: true })
})

const mapping = (): MappingProfile => ({ ...picked.mapping })
const leaks = (r: unknown) => /BEGIN OPENSSH|AKIA|secret-hash|c2VjcmV0/.test(JSON.stringify(r))

describe('a picked file admits that file only', () => {
  it('reads and opens the picked CSV, and nothing beside it: not secret.csv, not its folder', async () => {
    expect((await api.scan([picked.csvPath])).ok).toBe(true)
    const secret = path.join(picked.dir, 'secret.csv')
    for (const call of [
      () => api.previewCsv(secret),
      () => api.checkProfile(secret, mapping()),
      () => api.proposeDateFormat(secret, 'account'),
      () => api.previewAgentList(secret),
      () => api.importAgentList('sandbox', secret, 'account'),
      () => api.openPath(secret),
      () => api.openPath(path.join(picked.dir, 'notes.txt')),
      () => api.openPath(picked.dir),
    ]) {
      const r = await call()
      expect(r).toMatchObject(refused)
      expect(leaks(r)).toBe(false)
    }
    // Its folder was never picked: no batch may name it.
    const spec = { paths: [picked.dir], csvPath: picked.csvPath, mapping: mapping() }
    expect(await api.validate(spec)).toMatchObject(refused)
    expect(await api.matchPreviewRecordings(spec)).toMatchObject(refused)
    expect(await api.startUpload(spec, 'sandbox', null)).toMatchObject(refused)
    expect(await api.writeSampleCsv('sandbox', spec)).toMatchObject(refused)
    expect(await api.saveJob({ name: 'nightly', root: picked.dir, spec, destinationId: 'sandbox' })).toMatchObject(refused)
    // The picked file itself: read, checked as the batch it was picked as, and opened.
    const preview = await api.previewCsv(picked.csvPath)
    expect(preview.ok && preview.value.rows).toHaveLength(4)
    const checked = await api.validate({ paths: [picked.csvPath], csvPath: picked.csvPath, mapping: mapping() })
    expect(checked.ok, JSON.stringify(checked)).toBe(true)
    expect(await api.openPath(picked.csvPath)).toMatchObject({ ok: true, value: { kind: 'download', name: path.basename(picked.csvPath) } })
  })

  it('picking a file at the top of the disk does not open the disk', async () => {
    expect((await api.scan([path.join(dir, 'container_info.json')])).ok).toBe(true)
    for (const target of [path.join(dir, 'user', '.docker', 'config.json'), shadow, privateKey, dir]) {
      const r = await api.openPath(target)
      expect(r).toMatchObject(refused)
      expect(leaks(r)).toBe(false)
    }
    expect(await api.openPath(path.join(dir, 'container_info.json'))).toMatchObject({ ok: true, value: { kind: 'download', text: '{"id":"abc"}' } })
  })
})

describe('a picked folder admits what is inside it after resolving links', () => {
  it('refuses links leading out (a private key, /etc/shadow, a folder) and opens files within', async () => {
    expect((await api.scan([folder])).ok).toBe(true)
    for (const target of ['key.txt', 'shadow.csv', path.join('docker', 'config.json')].map((f) => path.join(folder, f))) {
      const r = await api.openPath(target)
      expect(r, target).toMatchObject(refused)
      expect(leaks(r)).toBe(false)
    }
    expect(await api.previewCsv(path.join(folder, 'shadow.csv'))).toMatchObject(refused)
    expect(await api.openPath(path.join(folder, 'readme.txt'))).toMatchObject({ ok: true, value: { text: 'inside the folder\n' } })
    expect(await api.openPath(path.join(folder, 'also-readme.txt'))).toMatchObject({ ok: true, value: { text: 'inside the folder\n' } })
    expect((await api.previewCsv(path.join(folder, 'calls.csv'))).ok).toBe(true)
  })

  it('refuses a CSV the scan found once it has been swapped for a link leading out', async () => {
    const csv = path.join(folder, 'calls.csv')
    await unlink(csv)
    await symlink(shadow, csv)
    for (const r of [await api.previewCsv(csv), await api.openPath(csv), await api.validate({ paths: [folder], csvPath: csv, mapping: mapping() })]) {
      expect(r).toMatchObject(refused)
      expect(leaks(r)).toBe(false)
    }
  })
})

describe('the app\'s data folder', () => {
  it('opens its reports, and not through a link planted there', async () => {
    const home = path.join(dir, 'home')
    await mkdir(path.join(home, 'batches', 'b1'), { recursive: true })
    await writeFile(path.join(home, 'batches', 'b1', 'report.csv'), 'row,reference\r\n1,CR-1\r\n')
    expect(await api.openPath(path.join(home, 'batches', 'b1', 'report.csv'))).toMatchObject({ ok: true, value: { kind: 'download', text: 'row,reference\r\n1,CR-1\r\n' } })
    await symlink(privateKey, path.join(home, 'batches', 'b1', 'planted.txt'))
    const r = await api.openPath(path.join(home, 'batches', 'b1', 'planted.txt'))
    expect(r).toMatchObject(refused)
    expect(leaks(r)).toBe(false)
  })
})
