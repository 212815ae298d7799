/**
 * Files the user asks for (the problem list, a mapping, the platform's sample CSV) are never
 * written to a path the renderer names: in Electron the user picks the place in the native
 * save dialog, which asks before replacing a file; in the web host the browser downloads the
 * file, which never replaces one. Either way a compromised page cannot write a `.bashrc`.
 */
import path from 'node:path'
import { readFile, stat } from 'node:fs/promises'
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

/** The web host's "open": a document the app wrote, handed to the browser as a download. */
export async function downloadOf(file: string): Promise<OpenOutcome> {
  const ext = path.extname(file).toLowerCase()
  const info = await stat(file).catch((err: unknown) => {
    throw toAppError(err, 'FILE_NOT_FOUND')
  })
  if (!info.isFile() || !OPENABLE_EXTENSIONS.includes(ext)) {
    throw new AppError('BAD_ARGUMENT', `not a document: ${file}`, { message: `The browser cannot open folders or programs of the computer running the app. It is there, at ${file}` })
  }
  if (info.size > MAX_DOWNLOAD_BYTES) {
    throw new AppError('BAD_ARGUMENT', `too large to download: ${file}`, { message: `This file is too large to hand to the browser. It is on the computer running the app, at ${file}` })
  }
  const download: DownloadFile = { kind: 'download', name: path.basename(file), mimeType: MIME_TYPES[ext] ?? 'text/plain', text: await readFile(file, 'utf8') }
  return download
}
