/**
 * The real servers the upload is proven against: the embedded sandbox in `posix` and `s3`
 * modes, OpenSSH's sshd, and sshd with Debian's independent gesftpserver behind it. Each
 * serves a fresh folder and trusts one public key.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { startSandbox, S3_STAGING_NAME, type SandboxServer } from '../../../src/sandbox'
import { startSshd } from '../../helpers/sshd'

export type ServerKind = 'sandbox-posix' | 'sandbox-s3' | 'sshd' | 'gesftpserver'

export interface TestServer {
  kind: ServerKind
  host: string
  port: number
  username: string
  /** The folder on disk behind the login directory. */
  root: string
  knownHostsPath: string
  sandbox: SandboxServer | null
  close(): Promise<void>
}

export async function startServer(kind: ServerKind, work: string, publicKey: string): Promise<TestServer> {
  const root = path.join(work, `${kind}-root`)
  await mkdir(root, { recursive: true })
  const knownHostsPath = path.join(work, `${kind}-known_hosts`)
  if (kind === 'sshd' || kind === 'gesftpserver') {
    const sshd = await startSshd({ root, authorizedKeys: [publicKey], sftpServer: kind === 'sshd' ? 'internal-sftp' : 'gesftpserver' })
    await writeFile(knownHostsPath, sshd.knownHostsLine + '\n')
    return { kind, host: '127.0.0.1', port: sshd.port, username: sshd.username, root, knownHostsPath, sandbox: null, close: () => sshd.close() }
  }
  const sandbox = await startSandbox({ root, mode: kind === 'sandbox-s3' ? 's3' : 'posix', authorizedKeys: [publicKey], hostKeyPath: path.join(work, `${kind}-host-key`) })
  await writeFile(knownHostsPath, sandbox.knownHostsLine + '\n')
  return { kind, host: sandbox.host, port: sandbox.port, username: sandbox.username, root: sandbox.root, knownHostsPath, sandbox, close: () => sandbox.close() }
}

/** What a client of the server would list: the s3 sandbox's hidden staging folder excluded. */
export async function listServerRoot(root: string): Promise<string[]> {
  return (await readdir(root)).filter((n) => n !== S3_STAGING_NAME).sort()
}
