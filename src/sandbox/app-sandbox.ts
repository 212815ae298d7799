/**
 * The app's own sandbox: the same folder, host key and key in the app home whether it is
 * started by the desktop app or by `bulk-upload sandbox`, so a host key pinned once stays
 * valid and files land in one place. Trying the app needs nothing: the app's default key is
 * made on first use and authorised.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { KeyInfo } from '../api'
import { appHome } from '../app-home'
import { ensureDefaultKey } from '../keys'
import { startSandbox } from './server'
import type { SandboxMode, SandboxServer } from './types'

/** The user name the app's sandbox accepts. */
export const APP_SANDBOX_USERNAME = 'sandbox'
/** The port `bulk-upload sandbox` listens on unless told otherwise. */
export const APP_SANDBOX_PORT = 2222

/** Where the app's sandbox keeps its state inside the app home. */
export function appSandboxPaths(home: string = appHome()): { root: string; hostKeyPath: string; authorizedKeysFile: string } {
  return {
    root: path.join(home, 'sandbox-server'),
    hostKeyPath: path.join(home, 'sandbox-host-key'),
    authorizedKeysFile: path.join(home, 'sandbox-authorized_keys'),
  }
}

/** Overrides for the app's sandbox; every field defaults to the app's own setting. */
export interface AppSandboxOptions {
  home?: string
  root?: string
  host?: string
  port?: number
  mode?: SandboxMode
  /** An authorized_keys file; without it the app's default key is authorised. */
  authorizedKeysFile?: string
}

/** Starts the app's sandbox; `key` is the app's default key when that is what is authorised. */
export async function startAppSandbox(options: AppSandboxOptions = {}): Promise<{ server: SandboxServer; key: KeyInfo | null }> {
  const home = options.home ?? appHome()
  await mkdir(home, { recursive: true, mode: 0o700 })
  const paths = appSandboxPaths(home)
  let key: KeyInfo | null = null
  let authorizedKeysFile = options.authorizedKeysFile
  if (authorizedKeysFile === undefined) {
    key = await ensureDefaultKey(home)
    authorizedKeysFile = paths.authorizedKeysFile
    await writeFile(authorizedKeysFile, `${key.publicKey}\n`, { mode: 0o600 })
  }
  const server = await startSandbox({
    root: options.root ?? paths.root,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? APP_SANDBOX_PORT,
    mode: options.mode ?? 's3',
    authorizedKeys: { file: authorizedKeysFile },
    hostKeyPath: paths.hostKeyPath,
    username: APP_SANDBOX_USERNAME,
  })
  return { server, key }
}
