/**
 * The writer's direct path (src/ssh/direct-write.ts) against real servers: WRITE requests whose
 * bytes are read straight into ssh2's packets. What a user would check is the file on the
 * server (sha256) and the sha256 the writer recorded; these also check that the direct path,
 * not ssh2's `sftp.write`, carried the bytes, so a change in ssh2 that turns it off is seen.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, stat, writeFile as writeLocal } from 'node:fs/promises'
import path from 'node:path'
import { Client, type SFTPWrapper } from 'ssh2'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { drawPaddingInBulk } from '../../../src/ssh/bulk-padding'
import { directWriter } from '../../../src/ssh/direct-write'
import { assumeLocalCalls, writeFile } from '../../../src/transfer/file-writer'
import { GESFTPSERVER } from '../../helpers/sshd'
import { hasSshd } from '../../helpers/system'
import { startServer, type ServerKind, type TestServer } from './servers'
import { makeKeyPair, tempDir } from './support'

const kinds: ServerKind[] = ['sandbox-s3']
if (hasSshd().ok) kinds.push('sshd')
else console.warn(`SKIPPED direct writes to OpenSSH sshd: ${hasSshd().reason}`)
if (hasSshd().ok && existsSync(GESFTPSERVER)) kinds.push('gesftpserver')
else console.warn(`SKIPPED direct writes to gesftpserver: ${hasSshd().ok ? `${GESFTPSERVER} is missing (apt-get install gesftpserver)` : hasSshd().reason}`)

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

describe.each(kinds)('direct writes to %s', (kind) => {
  let server: TestServer
  let work: string
  let client: Client
  let sftp: SFTPWrapper

  beforeAll(async () => {
    work = await tempDir(`direct-${kind}`)
    const key = await makeKeyPair(work)
    server = await startServer(kind, work, key.publicKey)
    client = new Client()
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve).once('error', reject)
      client.connect({ host: server.host, port: server.port, username: server.username, privateKey: key.privateKey, hostVerifier: () => true })
    })
    drawPaddingInBulk(client) // as every connection of the app
    sftp = await new Promise<SFTPWrapper>((resolve, reject) => client.sftp((err, s) => (err ? reject(err) : resolve(s))))
  })
  afterAll(async () => {
    client?.end()
    await server?.close()
  })

  async function localFile(name: string, size: number): Promise<{ file: string; bytes: Buffer; size: number; mtimeMs: number }> {
    const file = path.join(work, name)
    const bytes = randomBytes(size)
    await writeLocal(file, bytes)
    const st = await stat(file)
    return { file, bytes, size: st.size, mtimeMs: st.mtimeMs }
  }

  // The direct path is taken while local calls run inline; a busy machine can make one slow
  // enough to switch the process to the thread pool, so each test says which it means.
  beforeEach(() => assumeLocalCalls('inline'))

  it.each([
    ['read straight into packets', 'inline'],
    ["through ssh2's sftp.write (slow storage)", 'thread-pool'],
  ] as const)('sends a file larger than the channel window, through a key re-exchange started mid-file, byte for byte: %s', async (_path, localCalls) => {
    expect(directWriter(sftp)).not.toBeNull()
    assumeLocalCalls(localCalls)
    const { file, bytes, size, mtimeMs } = await localFile(`rekeyed-${localCalls}.wav`, 24 * 1024 * 1024 + 12_345)
    const viaSsh2 = vi.spyOn(sftp, 'write')
    let handshakes = 0
    const countHandshake = (): void => void handshakes++
    client.on('handshake', countHandshake)
    let rekeyed = false
    const written = await writeFile({
      sftp,
      localPath: file,
      remotePath: `rekeyed-${localCalls}.wav`,
      size,
      mtimeMs,
      // More in flight than the server's window (2 MiB for OpenSSH): the writer waits for it.
      maxInFlightBytes: 16 * 1024 * 1024,
      onProgress: (acknowledged) => {
        if (rekeyed || acknowledged < 4 * 1024 * 1024) return
        rekeyed = true
        // New keys negotiated mid-file, as a server does after its rekey limit: the writes
        // issued meanwhile wait in ssh2's queue for them. (ssh2's Client has no public call.)
        ;(client as unknown as { _protocol: { rekey(): void } })._protocol.rekey()
      },
    })
    client.off('handshake', countHandshake)
    expect(handshakes).toBe(1)
    // The count, not the calls: a failure message listing every call's 1 MiB buffer takes minutes to print.
    const ssh2Writes = viaSsh2.mock.calls.length
    viaSsh2.mockRestore()
    if (localCalls === 'inline') expect(ssh2Writes, 'WRITEs sent by sftp.write').toBe(0)
    else expect(ssh2Writes, 'WRITEs sent by sftp.write').toBeGreaterThan(0)
    expect(written.sha256).toBe(sha256(bytes))
    expect(sha256(await readFile(path.join(server.root, `rekeyed-${localCalls}.wav`)))).toBe(sha256(bytes))
  })

  it('sends files of every size around the packet and request sizes, each byte for byte', async () => {
    const sizes = [1, 4095, 32 * 1024 - 1, 32 * 1024, 32 * 1024 + 1, 255 * 1024, 256 * 1024 + 7, 3 * 1024 * 1024 + 1]
    for (const size of sizes) {
      const name = `size-${size}.wav`
      const local = await localFile(name, size)
      const written = await writeFile({ sftp, localPath: local.file, remotePath: name, size: local.size, mtimeMs: local.mtimeMs })
      expect(written.sha256, name).toBe(sha256(local.bytes))
      expect(sha256(await readFile(path.join(server.root, name))), name).toBe(sha256(local.bytes))
    }
  })

  it('fails with LOCAL_FILE_CHANGED, sending nothing past the file, when the file is shorter than planned', async () => {
    const local = await localFile('shrunk.wav', 300 * 1024)
    const error = await writeFile({ sftp, localPath: local.file, remotePath: 'shrunk.wav', size: local.size + 50_000, mtimeMs: local.mtimeMs }).catch((e: unknown) => e)
    expect((error as { code?: string }).code).toBe('LOCAL_FILE_CHANGED')
    // Only whole requests the file could fill went: the server holds a prefix of the file.
    const onServer = await readFile(path.join(server.root, 'shrunk.wav')).catch(() => Buffer.alloc(0))
    expect(onServer.length).toBeLessThan(local.size)
    expect(local.bytes.subarray(0, onServer.length).equals(onServer)).toBe(true)
  })
})
