/**
 * The sandbox in s3 mode refuses what AWS Transfer Family on S3 refuses, with the statuses a
 * client sees: offset and out-of-order writes, append, SETSTAT, an 11th channel; and a file
 * appears only once its handle is closed.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { readFile, writeFile, readdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import ssh2 from 'ssh2'
import { sandboxFixture, raw, rawSftp, rejection, type Fixture } from './fixture'
import { hasSftpClient, skipWithReason } from '../../helpers/system'
import { S3_STAGING_NAME } from '../../../src/sandbox'

const STATUS = ssh2.utils.sftp.STATUS_CODE
let f: Fixture | undefined
afterEach(async () => {
  await f?.close()
  f = undefined
})

describe('sandbox s3 mode with ssh2-sftp-client', () => {
  it('accepts sequential writes from offset 0 and refuses a write at another offset', async () => {
    f = await sandboxFixture({ mode: 's3' })
    const s = rawSftp(await f.connect())
    const ok = await raw.open(s, 'ok.wav', 'w')
    await raw.write(s, ok, Buffer.from('abc'), 0)
    await raw.write(s, ok, Buffer.from('def'), 3)
    await raw.close(s, ok)
    expect(await readFile(path.join(f.root, 'ok.wav'), 'utf8')).toBe('abcdef')

    const bad = await raw.open(s, 'bad.wav', 'w')
    await raw.write(s, bad, Buffer.from('abc'), 0)
    const err = await rejection(raw.write(s, bad, Buffer.from('xyz'), 100))
    expect(err.code).toBe(STATUS.OP_UNSUPPORTED)
    expect(err.message).toMatch(/Random access writes are not supported/)
    const closeErr = await rejection(raw.close(s, bad))
    expect(closeErr.code).toBe(STATUS.FAILURE)
    expect(closeErr.message).toMatch(/Upload aborted/)
    expect(existsSync(path.join(f.root, 'bad.wav'))).toBe(false)
  })

  it('refuses fastPut (parallel chunks) and append', async () => {
    f = await sandboxFixture({ mode: 's3' })
    const c = await f.connect()
    await writeFile(path.join(f.dir, 'big.bin'), randomBytes(2_000_000))
    await expect(c.fastPut(path.join(f.dir, 'big.bin'), 'big.bin', { concurrency: 8, chunkSize: 32768 })).rejects.toThrow()
    expect(existsSync(path.join(f.root, 'big.bin'))).toBe(false)
    const s = rawSftp(c)
    const err = await rejection(raw.open(s, 'log.txt', 'a'))
    expect(err.code).toBe(STATUS.OP_UNSUPPORTED)
    expect(err.message).toMatch(/Append is not supported/)
  })

  it('fails SETSTAT/FSETSTAT unless told to ignore it', async () => {
    f = await sandboxFixture({ mode: 's3' })
    const c = await f.connect()
    const s = rawSftp(c)
    const h = await raw.open(s, 'a.wav', 'w')
    const err = await rejection(raw.fchmod(s, h, 0o600))
    expect(err.code).toBe(STATUS.FAILURE)
    expect(err.message).toBe('SETSTAT is not supported by this server')
    await raw.close(s, h)
    await expect(c.chmod('a.wav', 0o600)).rejects.toThrow(/SETSTAT is not supported/)
    await f.close()

    f = await sandboxFixture({ mode: 's3', s3: { ignoreSetstat: true } })
    const c2 = await f.connect()
    await c2.put(Buffer.from('x'), 'b.wav')
    await c2.chmod('b.wav', 0o600)
  })

  it('shows a file only once its handle is closed; a dropped upload never appears', async () => {
    f = await sandboxFixture({ mode: 's3' })
    const c = await f.connect()
    const s = rawSftp(c)
    const h = await raw.open(s, 'late.wav', 'w')
    await raw.write(s, h, Buffer.from('partial'), 0)
    expect((await rejection(raw.stat(s, 'late.wav'))).code).toBe(STATUS.NO_SUCH_FILE)
    expect((await c.list('/')).map((e) => e.name)).toEqual([])
    await raw.close(s, h)
    expect((await raw.stat(s, 'late.wav')).size).toBe(7)
    expect((await c.list('/')).map((e) => e.name)).toEqual(['late.wav'])

    const h2 = await raw.open(s, 'dropped.wav', 'w')
    await raw.write(s, h2, Buffer.from('never'), 0)
    await c.end()
    // The abandoned upload is discarded, not published: the staging area empties.
    await expect.poll(() => readdir(path.join(f!.root, S3_STAGING_NAME))).toEqual([])
    expect((await readdir(f.root)).filter((n) => n !== S3_STAGING_NAME)).toEqual(['late.wav'])
  })

  it('allows at most 10 channels per connection', async () => {
    f = await sandboxFixture({ mode: 's3' })
    const c = await f.connect() // one channel already open
    const conn = (c as unknown as { client: ssh2.Client }).client
    const open = (): Promise<ssh2.SFTPWrapper> =>
      new Promise((resolve, reject) => conn.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))))
    const extra: ssh2.SFTPWrapper[] = []
    for (let i = 0; i < 9; i++) extra.push(await open())
    expect(f.server.stats.openChannels).toBe(10)
    await expect(open()).rejects.toThrow(/open failure|Channel/i)
    extra.pop()!.end()
    await expect.poll(() => f!.server.stats.openChannels).toBe(9)
    extra.push(await open())
  })

  it('renames files by default (AWS supports it) and refuses when allowRename is false', async () => {
    f = await sandboxFixture({ mode: 's3' })
    const c = await f.connect()
    await c.put(Buffer.from('csv'), 'batch.csv.part')
    await c.rename('batch.csv.part', 'batch.csv')
    expect((await c.list('/')).map((e) => e.name)).toEqual(['batch.csv'])
    await f.close()

    f = await sandboxFixture({ mode: 's3', s3: { allowRename: false } })
    const s = rawSftp(await f.connect())
    const h = await raw.open(s, 'x.part', 'w')
    await raw.close(s, h)
    const err = await rejection(new Promise<void>((resolve, reject) => s.rename('x.part', 'x', (e) => (e ? reject(e) : resolve()))))
    expect(err.code).toBe(STATUS.OP_UNSUPPORTED)
  })
})

describe.skipIf(skipWithReason(hasSftpClient(), 'sandbox s3 mode with OpenSSH sftp'))('sandbox s3 mode with OpenSSH sftp', () => {
  it('accepts a plain put and refuses a resumed upload (reput writes at an offset)', async () => {
    f = await sandboxFixture({ mode: 's3' })
    const local = path.join(f.dir, 'call.wav')
    const body = randomBytes(100_000)
    await writeFile(local, body)
    const put = await f.openssh([`put ${local} call.wav`])
    expect(put.code, put.stderr).toBe(0)
    expect((await readFile(path.join(f.root, 'call.wav'))).equals(body)).toBe(true)

    await writeFile(path.join(f.root, 'resume.wav'), body.subarray(0, 40_000))
    const reput = await f.openssh([`reput ${local} resume.wav`])
    expect(reput.code).not.toBe(0)
    expect(reput.stderr).toMatch(/Random access writes are not supported|unsupported/i)
    expect((await readFile(path.join(f.root, 'resume.wav'))).length).toBe(40_000)
  })
})
