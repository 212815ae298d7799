/**
 * known_hosts interop with OpenSSH itself: a file hashed by `ssh-keygen -H` is understood,
 * and what `trustHostKey` writes is found by `ssh-keygen -F` and accepted by OpenSSH's `sftp`
 * with StrictHostKeyChecking=yes.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import os from 'node:os'
import path from 'node:path'
import { generatePair } from '../../../src/keys'
import { startSandbox, type SandboxServer } from '../../../src/sandbox'
import { checkHostKey, trustHostKey } from '../../../src/ssh/host-trust'
import { parseKnownHosts } from '../../../src/ssh/known-hosts'
import { hasSftpClient, skipWithReason } from '../../helpers/system'

const run = promisify(execFile)
let dir: string
let server: SandboxServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
  await rm(dir, { recursive: true, force: true })
})

describe.skipIf(skipWithReason(hasSftpClient(), 'known_hosts interop with OpenSSH'))('known_hosts shared with OpenSSH', () => {
  it('reads entries hashed by ssh-keygen -H and writes entries OpenSSH finds and trusts', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-kh-interop-'))
    const key = generatePair('ed25519')
    const keyPath = path.join(dir, 'id')
    await writeFile(keyPath, key.privateKey, { mode: 0o600 })
    server = await startSandbox({ root: path.join(dir, 'root'), authorizedKeys: [key.publicKey] })
    const blob = parseKnownHosts(server.knownHostsLine)[0]!.keyBlob

    const hashed = path.join(dir, 'hashed_known_hosts')
    await writeFile(hashed, `# mine\nother.example.com ssh-ed25519 ${blob.toString('base64')}\n${server.knownHostsLine}\n`)
    await run('/usr/bin/ssh-keygen', ['-H', '-f', hashed])
    expect(await readFile(hashed, 'utf8')).not.toContain('127.0.0.1')
    expect((await checkHostKey(hashed, server.host, server.port, blob)).status).toBe('trusted')
    expect((await checkHostKey(hashed, server.host, server.port + 1, blob)).status).toBe('unknown')

    const ours = path.join(dir, 'known_hosts')
    await trustHostKey(ours, server.host, server.port, blob)
    const found = await run('/usr/bin/ssh-keygen', ['-F', `[${server.host}]:${server.port}`, '-f', ours])
    expect(found.stdout).toContain(blob.toString('base64'))
    const batch = path.join(dir, 'batch')
    await writeFile(batch, 'pwd\n')
    const sftp = await run('/usr/bin/sftp', [
      '-b', batch, '-i', keyPath, '-P', String(server.port),
      '-o', `UserKnownHostsFile=${ours}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes',
      `${server.username}@${server.host}`,
    ])
    expect(sftp.stdout).toMatch(/Remote working directory: \//)
  })
})
