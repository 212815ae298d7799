/**
 * The destination's commit point (issue 27): while another process holds it, a run sends its
 * recordings but not its CSV, says it is waiting, and goes on once it is released; a cancel
 * ends the wait. The other holder here is the lock itself, taken by the test.
 */
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { UploadEvent } from '../../../src/api'
import { tryLock, type HeldLock } from '../../../src/file-lock'
import { commitLockFiles } from '../../../src/ledger/destination-ledger'
import { startUpload, type UploadDestination } from '../../../src/transfer/upload'
import { listServerRoot, startServer, type TestServer } from './servers'
import { checkedFixture, makeKeyPair, tempDir } from './support'

const servers: TestServer[] = []
const held: HeldLock[] = []
afterEach(async () => {
  for (const l of held.splice(0)) l.release()
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function setup() {
  const work = await tempDir('commit-point')
  const key = await makeKeyPair(work)
  const server = await startServer('sandbox-posix', work, key.publicKey)
  servers.push(server)
  const fixture = await checkedFixture(path.join(work, 'batch'), { rows: 8, recordingBytes: 3_000 })
  const destination: UploadDestination = { id: null, name: 'sandbox', host: server.host, port: server.port, username: server.username, remoteDir: '', privateKey: key.privateKey, knownHostsPath: server.knownHostsPath }
  const home = path.join(work, 'home')
  const events: UploadEvent[] = []
  const upload = () => startUpload({ spec: fixture.spec, checked: fixture.checked, destination, home, stateDir: path.join(work, 'state'), onEvent: (e) => events.push(e) })
  /** Takes one of the commit point's locks as another run would: the app home's, or this user's on this computer. */
  const holdCommitPoint = (which: 'home' | 'computer' = 'home') => {
    const files = commitLockFiles(home, destination)
    const got = tryLock(which === 'home' ? files[0]! : files[files.length - 1]!)
    if (!got.lock) throw new Error('the commit point should be free')
    held.push(got.lock)
    return got.lock
  }
  return { server, fixture, upload, events, holdCommitPoint }
}

/** Resolves once `events` holds one matching `test` (polled: a state, not a fixed sleep). */
async function eventually(events: UploadEvent[], test: (e: UploadEvent) => boolean): Promise<void> {
  while (!events.some(test)) await new Promise((r) => setTimeout(r, 10))
}

describe('the commit point', () => {
  it.each(['home', 'computer'] as const)('held by another run (the %s lock): the recordings go, the CSV waits (and says so), then goes once it is released', async (which) => {
    const t = await setup()
    const other = t.holdCommitPoint(which)
    const job = await t.upload()
    await eventually(t.events, (e) => e.kind === 'batch-waiting' && e.waiting)
    const names = await listServerRoot(t.server.root)
    expect(names.filter((n) => n.endsWith('.csv') || n.endsWith('.part'))).toEqual([])
    expect(names).toHaveLength(t.fixture.checked.manifest.recordings.length)

    other.release()
    const result = await job.done
    expect(result.stoppedBy).toBeNull()
    expect(t.events.some((e) => e.kind === 'batch-waiting' && !e.waiting)).toBe(true)
    expect((await listServerRoot(t.server.root)).filter((n) => n.endsWith('.csv'))).toEqual([result.summary.csv])
  })

  it('a cancel while waiting ends the run at once: CANCELLED, no CSV', async () => {
    const t = await setup()
    t.holdCommitPoint()
    const job = await t.upload()
    await eventually(t.events, (e) => e.kind === 'batch-waiting' && e.waiting)
    job.cancel()
    const result = await job.done
    expect(result.stoppedBy?.code).toBe('CANCELLED')
    expect((await listServerRoot(t.server.root)).filter((n) => n.endsWith('.csv'))).toEqual([])
  })
})
