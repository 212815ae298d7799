/**
 * Each fault knob of the sandbox, observed from the client side: what the upload engine's
 * tests lean on (a cut connection, permission denied, disk full, a slow link, a slow server).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { stat, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { randomBytes } from 'node:crypto'
import ssh2 from 'ssh2'
import { sandboxFixture, raw, rawSftp, rejection, type Fixture } from './fixture'
import { hasSftpClient, skipWithReason } from '../../helpers/system'

const STATUS = ssh2.utils.sftp.STATUS_CODE
let f: Fixture | undefined
afterEach(async () => {
  await f?.close()
  f = undefined
})

describe('sandbox faults seen by ssh2-sftp-client', () => {
  it('cutAfterBytes drops the connection once, keeping exactly the bytes before the cut', async () => {
    f = await sandboxFixture()
    const c = await f.connect()
    f.server.setFaults({ cutAfterBytes: 50_000 })
    await expect(c.put(randomBytes(200_000), 'cut.wav')).rejects.toThrow()
    expect((await stat(path.join(f.root, 'cut.wav'))).size).toBe(50_000)
    await expect.poll(() => f!.server.stats.activeConnections).toBe(0)
    // One-shot: the next connection uploads normally.
    const again = await f.connect()
    await again.put(randomBytes(200_000), 'cut.wav')
    expect((await stat(path.join(f.root, 'cut.wav'))).size).toBe(200_000)
    expect(f.server.stats.connections).toBe(2)
  })

  it('cutAfterBytes in s3 mode leaves no partial file', async () => {
    f = await sandboxFixture({ mode: 's3', faults: { cutAfterBytes: 40_000 } })
    const s = rawSftp(await f.connect())
    const h = await raw.open(s, 'cut.wav', 'w')
    await raw.write(s, h, randomBytes(30_000), 0)
    await expect(raw.write(s, h, randomBytes(30_000), 30_000)).rejects.toThrow()
    await expect.poll(() => f!.server.stats.activeConnections).toBe(0)
    expect(existsSync(path.join(f.root, 'cut.wav'))).toBe(false)
  })

  it('denyFiles refuses opening the named file for writing with PERMISSION_DENIED', async () => {
    f = await sandboxFixture({ faults: { denyFiles: ['secret.wav'] } })
    const c = await f.connect()
    const err = await rejection(raw.open(rawSftp(c), 'secret.wav', 'w'))
    expect(err.code).toBe(STATUS.PERMISSION_DENIED)
    expect(err.message).toBe('Permission denied: secret.wav')
    await expect(c.put(Buffer.from('x'), 'secret.wav')).rejects.toThrow(/Permission denied/)
    await c.put(Buffer.from('x'), 'other.wav')
    f.server.setFaults({ denyFiles: [] })
    await c.put(Buffer.from('x'), 'secret.wav')
  })

  it('quotaBytes fails writes past the quota as disk full (FAILURE, "No space left")', async () => {
    f = await sandboxFixture({ faults: { quotaBytes: 10_000 } })
    const c = await f.connect()
    await c.put(randomBytes(8_000), 'a.wav')
    const s = rawSftp(c)
    const h = await raw.open(s, 'b.wav', 'w')
    const err = await rejection(raw.write(s, h, randomBytes(5_000), 0))
    expect(err.code).toBe(STATUS.FAILURE)
    expect(err.message).toBe('No space left on device (quota of 10000 bytes reached)')
    await raw.write(s, h, randomBytes(2_000), 0) // what fits is still stored
    await raw.close(s, h)
    expect((await stat(path.join(f.root, 'b.wav'))).size).toBe(2_000)
  })

  it('throttleBytesPerSecond slows an upload to about that rate', async () => {
    f = await sandboxFixture({ faults: { throttleBytesPerSecond: 200_000 } })
    const c = await f.connect()
    const started = performance.now()
    await c.put(randomBytes(100_000), 'slow.wav')
    // 100 kB at 200 kB/s cannot finish in under half a second (minus timer slack).
    expect(performance.now() - started).toBeGreaterThanOrEqual(450)
    expect(f.server.stats.bytesReceived).toBe(100_000)
  })

  it('replyDelayMs holds every reply', async () => {
    f = await sandboxFixture()
    const c = await f.connect()
    f.server.setFaults({ replyDelayMs: 300 })
    const started = performance.now()
    await c.stat('/')
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
    f.server.setFaults({ replyDelayMs: 0 })
  })

  it('rejects nonsense fault values with a clear message', async () => {
    f = await sandboxFixture()
    expect(() => f!.server.setFaults({ quotaBytes: -1 })).toThrow('Expected `quotaBytes` to be a number from 0 and up, got `-1`')
  })
})

describe.skipIf(skipWithReason(hasSftpClient(), 'sandbox faults with OpenSSH sftp'))('sandbox faults seen by OpenSSH sftp', () => {
  it('reports a cut connection, a denied file and a full disk', async () => {
    f = await sandboxFixture()
    const local = path.join(f.dir, 'call.wav')
    await writeFile(local, randomBytes(100_000))
    f.server.setFaults({ cutAfterBytes: 10_000 })
    const cut = await f.openssh([`put ${local} cut.wav`])
    expect(cut.code).not.toBe(0)
    expect(cut.stderr).toMatch(/Connection closed|Broken pipe|Connection reset|lost/i)

    f.server.setFaults({ denyFiles: ['denied.wav'] })
    const denied = await f.openssh([`put ${local} denied.wav`])
    expect(denied.code).not.toBe(0)
    expect(denied.stderr).toMatch(/Permission denied/)

    f.server.setFaults({ quotaBytes: f.server.stats.bytesReceived })
    const full = await f.openssh([`put ${local} full.wav`])
    expect(full.code).not.toBe(0)
    // OpenSSH's client prints the status name for WRITE, not the server's message.
    expect(full.stderr).toMatch(/write remote "\/full\.wav": Failure/)
  })
})
