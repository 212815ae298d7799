/**
 * A saved job names its secrets, never holds them (issue 23, item 6): a proxy password is
 * refused with the way to give it (BULK_UPLOAD_PROXY_PASSWORD), and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { saveJob, type SavedJob } from '../../../src/jobs/job-store'

let home: string
beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'bu-job-secrets-'))
})
afterAll(async () => {
  await rm(home, { recursive: true, force: true })
})

const job = (proxy: string | false): SavedJob => ({
  version: 1, name: 'nightly', root: '/data/exports', savedAt: '2026-01-15T00:00:00.000Z', lastRun: null,
  options: { host: 'sftp.example.com', port: 22, user: 'acme', key: '/k', proxy } as SavedJob['options'],
})

describe('saveJob', () => {
  it('refuses a proxy password, saying how to give it, and writes nothing', async () => {
    await expect(saveJob(job('socks5://qa:s3cret@gw.corp:1080'), home)).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringMatching(/never keeps a proxy password .*socks5:\/\/qa@gw\.corp:1080.* BULK_UPLOAD_PROXY_PASSWORD/),
    })
    expect(await readdir(path.join(home, 'jobs')).catch(() => [])).toEqual([])
  })

  it('saves a proxy with a user and no password, owner-only', async () => {
    const file = await saveJob(job('socks5://qa@gw.corp:1080'), home)
    expect(await readFile(file, 'utf8')).toContain('"proxy": "socks5://qa@gw.corp:1080"')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
  })

  it('refuses a team ledger password (job save --ledger), pointing at ~/.pgpass, and writes nothing', async () => {
    const withLedger = { ...job(false), name: 'team', options: { ...job(false).options, ledger: 'postgresql://qa:s3cret@db.corp:5432/ledger' } as SavedJob['options'] }
    const err = await saveJob(withLedger, home).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/never keeps the team ledger's password .*postgresql:\/\/qa@db\.corp:5432\/ledger.*~\/\.pgpass/) })
    expect(JSON.stringify((err as { toPayload(): unknown }).toPayload())).not.toContain('s3cret')
    expect((await readdir(path.join(home, 'jobs')).catch(() => [])).filter((n) => n.startsWith('team'))).toEqual([])
  })
})
