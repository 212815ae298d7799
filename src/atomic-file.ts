/**
 * The app's own small files (layouts, known agents) are written whole or not at all, and
 * readable by the owner only: a temporary file (0600) beside the target, fsync, rename, then
 * the folder synced so the rename survives a power cut. Folders are made 0700 (mkdir's mode is
 * masked by umask and ignored for folders that exist, so it is set explicitly).
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises'
import path from 'node:path'

/**
 * Writes `text` to `file` atomically, owner-only. Errors are the file system's: callers give
 * them their codes. `appFolder: false` for a folder the user chose (a save dialog's): it must
 * exist already and its permissions are the user's, not the app's.
 */
export async function writeOwnerOnlyFile(file: string, text: string, opts: { appFolder?: boolean } = {}): Promise<void> {
  const dir = path.dirname(file)
  const tmp = path.join(dir, `${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    if (opts.appFolder !== false) {
      await mkdir(dir, { recursive: true, mode: 0o700 })
      if (process.platform !== 'win32') await chmod(dir, 0o700)
    }
    const fh = await open(tmp, 'wx', 0o600)
    try {
      await fh.writeFile(text, 'utf8')
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, file)
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined)
    throw err
  }
  await syncFolder(dir)
}

/** Makes a rename durable (POSIX); folders cannot be opened for sync on Windows. */
async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  const fh = await open(dir, 'r').catch(() => null)
  if (!fh) return
  await fh.sync().catch(() => undefined)
  await fh.close()
}
