/**
 * Files in flight chosen from the link when the user sets none (autoConcurrency): a short link
 * keeps 16 files on 2 connections; a link whose answers take 40 ms keeps 64 on 8 connections;
 * a number the user gives is kept whatever the link.
 */
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startUpload, type UploadDestination } from '../../../src/transfer/upload'
import { listServerRoot, startServer, type TestServer } from './servers'
import { checkedFixture, makeKeyPair, sha256File, tempDir } from './support'

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function uploadOver(replyDelayMs: number, concurrency?: number) {
  const work = await tempDir('in-flight')
  const key = await makeKeyPair(work)
  const server = await startServer('sandbox-posix', work, key.publicKey)
  servers.push(server)
  server.sandbox!.setFaults({ replyDelayMs })
  const { spec, checked } = await checkedFixture(path.join(work, 'batch'), { rows: 80, recordingBytes: 20_000 })
  const destination: UploadDestination = {
    id: null, name: 'sandbox', host: server.host, port: server.port, username: server.username, remoteDir: '',
    privateKey: key.privateKey, knownHostsPath: server.knownHostsPath,
  }
  const job = await startUpload({ spec, checked, destination, stateDir: path.join(work, 'state'), ...(concurrency ? { concurrency } : {}) })
  const result = await job.done
  expect(result.stoppedBy).toBeNull()
  const recordings = checked.manifest.recordings
  for (const r of recordings) expect(await sha256File(path.join(server.root, r.remoteName)), r.remoteName).toBe(await sha256File(r.localPath))
  expect((await listServerRoot(server.root)).filter((n) => n.endsWith('.csv'))).toHaveLength(1)
  return { connections: server.sandbox!.stats.connections }
}

describe('files in flight follow the link', () => {
  it('a short link: 16 files in flight, on 2 connections of 8 channels', async () => {
    expect(await uploadOver(0)).toEqual({ connections: 2 })
  })

  it('answers 40 ms away: 64 files in flight, on 8 connections', async () => {
    expect(await uploadOver(40)).toEqual({ connections: 8 })
  })

  it('a number the user sets is kept on a long link: 4 files, 1 connection', async () => {
    expect(await uploadOver(40, 4)).toEqual({ connections: 1 })
  })
})
