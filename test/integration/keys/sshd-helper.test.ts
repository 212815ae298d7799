/**
 * The OpenSSH sshd test helper itself, since the upload engine's tests lean on it: a private
 * sshd on a free port serving the root as the login folder, `killSessions()` cutting a
 * transfer mid-file while the listener stays up, and `close()` stopping only its own PID.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import SftpClient from 'ssh2-sftp-client'
import type { Client, SFTPWrapper } from 'ssh2'
import { generatePair } from '../../../src/keys'
import { createHostVerifier } from '../../../src/ssh/host-trust'
import { startSshd, type SshdServer } from '../../helpers/sshd'
import { hasSshd, skipWithReason } from '../../helpers/system'

let dir: string
let sshd: SshdServer | undefined
afterEach(async () => {
  await sshd?.close()
  sshd = undefined
  await rm(dir, { recursive: true, force: true })
})

const call = <T>(fn: (cb: (err: Error | null | undefined, v?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v as T))))

describe.skipIf(skipWithReason(hasSshd(), 'sshd test helper'))('startSshd', () => {
  it('serves the root, cuts sessions on demand, and stops its own process', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-sshd-helper-'))
    const root = path.join(dir, 'root')
    await mkdir(root)
    const key = generatePair('ed25519')
    sshd = await startSshd({ root, authorizedKeys: [key.publicKey] })
    expect(sshd.host).toBe('127.0.0.1')
    const knownHostsPath = path.join(dir, 'known_hosts')
    await writeFile(knownHostsPath, sshd.knownHostsLine + '\n')
    const connect = async (): Promise<SftpClient> => {
      const c = new SftpClient()
      const v = createHostVerifier({ host: sshd!.host, port: sshd!.port, knownHostsPath, policy: 'strict' })
      await c.connect({ host: sshd!.host, port: sshd!.port, username: sshd!.username, privateKey: key.privateKey, hostVerifier: v.hostVerifier })
      return c
    }

    const c = await connect()
    expect(await c.cwd()).toBe(root)
    const sftp = (c as unknown as { sftp: SFTPWrapper }).sftp
    const handle = await call<Buffer>((cb) => sftp.open('cut.wav', 'w', cb))
    await call<void>((cb) => sftp.write(handle, Buffer.alloc(1000, 1), 0, 1000, 0, cb))
    const conn = (c as unknown as { client: Client }).client
    const closed = new Promise<void>((resolve) => conn.once('close', () => resolve()))
    sshd.killSessions()
    await closed
    expect((await readFile(path.join(root, 'cut.wav'))).length).toBe(1000)

    // The listener survived: a new connection works.
    const again = await connect()
    await again.put(Buffer.from('ok'), 'after.txt')
    await again.end()

    const pid = sshd.pid
    await sshd.close()
    sshd = undefined
    expect(() => process.kill(pid, 0)).toThrow()
    await c.end().catch(() => undefined)
  })
})
