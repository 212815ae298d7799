/**
 * Where a destination's platform layout is kept: `layout.json` in the destination's own folder
 * of the app home (beside its delivery ledger), keyed by server, account and folder, so the
 * app and the CLI naming the same server by flags find the same layout. Written atomically
 * (temporary file, fsync, rename): a power cut leaves the old layout or the new, never half.
 */
import { chmod, mkdir, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import type { PlatformLayout } from '../api'
import { parsePlatformLayout } from '../batch/platform-layout'
import { AppError, toAppError, toLocalWriteError } from '../errors'
import { writeOwnerOnlyFile } from '../atomic-file'
import { destinationDataDir, type DestinationAddress } from './destination-key'

/** The file name inside the destination's folder. */
export const LAYOUT_FILE = 'layout.json'

/** The path of a destination's layout file (for messages: "the layout kept in ..."). */
export function layoutPath(home: string, dest: DestinationAddress): string {
  return path.join(destinationDataDir(home, dest), LAYOUT_FILE)
}

/**
 * This computer's own write failures get their own codes: a full disk here is not the
 * server's ("The server has no room left"), and a read-only folder is not a login problem.
 */
function localWriteError(err: unknown, file: string): AppError {
  return toLocalWriteError(err, `Could not save the platform layout to ${file}`)
}

/**
 * The layout recorded for a destination, or null when none is. A damaged file (not JSON, or
 * not a layout) is LOCAL_DATA_DAMAGED naming the file and how to fix it, never a crash or a
 * silent null: a silent null would let the next batch record a new layout the platform was
 * never set up with. Running again meets the same file, so it is never an "interrupted" exit.
 */
export async function readLayout(home: string, dest: DestinationAddress): Promise<PlatformLayout | null> {
  const file = layoutPath(home, dest)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw toAppError(err, 'NOT_READABLE')
  }
  const damaged = (why: string) =>
    new AppError('LOCAL_DATA_DAMAGED', `The platform layout kept in ${file} is damaged (${why}).`, {
      message: `${file} is damaged: move it away and run again; the next batch records the layout anew from its CSV. To keep the layout the platform was set up with, import its sample CSV again instead (bulk-upload layout import), or forget the layout (bulk-upload layout forget).`,
    })
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw damaged((err as Error).message)
  }
  try {
    return parsePlatformLayout(json, `The file ${file}`)
  } catch (err) {
    throw damaged((err as AppError).details ?? (err as Error).message)
  }
}

/**
 * Records `layout` as the destination's (replacing any earlier one). The folders are made
 * owner-only (0700) and the file 0600: what a user sends to whom is nobody else's business.
 * Full or read-only local disks give LOCAL_DISK_FULL / LOCAL_NOT_WRITABLE.
 */
export async function saveLayout(home: string, dest: DestinationAddress, layout: PlatformLayout): Promise<void> {
  const clean = parsePlatformLayout(layout)
  const dir = destinationDataDir(home, dest)
  const file = path.join(dir, LAYOUT_FILE)
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    // The destinations folder too: mkdir's mode is masked by umask and ignored for existing folders.
    if (process.platform !== 'win32') await chmod(path.dirname(dir), 0o700)
    await writeOwnerOnlyFile(file, `${JSON.stringify(clean, null, 2)}\n`)
  } catch (err) {
    throw localWriteError(err, file)
  }
}

/** Forgets a destination's layout, so its next upload records one again. No layout: no-op. */
export async function forgetLayout(home: string, dest: DestinationAddress): Promise<void> {
  const file = layoutPath(home, dest)
  try {
    await rm(file, { force: true })
  } catch (err) {
    throw localWriteError(err, file)
  }
}
