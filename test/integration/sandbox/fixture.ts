/**
 * Shared set-up for sandbox tests: a temp folder with the served root and a client key pair,
 * a started sandbox, a known_hosts file pinning it, and connected clients of both kinds.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import type ssh2 from 'ssh2'
import type { SFTPWrapper } from 'ssh2'
import SftpClient from 'ssh2-sftp-client'
import { startSandbox, type SandboxOptions, type SandboxServer } from '../../../src/sandbox'
import { createHostVerifier } from '../../../src/ssh/host-trust'
import { generatePair } from '../../../src/keys/key-pair'

export interface Fixture {
  dir: string
  root: string
  keyPath: string
  privateKey: string
  publicKey: string
  knownHosts: string
  server: SandboxServer
  /** Connects ssh2-sftp-client, checking the host key strictly against `knownHosts`. */
  connect(): Promise<SftpClient>
  /** Runs OpenSSH's `sftp -b` with the given batch lines; resolves with code and output. */
  openssh(batch: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }>
  close(): Promise<void>
}

/** Starts a sandbox for one test; the test must call `close()`. */
export async function sandboxFixture(options: Partial<SandboxOptions> = {}): Promise<Fixture> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-sandbox-'))
  const root = path.join(dir, 'root')
  await mkdir(root)
  const pair = generatePair('ed25519', { comment: 'sandbox test' })
  const keyPath = path.join(dir, 'id_ed25519')
  await writeFile(keyPath, pair.privateKey, { mode: 0o600 })
  const server = await startSandbox({ root, authorizedKeys: [pair.publicKey], ...options })
  const knownHosts = path.join(dir, 'known_hosts')
  await writeFile(knownHosts, server.knownHostsLine + '\n')
  const clients: SftpClient[] = []
  return {
    dir,
    root,
    keyPath,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    knownHosts,
    server,
    async connect() {
      const client = new SftpClient()
      const verifier = createHostVerifier({ host: server.host, port: server.port, knownHostsPath: knownHosts, policy: 'strict' })
      await client.connect({ host: server.host, port: server.port, username: server.username, privateKey: pair.privateKey, hostVerifier: verifier.hostVerifier })
      clients.push(client)
      return client
    },
    openssh(batch, cwd = dir) {
      const batchFile = path.join(dir, `batch-${Math.random().toString(36).slice(2)}`)
      const args = [
        '-b', batchFile, '-i', keyPath, '-P', String(server.port),
        '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes',
        '-o', 'IdentitiesOnly=yes', `${server.username}@${server.host}`,
      ]
      return writeFile(batchFile, batch.join('\n') + '\n').then(
        () =>
          new Promise((resolve) => {
            execFile('/usr/bin/sftp', args, { cwd }, (err, stdout, stderr) => {
              resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
            })
          }),
      )
    },
    async close() {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)))
      await server.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** The raw ssh2 SFTP channel under ssh2-sftp-client, for requests the wrapper hides. */
export function rawSftp(client: SftpClient): SFTPWrapper {
  return (client as unknown as { sftp: SFTPWrapper }).sftp
}

/** Promisified raw calls that keep the SFTP status `code` on errors. */
export const raw = {
  open: (s: SFTPWrapper, p: string, flags: 'r' | 'w' | 'a'): Promise<Buffer> =>
    new Promise((resolve, reject) => s.open(p, flags, (err, h) => (err ? reject(err) : resolve(h)))),
  write: (s: SFTPWrapper, h: Buffer, data: Buffer, position: number): Promise<void> =>
    new Promise((resolve, reject) => s.write(h, data, 0, data.length, position, (err) => (err ? reject(err) : resolve()))),
  close: (s: SFTPWrapper, h: Buffer): Promise<void> => new Promise((resolve, reject) => s.close(h, (err) => (err ? reject(err) : resolve()))),
  fchmod: (s: SFTPWrapper, h: Buffer, mode: number): Promise<void> =>
    new Promise((resolve, reject) => s.fchmod(h, mode, (err) => (err ? reject(err) : resolve()))),
  stat: (s: SFTPWrapper, p: string): Promise<ssh2.Stats> => new Promise((resolve, reject) => s.stat(p, (err, st) => (err ? reject(err) : resolve(st)))),
}

/** Resolves with the error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: number | string }> {
  try {
    await promise
  } catch (err) {
    return err as Error & { code?: number | string }
  }
  throw new Error('Expected the operation to fail, but it succeeded')
}
