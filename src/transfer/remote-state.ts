import { open } from 'node:fs/promises'
import type { SFTPWrapper } from 'ssh2'
import { closeHandle, openForRead, openForWrite, readAt, remove, statSize } from './sftp-ops'
import { AppError } from '../errors'
import { sftpError, SFTP_STATUS } from './sftp-errors'

/** Bytes compared at the end of a remote file before trusting it (DESIGN.md, "Resume"). */
export const TAIL_CHECK_BYTES = 64 * 1024

/**
 * Sizes of the files in a remote folder, from one directory listing: one request for the
 * whole batch instead of a stat per file (20,000 stats cost minutes on a 40 ms link).
 */
export function listRemoteSizes(sftp: SFTPWrapper, dir: string): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    sftp.readdir(dir || '.', (err, entries) => {
      if (err) {
        if ((err as { code?: number }).code === SFTP_STATUS.NO_SUCH_FILE) return reject(new AppError('REMOTE_FOLDER_NOT_FOUND', dir || '.'))
        return reject(sftpError(err, dir || '.'))
      }
      const sizes = new Map<string, number>()
      for (const entry of entries) {
        // Only regular files (S_IFREG); folders and links are never ours.
        if (entry.attrs.mode === undefined || (entry.attrs.mode & 0o170000) === 0o100000) sizes.set(entry.filename, entry.attrs.size)
      }
      resolve(sizes)
    })
  })
}

/**
 * True when the remote file's bytes equal the local file's at a few sampled places before
 * `remoteSize`: the head, the middle and the last TAIL_CHECK_BYTES. Enough to trust a file
 * this computer has no record of sending (another state folder, a lost journal), where the
 * last bytes alone would accept a file whose start was edited. A server that refuses reads
 * gives false: the file is then written again, which is slower but never wrong.
 */
export async function samplesMatch(sftp: SFTPWrapper, remote: string, localPath: string, remoteSize: number): Promise<boolean> {
  if (remoteSize === 0) return true
  const length = Math.min(TAIL_CHECK_BYTES, remoteSize)
  const positions = [...new Set([0, Math.max(0, Math.floor(remoteSize / 2) - Math.floor(length / 2)), remoteSize - length])]
  let handle: Buffer
  try {
    handle = await openForRead(sftp, remote)
  } catch {
    return false
  }
  const fh = await open(localPath, 'r')
  try {
    for (const position of positions) {
      const local = Buffer.alloc(length)
      const { bytesRead } = await fh.read(local, 0, length, position)
      if (bytesRead !== length) return false
      if (!(await readRemote(sftp, handle, remote, position, length)).equals(local)) return false
    }
    return true
  } catch {
    return false
  } finally {
    await fh.close()
    await closeHandle(sftp, handle, remote).catch(() => undefined)
  }
}

/** Reads `length` bytes at `position` of an open remote file (shorter at its end). */
async function readRemote(sftp: SFTPWrapper, handle: Buffer, remote: string, position: number, length: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let got = 0
  while (got < length) {
    const part = await readAt(sftp, handle, remote, length - got, position + got)
    if (part.length === 0) break
    chunks.push(part)
    got += part.length
  }
  return Buffer.concat(chunks)
}

/** A whole (small) remote file, e.g. an earlier CSV of this batch read back; null when the server refuses. */
export async function readRemoteFile(sftp: SFTPWrapper, remote: string, size: number): Promise<Buffer | null> {
  let handle: Buffer
  try {
    handle = await openForRead(sftp, remote)
  } catch {
    return null
  }
  try {
    const data = await readRemote(sftp, handle, remote, 0, size)
    return data.length === size ? data : null
  } catch {
    return null
  } finally {
    await closeHandle(sftp, handle, remote).catch(() => undefined)
  }
}

/**
 * Whether the server lets a file continue at an offset (OpenSSH does; AWS Transfer on S3 and
 * the sandbox's s3 mode refuse). Asked once, only when a file is left half-sent: on servers
 * that cannot continue it, a half-sent file must not stay under its final name. A small probe
 * file, hidden and named for this process, is written, reopened at its end, and removed.
 */
export async function canContinueAtOffset(sftp: SFTPWrapper, dir: string): Promise<boolean> {
  const name = `.bulk-upload-probe-${process.pid}-${Date.now().toString(36)}`
  const remote = dir ? `${dir.replace(/\/+$/, '')}/${name}` : name
  const writeOne = async (offset: number) => {
    const handle = await openForWrite(sftp, remote, offset)
    try {
      await new Promise<void>((resolve, reject) => sftp.write(handle, Buffer.from('x'), 0, 1, offset, (err) => (err ? reject(sftpError(err, remote)) : resolve())))
    } finally {
      await closeHandle(sftp, handle, remote).catch(() => undefined)
    }
  }
  try {
    await writeOne(0)
    await writeOne(1)
    return (await statSize(sftp, remote)) === 2
  } catch {
    return false
  } finally {
    await remove(sftp, remote).catch(() => undefined)
  }
}
