/**
 * Files the user asks for (the problem list, a mapping, the platform's sample CSV) are never
 * written to a path the renderer names: in Electron the user picks the place in the native
 * save dialog, which asks before replacing a file; in the web host the browser downloads the
 * file, which never replaces one. Either way a compromised page cannot write a `.bashrc`.
 */
import path from 'node:path'
import { constants } from 'node:fs'
import { open, realpath } from 'node:fs/promises'
import type { DownloadFile, OpenOutcome, SaveOutcome } from '../src/api'
import { AppError, toAppError, toLocalWriteError } from '../src/errors'
import { OPENABLE_EXTENSIONS } from './open-path'
import { writeOwnerOnlyFile } from '../src/atomic-file'

/** What to save: the content and the name to suggest. */
export interface FileForUser {
  name: string
  mimeType: string
  text: string
}

/** Asks the user where to save; null when cancelled. Absent on a host with no native dialogs. */
export type PickSavePath = (suggestedName: string) => Promise<string | null>

/** Largest file the web host hands to the browser as a download (reports of huge batches are far smaller). */
export const MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024

export async function saveForUser(pickSavePath: PickSavePath | null, file: FileForUser, onSaved: (file: string) => void): Promise<SaveOutcome> {
  if (!pickSavePath) return { kind: 'download', ...file }
  const target = await pickSavePath(file.name)
  if (target === null) return { kind: 'cancelled' }
  await writeWhole(target, file.text)
  onSaved(target)
  return { kind: 'saved', path: target }
}

/** Written whole or not at all, owner-only (src/atomic-file.ts), into the folder the user chose. */
async function writeWhole(target: string, text: string): Promise<void> {
  try {
    await writeOwnerOnlyFile(target, text, { appFolder: false })
  } catch (err) {
    // Whatever the cause (read-only, no such folder, disk full), the way out is another place.
    const code = toLocalWriteError(err, target).code === 'LOCAL_DISK_FULL' ? 'LOCAL_DISK_FULL' : 'LOCAL_NOT_WRITABLE'
    const detail = `${target}: ${err instanceof Error ? err.message : String(err)}`
    throw new AppError(code, detail, { cause: err, message: 'The file could not be saved there: the disk is full, or that folder cannot be written to. Choose another folder.' })
  }
}

const MIME_TYPES: Record<string, string> = { '.csv': 'text/csv', '.json': 'application/json', '.txt': 'text/plain', '.log': 'text/plain' }

/**
 * The web host's "open": a document the app wrote or the user picked, handed to the browser as
 * a download. Read from its real path, opened without following a link there (a link swapped
 * in after the scope check is refused, not read) and without waiting on a pipe, then checked
 * on the open handle: a regular file of a document type, at most MAX_DOWNLOAD_BYTES, read no
 * further than that even if it grows meanwhile.
 */
export async function downloadOf(file: string): Promise<OpenOutcome> {
  const notFound = (err: unknown) => {
    throw toAppError(err, 'FILE_NOT_FOUND')
  }
  const real = await realpath(file).catch(notFound)
  const ext = path.extname(file).toLowerCase()
  const notDocument = () => new AppError('BAD_ARGUMENT', `not a document: ${file}`, { message: `The browser cannot open folders or programs of the computer running the app. It is there, at ${file}` })
  if (!OPENABLE_EXTENSIONS.includes(ext) || !OPENABLE_EXTENSIONS.includes(path.extname(real).toLowerCase())) throw notDocument()
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)
  const fh = await open(real, flags).catch((err: unknown) => {
    // A folder cannot be handed over; say where it is rather than that it is missing.
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') throw notDocument()
    return notFound(err)
  })
  try {
    const info = await fh.stat()
    if (!info.isFile()) throw notDocument()
    if (info.size > MAX_DOWNLOAD_BYTES) {
      throw new AppError('BAD_ARGUMENT', `too large to download: ${file}`, { message: `This file is too large to hand to the browser. It is on the computer running the app, at ${file}` })
    }
    const buf = Buffer.alloc(info.size)
    let got = 0
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, got)
      if (bytesRead === 0) break
      got += bytesRead
    }
    const download: DownloadFile = { kind: 'download', name: path.basename(file), mimeType: MIME_TYPES[ext] ?? 'text/plain', text: buf.subarray(0, got).toString('utf8') }
    return download
  } finally {
    await fh.close()
  }
}
