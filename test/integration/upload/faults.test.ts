import { appendFile, mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import Papa from 'papaparse'
import { afterEach, describe, expect, it } from 'vitest'
import type { UploadEvent } from '../../../src/api'
import { validateBatch } from '../../../src/batch'
import { startUpload, type UploadDestination } from '../../../src/transfer/upload'
import { BATCH_LOCK_FILE, batchDir, batchesDir, batchIdentity } from '../../../src/transfer/batch-store'
import { listServerRoot, startServer, type ServerKind, type TestServer } from './servers'
import { checkedFixture, makeKeyPair, sha256File, tempDir } from './support'

/** Each test gets its own server and batch: faults must not leak between tests. */
async function setup(kind: ServerKind, rows = 30, recordingBytes = 200_000) {
  const work = await tempDir(`faults-${kind}`)
  const key = await makeKeyPair(work)
  const server = await startServer(kind, work, key.publicKey)
  servers.push(server)
  const fixture = await checkedFixture(path.join(work, 'batch'), { rows, recordingBytes })
  const destination: UploadDestination = {
    id: null, name: kind, host: server.host, port: server.port, username: server.username, remoteDir: '',
    privateKey: key.privateKey, knownHostsPath: server.knownHostsPath,
  }
  const upload = async (extra: { onEvent?: (e: UploadEvent) => void; checked?: typeof fixture.checked } = {}) =>
    startUpload({ spec: fixture.spec, checked: extra.checked ?? fixture.checked, destination, stateDir: path.join(work, 'state'), concurrency: 4, retryDelaysMs: [20, 50, 100], ...(extra.onEvent ? { onEvent: extra.onEvent } : {}) })
  return { work, key, server, destination, ...fixture, upload }
}

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function expectAllOnServer(server: TestServer, recordings: Array<{ localPath: string; remoteName: string }>) {
  // The names first: a missing or extra file shows as a list difference, not a bare ENOENT.
  const names = (await listServerRoot(server.root)).filter((n) => !n.endsWith('.csv')).sort()
  expect(names).toEqual(recordings.map((r) => r.remoteName).sort())
  for (const r of recordings) expect(await sha256File(path.join(server.root, r.remoteName)), r.remoteName).toBe(await sha256File(r.localPath))
  const listed = await listServerRoot(server.root)
  expect(listed.filter((n) => n.endsWith('.csv'))).toHaveLength(1)
  expect(listed.filter((n) => n.endsWith('.part'))).toEqual([])
  expect(listed).toHaveLength(recordings.length + 1)
}

describe.each<ServerKind>(['sandbox-posix', 'sandbox-s3'])('upload faults on %s', (kind) => {
  it('a connection cut mid-file: reconnects, finishes, nothing lost or duplicated', async () => {
    const t = await setup(kind)
    t.server.sandbox!.setFaults({ cutAfterBytes: 1_500_000 })
    const events: UploadEvent[] = []
    const result = await (await t.upload({ onEvent: (e) => events.push(e) })).done
    expect(result.stoppedBy).toBeNull()
    expect(events.filter((e) => e.kind === 'file-retrying').length).toBeGreaterThan(0)
    await expectAllOnServer(t.server, t.checked.manifest.recordings)
  })

  it('permission denied on one file: that file fails, its row is left out of the CSV and reported', async () => {
    const t = await setup(kind)
    const denied = t.checked.manifest.recordings[3]!
    t.server.sandbox!.setFaults({ denyFiles: [denied.remoteName] })
    const result = await (await t.upload()).done
    expect(result.stoppedBy).toBeNull()
    expect(result.summary.failed).toBe(denied.rows.length)
    const listed = await listServerRoot(t.server.root)
    expect(listed).not.toContain(denied.remoteName)
    const csv = Papa.parse<string[]>((await readFile(path.join(t.server.root, result.summary.csv!), 'utf8')).trim()).data
    const audioCol = csv[0]!.indexOf(t.gen.mapping.audioFilename!)
    expect(csv.slice(1).map((r) => r[audioCol])).not.toContain(denied.remoteName)
    expect(csv).toHaveLength(t.checked.manifest.eligibleRows - denied.rows.length + 1)
    const report = await readFile(result.summary.reportCsv, 'utf8')
    expect(report).toMatch(new RegExp(`${denied.remoteName.replace('.', '\\.')},failed,PERMISSION_DENIED`))
  })

  it('disk full: stops with DISK_FULL and no CSV; after space is freed the same batch completes', async () => {
    const t = await setup(kind)
    t.server.sandbox!.setFaults({ quotaBytes: 1_000_000 })
    const first = await (await t.upload()).done
    expect(first.stoppedBy?.code).toBe('DISK_FULL')
    expect(first.summary.csv).toBeNull()
    expect((await listServerRoot(t.server.root)).filter((n) => n.endsWith('.csv'))).toEqual([])
    t.server.sandbox!.setFaults({ quotaBytes: null })
    const second = await (await t.upload()).done
    expect(second.stoppedBy).toBeNull()
    // What the first run got onto the server counts as sent earlier by this batch, not as found there.
    expect(second.summary.skipped).toBe(0)
    expect((second.summary.sentEarlier ?? 0) + second.summary.uploaded).toBe(t.checked.manifest.eligibleRows)
    await expectAllOnServer(t.server, t.checked.manifest.recordings)
  })

  it('a recording changed on disk between runs is sent again with its new bytes', async () => {
    const t = await setup(kind)
    t.server.sandbox!.setFaults({ quotaBytes: 2_000_000 })
    expect((await (await t.upload()).done).stoppedBy?.code).toBe('DISK_FULL')
    const changed = t.checked.manifest.recordings[0]!
    expect((await listServerRoot(t.server.root))).toContain(changed.remoteName)
    await appendFile(changed.localPath, Buffer.from('edited'))
    const later = new Date(Date.now() + 5000)
    await utimes(changed.localPath, later, later)
    t.server.sandbox!.setFaults({ quotaBytes: null })
    const rechecked = await validateBatch(t.spec)
    const result = await (await t.upload({ checked: rechecked })).done
    expect(result.stoppedBy).toBeNull()
    await expectAllOnServer(t.server, rechecked.manifest.recordings)
    expect((await stat(path.join(t.server.root, changed.remoteName))).size).toBe((await stat(changed.localPath)).size)
  })

  it('a changed host key stops the upload before anything is sent', async () => {
    const t = await setup(kind)
    const other = await startServer(kind, await tempDir('other-host'), t.key.publicKey)
    servers.push(other)
    // known_hosts pins a different key for this host and port.
    const line = (await readFile(other.knownHostsPath, 'utf8')).replace(`]:${other.port} `, `]:${t.server.port} `)
    await writeFile(t.destination.knownHostsPath, line)
    const result = await (await t.upload()).done
    expect(result.stoppedBy?.code).toBe('HOST_KEY_CHANGED')
    expect(await listServerRoot(t.server.root)).toEqual([])
  })
})

describe.each<[ServerKind, string]>([
  ['sandbox-s3', 'rewrites it from the start: the server refuses writes at an offset'],
  ['sandbox-posix', 'continues it at its offset'],
])('a partial recording already on %s', (kind, behaviour) => {
  it(behaviour, async () => {
    const t = await setup(kind, 4, 300_000)
    const target = t.checked.manifest.recordings[0]!
    // A partial copy with correct bytes, as if visible from an earlier upload.
    await mkdir(t.server.root, { recursive: true })
    await writeFile(path.join(t.server.root, target.remoteName), (await readFile(target.localPath)).subarray(0, 100_000))
    const result = await (await t.upload()).done
    expect(result.stoppedBy).toBeNull()
    await expectAllOnServer(t.server, t.checked.manifest.recordings)
    const total = t.checked.manifest.recordings.reduce((sum, r) => sum + r.size, 0)
    expect(result.summary.bytes).toBe(kind === 'sandbox-s3' ? total : total - 100_000)
  })
})

describe('pause, resume and cancel', () => {
  it('a paused upload starts no new file until resumed, then finishes', async () => {
    const t = await setup('sandbox-posix', 30, 200_000)
    t.server.sandbox!.setFaults({ throttleBytesPerSecond: 3_000_000 })
    const events: UploadEvent[] = []
    let job: Awaited<ReturnType<typeof t.upload>> | null = null
    let pausedAt = -1
    job = await t.upload({
      onEvent: (e) => {
        events.push(e)
        if (pausedAt < 0 && e.kind === 'file-done' && job) {
          job.pause()
          pausedAt = events.length
        }
      },
    })
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (pausedAt >= 0) {
          clearInterval(check)
          resolve()
        }
      }, 5)
    })
    // Proving that nothing starts needs a window of time: 400 ms is several files' worth here.
    await new Promise((r) => setTimeout(r, 400))
    expect(events.slice(pausedAt).filter((e) => e.kind === 'file-started')).toEqual([])
    expect(job.paused).toBe(true)
    job.resume()
    const result = await job.done
    expect(result.stoppedBy).toBeNull()
    await expectAllOnServer(t.server, t.checked.manifest.recordings)
  })

  it('a cancelled upload stops with CANCELLED and no CSV; running it again completes it', async () => {
    const t = await setup('sandbox-posix', 30, 200_000)
    t.server.sandbox!.setFaults({ throttleBytesPerSecond: 3_000_000 })
    let job: Awaited<ReturnType<typeof t.upload>> | null = null
    job = await t.upload({ onEvent: (e) => e.kind === 'file-done' && job?.cancel() })
    const first = await job.done
    expect(first.stoppedBy?.code).toBe('CANCELLED')
    expect((await listServerRoot(t.server.root)).filter((n) => n.endsWith('.csv'))).toEqual([])
    t.server.sandbox!.setFaults({ throttleBytesPerSecond: null })
    const second = await (await t.upload()).done
    expect(second.stoppedBy).toBeNull()
    expect(second.summary.sentEarlier ?? 0).toBeGreaterThan(0)
    await expectAllOnServer(t.server, t.checked.manifest.recordings)
  })
})

describe('a remote folder that does not exist', () => {
  it('stops at once with REMOTE_FOLDER_NOT_FOUND instead of failing every file', async () => {
    const t = await setup('sandbox-posix', 3, 1000)
    const result = await (await startUpload({
      spec: t.spec, checked: t.checked, destination: { ...t.destination, remoteDir: 'no-such-folder' }, stateDir: path.join(t.work, 'state-missing'),
    })).done
    expect(result.stoppedBy?.code).toBe('REMOTE_FOLDER_NOT_FOUND')
    expect(await listServerRoot(t.server.root)).toEqual([])
  })
})

describe('two runs of the same batch at once', () => {
  it('a lock left by a killed run, naming a process that is alive now (PID 1), does not block', async () => {
    const t = await setup('sandbox-posix', 5, 1000)
    const folder = batchDir(await batchesDir(path.join(t.work, 'state')), await batchIdentity(t.spec, t.destination))
    await mkdir(folder, { recursive: true })
    // What earlier versions left (a PID file) and the holder note of the current lock.
    await writeFile(path.join(folder, 'lock'), '1')
    await writeFile(path.join(folder, `${BATCH_LOCK_FILE}.holder`), JSON.stringify({ pid: 1, since: '2026-01-01T00:00:00Z' }))
    const result = await (await t.upload()).done
    expect(result.stoppedBy).toBeNull()
    await expectAllOnServer(t.server, t.checked.manifest.recordings)
  })

  it('the second is refused with BATCH_RUNNING while the first uploads; after it ends the batch is complete once', async () => {
    const t = await setup('sandbox-posix', 20, 200_000)
    t.server.sandbox!.setFaults({ throttleBytesPerSecond: 4_000_000 })
    const trouble: UploadEvent[] = []
    const first = await t.upload({ onEvent: (e) => (e.kind === 'file-failed' || e.kind === 'file-retrying') && trouble.push(e) })
    await expect(t.upload()).rejects.toMatchObject({ code: 'BATCH_RUNNING' })
    t.server.sandbox!.setFaults({ throttleBytesPerSecond: null })
    const result = await first.done
    expect(result.stoppedBy).toBeNull()
    // Every file of the first run arrived: a failed or retried file names its error here.
    expect({ failed: result.summary.failed, trouble }).toEqual({ failed: 0, trouble: [] })
    await expectAllOnServer(t.server, t.checked.manifest.recordings)
    expect((await (await t.upload()).done).nothingNew).toBe(true)
  })
})
