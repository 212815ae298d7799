/**
 * Small input files a user names or the app keeps (a `--mapping` profile, a saved job), read
 * with a size bound and only as a regular file. `--mapping /dev/zero` was read until V8 gave
 * up ("Invalid string length" after some 620 MB); a pipe would block, a folder or a device
 * fail with an errno. Each is refused at once with a sentence naming the file and what to give.
 * known_hosts has its own reader with the same rules (src/ssh/known-hosts.ts).
 */
import { constants, type Stats } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { AppError, toAppError } from '../errors'

/** A mapping profile is a few hundred bytes; 1 MiB leaves room for any real one. */
export const MAPPING_MAX_BYTES = 1024 * 1024

export interface BoundedRead {
  /** Largest size read; more is refused. */
  maxBytes: number
  /** What the file should be, for the sentence: "a mapping file". */
  what: string
  /** What to give instead, ending the sentence: "Give the .json file that Save mapping wrote." */
  hint: string
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder'
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device'
  if (st.isFIFO()) return 'a pipe'
  if (st.isSocket()) return 'a socket'
  return 'not a regular file'
}

/**
 * Reads `file` as UTF-8 text: only a regular file of at most `maxBytes`, read no further than
 * that even if it grows meanwhile. Refusals are BAD_ARGUMENT naming the file; a missing or
 * unreadable file keeps its own code (FILE_NOT_FOUND, NOT_READABLE).
 */
export async function readBoundedText(file: string, limits: BoundedRead): Promise<string> {
  const refuse = (why: string) =>
    new AppError('BAD_ARGUMENT', `${file}: ${why}`, { message: `${file} is not ${limits.what} (${why}). ${limits.hint}` })
  const before = await stat(file).catch((err: unknown) => {
    throw toAppError(err, 'NOT_READABLE')
  })
  if (!before.isFile()) throw refuse(`it is ${kindOf(before)}`)
  if (before.size > limits.maxBytes) throw refuse(`it holds ${before.size} bytes, more than the ${limits.maxBytes} such a file can have`)
  // O_NONBLOCK: should the path become a pipe after the stat, opening it must not wait for a writer.
  const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)).catch((err: unknown) => {
    throw toAppError(err, 'NOT_READABLE')
  })
  try {
    const st = await handle.stat()
    if (!st.isFile()) throw refuse(`it is ${kindOf(st)}`)
    const buf = Buffer.alloc(limits.maxBytes + 1)
    let length = 0
    while (length < buf.length) {
      const { bytesRead } = await handle.read(buf, length, buf.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
    }
    if (length > limits.maxBytes) throw refuse(`it holds more than the ${limits.maxBytes} bytes such a file can have`)
    return buf.subarray(0, length).toString('utf8')
  } finally {
    await handle.close()
  }
}
