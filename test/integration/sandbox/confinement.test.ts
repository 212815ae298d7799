/**
 * Paths never leave the served folder: `..` climbs and symlinks pointing out are refused,
 * from ssh2-sftp-client and from OpenSSH's `sftp`, and nothing outside is read or written.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { symlink, writeFile, readdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import path from 'node:path'
import ssh2 from 'ssh2'
import { sandboxFixture, raw, rawSftp, rejection, type Fixture } from './fixture'
import { hasSftpClient, skipWithReason } from '../../helpers/system'

const STATUS = ssh2.utils.sftp.STATUS_CODE
let f: Fixture | undefined
afterEach(async () => {
  await f?.close()
  f = undefined
})

for (const mode of ['posix', 's3'] as const) {
  describe(`path confinement (${mode}) with ssh2-sftp-client`, () => {
    it('refuses `..` escapes with PERMISSION_DENIED and writes nothing outside', async () => {
      f = await sandboxFixture({ mode })
      await writeFile(path.join(f.dir, 'outside.txt'), 'secret')
      const c = await f.connect()
      const s = rawSftp(c)
      for (const p of ['../escape.wav', '/../escape.wav', 'a/../../escape.wav', '..']) {
        expect((await rejection(raw.open(s, p, 'w'))).code).toBe(STATUS.PERMISSION_DENIED)
      }
      expect((await rejection(raw.stat(s, '../outside.txt'))).code).toBe(STATUS.PERMISSION_DENIED)
      await expect(c.get('/../outside.txt')).rejects.toThrow(/Permission denied|leaves/)
      await expect(c.list('..')).rejects.toThrow()
      expect(existsSync(path.join(f.dir, 'escape.wav'))).toBe(false)
      // `..` that stays inside is fine.
      await c.mkdir('sub')
      await c.put(Buffer.from('x'), 'sub/../inside.wav')
      expect(existsSync(path.join(f.root, 'inside.wav'))).toBe(true)
    })

    it('refuses following a symlink that points out of the folder', async () => {
      f = await sandboxFixture({ mode })
      await writeFile(path.join(f.dir, 'outside.txt'), 'secret')
      await symlink(f.dir, path.join(f.root, 'link-dir'))
      await symlink(path.join(f.dir, 'outside.txt'), path.join(f.root, 'link-file'))
      const c = await f.connect()
      const s = rawSftp(c)
      expect((await rejection(raw.open(s, 'link-file', 'r'))).code).toBe(STATUS.PERMISSION_DENIED)
      expect((await rejection(raw.open(s, 'link-dir/new.wav', 'w'))).code).toBe(STATUS.PERMISSION_DENIED)
      expect((await rejection(raw.stat(s, 'link-dir/outside.txt'))).code).toBe(STATUS.PERMISSION_DENIED)
      await expect(c.list('link-dir')).rejects.toThrow()
      expect(await readdir(f.dir)).not.toContain('new.wav')
      // The link itself can be seen (lstat) and removed, never followed.
      expect((await c.list('/')).map((e) => e.name).sort()).toEqual(['link-dir', 'link-file'])
      await c.delete('link-file')
      expect(existsSync(path.join(f.dir, 'outside.txt'))).toBe(true)
    })
  })
}

describe.skipIf(skipWithReason(hasSftpClient(), 'path confinement with OpenSSH sftp'))('path confinement with OpenSSH sftp', () => {
  it('refuses get and put through `..`', async () => {
    f = await sandboxFixture()
    await writeFile(path.join(f.dir, 'outside.txt'), 'secret')
    const get = await f.openssh([`get ../outside.txt ${path.join(f.dir, 'stolen.txt')}`])
    expect(get.code).not.toBe(0)
    // sftp globs the remote name first; the refused directory read shows as "not found".
    expect(get.stderr).toMatch(/Permission denied|not found/)
    expect(existsSync(path.join(f.dir, 'stolen.txt'))).toBe(false)
    const put = await f.openssh([`put ${path.join(f.dir, 'outside.txt')} ../../planted.txt`])
    expect(put.code).not.toBe(0)
    expect(put.stderr).toMatch(/Permission denied/)
    expect(existsSync(path.join(path.dirname(f.dir), 'planted.txt'))).toBe(false)
    const cd = await f.openssh(['cd ..', 'pwd'])
    expect(cd.code).not.toBe(0)
  })
})
