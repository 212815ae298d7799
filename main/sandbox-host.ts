/**
 * The "Sandbox (this computer)" destination: the embedded SFTP server (src/sandbox), started
 * on demand on 127.0.0.1, serving a folder in the app home, accepting the app's default key,
 * and behaving like the platform's server (AWS Transfer Family on S3: no appends, no offset
 * writes). Its host key and its port are kept between runs, so a fingerprint the user
 * confirmed stays valid; when the port is taken, a free one is used and the new address must
 * be confirmed once.
 */
import path from 'node:path'
import { mkdir, writeFile } from 'node:fs/promises'
import { startSandbox, type SandboxServer } from '../src/sandbox'
import { ensureDefaultKey, DEFAULT_KEY_NAME } from '../src/keys'
import { readJson, writeJson } from './json-file'
import { log } from './log'

export const SANDBOX_USERNAME = 'sandbox'
export const SANDBOX_KEY_NAME = DEFAULT_KEY_NAME

export interface SandboxAddress {
  host: string
  port: number
  username: string
}

export class SandboxHost {
  private server: SandboxServer | null = null
  private starting: Promise<SandboxServer> | null = null
  private readonly stateFile: string

  constructor(private readonly home: string) {
    this.stateFile = path.join(home, 'sandbox.json')
  }

  /** The folder the sandbox serves as its root: where "uploaded" files land. */
  get root(): string {
    return path.join(this.home, 'sandbox-server')
  }

  /** The port last used (0 before the first start): what the destination list shows. */
  async lastPort(): Promise<number> {
    if (this.server) return this.server.port
    const saved = (await readJson(this.stateFile).catch(() => undefined)) as { port?: unknown } | undefined
    return typeof saved?.port === 'number' ? saved.port : 0
  }

  /** Starts the server if it is not running (once, even when asked twice at once). */
  async ensure(): Promise<SandboxAddress> {
    if (!this.server) {
      this.starting ??= this.start().finally(() => {
        this.starting = null
      })
      this.server = await this.starting
    }
    return { host: this.server.host, port: this.server.port, username: this.server.username }
  }

  private async start(): Promise<SandboxServer> {
    const key = await ensureDefaultKey(this.home)
    await mkdir(this.root, { recursive: true, mode: 0o700 })
    const authorized = path.join(this.home, 'sandbox-authorized_keys')
    await writeFile(authorized, `${key.publicKey}\n`, { mode: 0o600 })
    const options = {
      root: this.root,
      host: '127.0.0.1',
      mode: 's3' as const,
      authorizedKeys: { file: authorized },
      hostKeyPath: path.join(this.home, 'sandbox-host-key'),
      username: SANDBOX_USERNAME,
    }
    const wanted = await this.lastPort()
    let server: SandboxServer
    try {
      server = await startSandbox({ ...options, port: wanted })
    } catch (err) {
      if (wanted === 0) throw err
      log('info', `sandbox port ${wanted} is taken; using a free one`)
      server = await startSandbox({ ...options, port: 0 })
    }
    await writeJson(this.stateFile, { port: server.port })
    log('info', `sandbox listening on 127.0.0.1:${server.port}, root ${this.root}`)
    return server
  }

  async close(): Promise<void> {
    const server = this.server ?? (this.starting ? await this.starting.catch(() => null) : null)
    this.server = null
    await server?.close()
  }
}
