/**
 * The sandbox in posix mode behaves like OpenSSH for an uploader: driven by ssh2-sftp-client
 * and by OpenSSH's own `sftp`, with the host key checked strictly against known_hosts.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { mkdir, readFile, writeFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { sandboxFixture, raw, rawSftp, type Fixture } from './fixture'
import { hasSftpClient, skipWithReason } from '../../helpers/system'

let f: Fixture | undefined
afterEach(async () => {
  await f?.close()
  f = undefined
})

describe('sandbox posix mode with ssh2-sftp-client', () => {
  it('logs in at "/" and supports put, fastPut, get, list, mkdir, rename, delete, stat', async () => {
    f = await sandboxFixture()
    const c = await f.connect()
    expect(await c.cwd()).toBe('/')
    const big = randomBytes(300_000)
    await writeFile(path.join(f.dir, 'big.bin'), big)
    await c.fastPut(path.join(f.dir, 'big.bin'), 'big.bin') // parallel writes at offsets
    expect((await readFile(path.join(f.root, 'big.bin'))).equals(big)).toBe(true)
    await c.mkdir('calls')
    await c.put(Buffer.from('hello'), '/calls/a.wav')
    expect(await readFile(path.join(f.root, 'calls', 'a.wav'), 'utf8')).toBe('hello')
    expect((await c.stat('calls/a.wav')).size).toBe(5)
    await c.rename('calls/a.wav', 'calls/b.wav')
    expect((await c.list('calls')).map((e) => e.name)).toEqual(['b.wav'])
    expect(((await c.get('calls/b.wav')) as Buffer).toString()).toBe('hello')
    await c.delete('calls/b.wav')
    await c.rmdir('calls')
    expect((await c.list('/')).map((e) => e.name)).toEqual(['big.bin'])
  })

  it('accepts a write at an offset and an append, as OpenSSH does', async () => {
    f = await sandboxFixture()
    const s = rawSftp(await f.connect())
    const h = await raw.open(s, 'part.bin', 'w')
    await raw.write(s, h, Buffer.from('abc'), 0)
    await raw.write(s, h, Buffer.from('XYZ'), 10)
    await raw.fchmod(s, h, 0o600)
    await raw.close(s, h)
    const data = await readFile(path.join(f.root, 'part.bin'))
    expect(data.length).toBe(13)
    expect(data.subarray(10).toString()).toBe('XYZ')
    expect((await stat(path.join(f.root, 'part.bin'))).mode & 0o777).toBe(0o600)
  })

  it('lists a folder of thousands of files completely, in READDIR batches', async () => {
    f = await sandboxFixture()
    const names = Array.from({ length: 2500 }, (_, i) => `call-${String(i).padStart(5, '0')}.wav`)
    await mkdir(path.join(f.root, 'many'))
    await Promise.all(names.map((n) => writeFile(path.join(f!.root, 'many', n), '')))
    const c = await f.connect()
    expect((await c.list('many')).map((e) => e.name).sort()).toEqual(names)
  })

  it('refuses a rename onto an existing file, like OpenSSH with SFTP v3', async () => {
    f = await sandboxFixture()
    const c = await f.connect()
    await c.put(Buffer.from('1'), 'one')
    await c.put(Buffer.from('2'), 'two')
    await expect(c.rename('one', 'two')).rejects.toThrow(/File exists|Failure/)
  })
})

describe.skipIf(skipWithReason(hasSftpClient(), 'sandbox with OpenSSH sftp'))('sandbox posix mode with OpenSSH sftp', () => {
  it('puts, lists, renames, resumes (reput) and gets files in batch mode', async () => {
    f = await sandboxFixture()
    const local = path.join(f.dir, 'call.wav')
    const body = randomBytes(100_000)
    await writeFile(local, body)
    await writeFile(path.join(f.root, 'resume.wav'), body.subarray(0, 40_000))
    const r = await f.openssh([
      `put ${local} call.wav`,
      `reput ${local} resume.wav`,
      'rename call.wav renamed.wav',
      'ls -l',
      `get renamed.wav ${path.join(f.dir, 'back.wav')}`,
    ])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/renamed\.wav/)
    expect((await readFile(path.join(f.root, 'renamed.wav'))).equals(body)).toBe(true)
    expect((await readFile(path.join(f.root, 'resume.wav'))).equals(body)).toBe(true)
    expect((await readFile(path.join(f.dir, 'back.wav'))).equals(body)).toBe(true)
  })

  it('lists a large folder with ls', async () => {
    f = await sandboxFixture()
    await Promise.all(Array.from({ length: 1200 }, (_, i) => writeFile(path.join(f!.root, `r${i}.wav`), '')))
    const r = await f.openssh(['ls -1'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.split('\n').filter((l) => /^r\d+\.wav$/.test(l.trim()))).toHaveLength(1200)
  })
})
