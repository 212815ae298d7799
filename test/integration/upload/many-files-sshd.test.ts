/**
 * Many files at high concurrency against OpenSSH's sshd: each file's abort listener is
 * removed when the file is done, so Node never prints MaxListenersExceededWarning (every
 * upload of more than 10 files used to).
 */
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { hasSshd, skipWithReason } from '../../helpers/system'
import { listServerRoot, startServer, type TestServer } from './servers'
import { runCli } from './cli'
import { checkedFixture, makeKeyPair, tempDir } from './support'

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

describe.skipIf(skipWithReason(hasSshd(), 'many files against OpenSSH sshd'))('bulk-upload upload, 60 files, concurrency 16, sshd', () => {
  it('uploads every file and prints no MaxListenersExceededWarning', async () => {
    const work = await tempDir('many-files')
    const key = await makeKeyPair(work)
    const server = await startServer('sshd', work, key.publicKey)
    servers.push(server)
    const fixture = await checkedFixture(path.join(work, 'batch'), { rows: 60, recordingBytes: 20_000 })
    const r = await runCli([
      'upload', fixture.gen.dir, '--host', server.host, '--port', String(server.port), '--user', server.username,
      '--key', path.join(work, 'id_ed25519'), '--known-hosts', server.knownHostsPath, '--state-dir', path.join(work, 'state'), '--concurrency', '16',
    ], { BULK_UPLOAD_HOME: path.join(work, 'home') })
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect((await listServerRoot(server.root)).filter((n) => !n.endsWith('.csv'))).toHaveLength(60)
    expect(r.stderr).not.toMatch(/MaxListenersExceeded|possible EventTarget memory leak/i)
    expect(r.stderr).not.toMatch(/Warning/)
  })
})
