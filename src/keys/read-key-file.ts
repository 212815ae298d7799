/**
 * Reads a key file a user named, refusing what cannot be a key before reading it: anything
 * that is not a regular file (`/dev/zero`, a FIFO, a folder) and files over 1 MiB. Reading
 * such a file whole used to grow the process to gigabytes.
 */
import { constants, open } from 'node:fs/promises'
import { AppError, toAppError } from '../errors'

/** Largest key file read. The largest real key (RSA 16384, PPK) is about 13 KB. */
export const MAX_KEY_FILE_BYTES = 1024 * 1024

/**
 * The file's bytes. Errors: KEY_FILE_NOT_A_FILE, KEY_FILE_TOO_LARGE, or the errno's code
 * (FILE_NOT_FOUND, NOT_READABLE) with the path as details.
 */
export async function readKeyFileBytes(file: string): Promise<Buffer> {
  let handle
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not hang before it can be refused.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (err) {
    throw toAppError(err, 'NOT_READABLE')
  }
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw new AppError('KEY_FILE_NOT_A_FILE', file)
    if (info.size > MAX_KEY_FILE_BYTES) throw new AppError('KEY_FILE_TOO_LARGE', file)
    // Read at most the limit plus one byte, whatever the size said: the file may grow meanwhile.
    const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1)
    let length = 0
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
      if (length > MAX_KEY_FILE_BYTES) throw new AppError('KEY_FILE_TOO_LARGE', file)
    }
    return Buffer.from(buffer.subarray(0, length))
  } catch (err) {
    throw toAppError(err, 'NOT_READABLE')
  } finally {
    await handle.close()
  }
}
