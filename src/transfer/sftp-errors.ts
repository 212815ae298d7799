import { AppError, toAppError, type ErrorCode } from '../errors'

/** SFTP v3 status codes (draft-ietf-secsh-filexfer-02, section 7). */
export const SFTP_STATUS = {
  OK: 0,
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
  OP_UNSUPPORTED: 8,
} as const

/**
 * How the upload engine reacts to a failure:
 * - `reconnect`: the link broke; reconnect with backoff and continue the same file;
 * - `file`: this file cannot be written; report it, leave its rows out of the CSV, go on;
 * - `fatal`: nothing else can succeed either (auth, host key, disk full): stop the batch.
 */
export type FailureKind = 'reconnect' | 'file' | 'fatal'

const KIND_BY_CODE: Partial<Record<ErrorCode, FailureKind>> = {
  CONNECTION_LOST: 'reconnect',
  TIMEOUT: 'reconnect',
  CONNECTION_REFUSED: 'reconnect',
  HOST_NOT_FOUND: 'reconnect',
  REMOTE_SIZE_MISMATCH: 'reconnect',
  PERMISSION_DENIED: 'file',
  WRITE_FAILED: 'file',
  LOCAL_FILE_CHANGED: 'file',
  FILE_NOT_FOUND: 'file',
  NOT_READABLE: 'file',
  DISK_FULL: 'fatal',
  AUTH_REFUSED: 'fatal',
  HOST_KEY_CHANGED: 'fatal',
  HOST_KEY_UNKNOWN: 'fatal',
  CANCELLED: 'fatal',
  PROXY_REFUSED: 'fatal',
  PROXY_FAILED: 'reconnect',
  PROXY_UNREACHABLE: 'reconnect',
}

export function failureKind(err: AppError): FailureKind {
  return KIND_BY_CODE[err.code] ?? 'fatal'
}

/** The server would not open or write the file (as opposed to a dropped link or a full disk). */
export function refused(err: unknown): boolean {
  const code = toAppError(err).code
  return code === 'PERMISSION_DENIED' || code === 'WRITE_FAILED'
}

// Servers say "disk full" in words: OpenSSH maps ENOSPC to a bare FAILURE, AWS and our sandbox
// add a message. Matching the words is the only signal SFTP v3 offers.
const DISK_FULL_WORDS = /no space|disk full|quota|insufficient storage|ENOSPC|EDQUOT/i

/**
 * Maps what ssh2 reports (SFTP status errors, socket errors, handshake failures) to app codes.
 * `remote` names the file the request was about, for the details line.
 */
export function sftpError(err: unknown, remote?: string): AppError {
  if (err instanceof AppError) return err
  const e = err as { code?: unknown; message?: string; level?: string }
  const message = e?.message ?? String(err)
  const where = remote ? `${remote}: ${message}` : message
  if (typeof e?.code === 'number') {
    switch (e.code) {
      case SFTP_STATUS.PERMISSION_DENIED:
        return new AppError('PERMISSION_DENIED', where, { cause: err })
      case SFTP_STATUS.NO_CONNECTION:
      case SFTP_STATUS.CONNECTION_LOST:
        return new AppError('CONNECTION_LOST', where, { cause: err })
      case SFTP_STATUS.FAILURE:
        return new AppError(DISK_FULL_WORDS.test(message) ? 'DISK_FULL' : 'WRITE_FAILED', where, { cause: err })
      default:
        return new AppError('WRITE_FAILED', where, { cause: err })
    }
  }
  if (e?.level === 'client-authentication') return new AppError('AUTH_REFUSED', message, { cause: err })
  if (e?.level === 'client-timeout') return new AppError('TIMEOUT', message, { cause: err })
  if (/keepalive|timed out/i.test(message)) return new AppError('TIMEOUT', where, { cause: err })
  if (/no response from server|not connected|no sftp|channel|connection (lost|closed|reset)|socket|ended|closed/i.test(message)) {
    return new AppError('CONNECTION_LOST', where, { cause: err })
  }
  if (DISK_FULL_WORDS.test(message)) return new AppError('DISK_FULL', where, { cause: err })
  return toAppError(err, 'CONNECTION_LOST')
}
