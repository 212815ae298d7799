import os from 'node:os'
import path from 'node:path'
import { mkdir, chmod } from 'node:fs/promises'

/**
 * The one folder holding all app data (keys, known hosts, destinations, journals, reports,
 * settings): `BULK_UPLOAD_HOME` when set (tests and scripts rely on it), else the OS's
 * per-user application data folder.
 */
export function appHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BULK_UPLOAD_HOME) return path.resolve(env.BULK_UPLOAD_HOME)
  const home = os.homedir()
  switch (process.platform) {
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'bulk-upload')
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'bulk-upload')
    default:
      return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'bulk-upload')
  }
}

/** Creates (owner-only, 0700) and returns a folder inside the app home. */
export async function appDir(sub: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const home = appHome(env)
  const dir = path.join(home, sub)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  // mkdir's mode is masked by umask and ignored for existing folders: set it explicitly.
  if (process.platform !== 'win32') {
    await chmod(home, 0o700)
    await chmod(dir, 0o700)
  }
  return dir
}
