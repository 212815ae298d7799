/**
 * Cancel on a slow link (issue 27, item 7): with 8 files in flight each pipelines megabytes of
 * writes, which on a 1 MB/s uplink are still queued on this computer when the user cancels.
 * Waiting for them took a minute. A cancel drops them: what is asserted is what a user sees and
 * what reaches the server, never a time.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { UploadEvent } from '../../../src/api'
import { startUpload } from '../../../src/transfer/upload'
import { startSshd, type SshdServer } from '../../helpers/sshd'
import { startThrottledRelay, type ThrottledRelay } from '../../helpers/throttled-relay'
import { listServerRoot } from './servers'
import { checkedFixture, makeKeyPair, tempDir } from './support'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close()
})

describe('cancel on a 1 MB/s uplink to sshd', () => {
  it('ends CANCELLED with no CSV, drops the writes still queued, and progress never rises after it', async () => {
    const work = await tempDir('cancel-slow')
    const key = await makeKeyPair(work)
    const root = path.join(work, 'root')
    await mkdir(root)
    const sshd: SshdServer = await startSshd({ root, authorizedKeys: [key.publicKey] })
    cleanups.push(() => sshd.close())
    const relay: ThrottledRelay = await startThrottledRelay(sshd.port, 1_000_000)
    cleanups.push(() => relay.close())
    // The app connects to the relay: the server's key is pinned under the relay's port.
    const knownHostsPath = path.join(work, 'known_hosts')
    await writeFile(knownHostsPath, sshd.knownHostsLine.replace(`]:${sshd.port} `, `]:${relay.port} `) + '\n')
    // 96 MB: on a busy machine the 8 logins can take many seconds, each second another MB across
    // the link before the cancel; most of the batch must still be queued when it comes (25 MB
    // had crossed beside a full test run).
    const fixture = await checkedFixture(path.join(work, 'batch'), { rows: 8, recordingBytes: 12_000_000 })
    const bytesTotal = fixture.checked.manifest.recordings.reduce((n, r) => n + r.size, 0)

    let started = 0
    let cancelledAt: { relayed: number; progress: number } | null = null
    let lastProgress = 0
    const progressAfterCancel: number[] = []
    const job = await startUpload({
      spec: fixture.spec,
      checked: fixture.checked,
      destination: { id: null, name: 'slow', host: '127.0.0.1', port: relay.port, username: sshd.username, remoteDir: '', privateKey: key.privateKey, knownHostsPath },
      stateDir: path.join(work, 'state'),
      home: path.join(work, 'home'),
      // A connection per file: no file's OPEN waits behind another's queued writes, so every
      // file has its whole pipeline queued when the cancel comes.
      concurrency: 8,
      channelsPerConnection: 1,
      onEvent: (e: UploadEvent) => {
        if (e.kind === 'file-started') started++
        if (e.kind !== 'batch-progress') return
        if (cancelledAt) progressAfterCancel.push(e.progress.bytesSent)
        else lastProgress = e.progress.bytesSent
        if (!cancelledAt && started === 8 && relay.bytesUp > 1_000_000) {
          cancelledAt = { relayed: relay.bytesUp, progress: lastProgress }
          job.cancel()
        }
      },
    })
    const result = await job.done
    expect(result.stoppedBy?.code).toBe('CANCELLED')
    expect(result.summary.csv).toBeNull()
    expect((await listServerRoot(root)).filter((n) => n.endsWith('.csv') || n.endsWith('.part'))).toEqual([])
    expect(cancelledAt).not.toBeNull()
    const at = cancelledAt!
    // What was queued (most of the batch's 96 MB) never crossed the link: only what the relay
    // had in hand when the sockets were reset (more on a busy machine, which handles the cancel
    // later: 516 KB was seen beside a full test run) and the new connection that asks whether
    // half-sent files must go. Waiting for the queue to drain, as before, sent 19 MB.
    expect(bytesTotal - at.relayed).toBeGreaterThan(10_000_000)
    expect(relay.bytesUp - at.relayed).toBeLessThan(3_000_000)
    // The bytes counted as sent only fall after a cancel (to the files confirmed).
    for (const sent of progressAfterCancel) expect(sent).toBeLessThanOrEqual(at.progress)
  }, 300_000) // 96 MB made and sent partly at 1 MB/s on a busy machine: a hang guard, not a speed bound
})
