/**
 * SFTP status replies of the sandbox: one error type carrying the status a client sees, and
 * the one place Node errno values become SFTP statuses.
 */
import ssh2 from 'ssh2'

/** SFTP v3 status codes (OK 0, EOF 1, NO_SUCH_FILE 2, PERMISSION_DENIED 3, FAILURE 4, OP_UNSUPPORTED 8). */
export const STATUS = ssh2.utils.sftp.STATUS_CODE

/** Thrown by request handlers; the session answers with this status and message. */
export class SftpError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.name = 'SftpError'
    this.status = status
  }
}

const ERRNO: Record<string, [number, string]> = {
  ENOENT: [STATUS.NO_SUCH_FILE, 'No such file or directory'],
  ENOTDIR: [STATUS.NO_SUCH_FILE, 'Not a directory'],
  EACCES: [STATUS.PERMISSION_DENIED, 'Permission denied'],
  EPERM: [STATUS.PERMISSION_DENIED, 'Permission denied'],
  EEXIST: [STATUS.FAILURE, 'File exists'],
  ENOTEMPTY: [STATUS.FAILURE, 'Directory not empty'],
  EISDIR: [STATUS.FAILURE, 'Is a directory'],
  ENOSPC: [STATUS.FAILURE, 'No space left on device'],
  EDQUOT: [STATUS.FAILURE, 'No space left on device (disk quota exceeded)'],
}

/** The status and message a client sees for anything a handler threw. */
export function toSftpStatus(err: unknown): { status: number; message: string } {
  if (err instanceof SftpError) return { status: err.status, message: err.message }
  const code = (err as NodeJS.ErrnoException | null)?.code
  const known = code === undefined ? undefined : ERRNO[code]
  if (known) return { status: known[0], message: known[1] }
  return { status: STATUS.FAILURE, message: 'Failure' }
}
