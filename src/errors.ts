/**
 * Every failure a user can meet has a code and a sentence that says what to do.
 * This file is the one place that maps codes to sentences (DESIGN.md, Errors), and Node/ssh2
 * error values to codes. Validation findings about rows live in batch/issue-codes.ts.
 */
export const ERROR_MESSAGES = {
  BAD_ARGUMENT: 'A value given to the app is not valid; see the details and correct it.',
  FILE_NOT_FOUND: 'A file or folder could not be found. Check that it still exists and that the path is right.',
  NOT_READABLE: 'A file could not be read. Check that you are allowed to open it and that it is not in use.',
  CSV_UNREADABLE: 'The CSV file could not be read. Save it again as CSV (comma, semicolon or tab separated) and retry.',
  CSV_NOT_TEXT: 'This file is not text, so it is not a CSV (it may be an Excel workbook, an image or another file renamed .csv). Open it in its program, save it as CSV, then choose that file.',
  CSV_NOT_CHOSEN: 'Choose which CSV file holds the conversations.',
  COLUMN_MISSING: 'A mapped column is not in the CSV. Map the fields again for this file.',
  MAPPING_INCOMPLETE: 'Some required fields are not mapped to a column. Map them, then continue.',
  BATCH_NOT_READY: 'The batch has problems that block the upload. Fix them in the CSV or the folder, then check again.',
  KEY_INVALID: 'This is not an SSH key the app can use. Paste or pick an OpenSSH, PEM, RFC 4716 or PuTTY key.',
  KEY_WRONG_KIND: 'This is the wrong half of the key pair.',
  KEY_REFUSED_TYPE: 'This key type is not accepted by the platform. Use Ed25519, ECDSA, or RSA of at least 2048 bits.',
  KEY_PASSPHRASE_NEEDED: 'This key is protected by a passphrase. Enter it to continue.',
  KEY_PASSPHRASE_WRONG: 'The passphrase is not right for this key. Try again.',
  KEY_NOT_FOUND: 'No key with that name is stored by the app. Generate or import one first.',
  KEY_FILE_NOT_A_FILE: 'This is not a key file (it is a folder, a device or a pipe). Pick the file that holds the key.',
  KEY_FILE_TOO_LARGE: 'This file is too large to be an SSH key (keys are a few kilobytes; the limit is 1 MiB). Pick the key file itself.',
  HOST_KEY_UNKNOWN: 'This server has not been seen before. Compare its fingerprint with the one your platform shows, then confirm to trust it.',
  HOST_KEY_CHANGED: 'The server\'s identity key has changed since you last connected. This can mean the server was rebuilt, or that someone is intercepting the connection. Nothing was sent. Ask your platform administrator to confirm the new fingerprint before trusting it.',
  AUTH_REFUSED: 'The server refused the key. Check the username, and that the public key shown in this app is the one pasted into the platform.',
  CONNECTION_REFUSED: 'The server refused the connection. Check the host name and port.',
  HOST_NOT_FOUND: 'The server\'s host name could not be found. Check the spelling and your network.',
  CONNECTION_LOST: 'The connection to the server was lost. Run the same upload again to resume where it stopped.',
  TIMEOUT: 'The server did not answer in time. Check your network, then run the upload again to resume.',
  PERMISSION_DENIED: 'The server refused to write a file (permission denied). Ask your platform administrator to check the account\'s write access.',
  DISK_FULL: 'The server has no room left for the upload. Ask your platform administrator to free space, then resume.',
  REMOTE_SIZE_MISMATCH: 'A file on the server does not have the size of the local file. It will be sent again when you resume.',
  LOCAL_FILE_CHANGED: 'A recording changed on this computer during the upload. Check it, then run the upload again.',
  DELIVERED_BY_ANOTHER_RUN: 'Another upload to this destination delivered this recording while this one ran, so it was left as that upload sent it. A row of another conversation naming the same file needs its recording renamed.',
  REMOTE_FOLDER_NOT_FOUND: 'The remote folder does not exist on the server. Check the remote folder setting; leave it empty to upload to the platform\'s root.',
  WRITE_FAILED: 'The server could not write a file. Run the upload again; if it fails again, ask your platform administrator to check the server.',
  ALREADY_UPLOADED: 'This batch was already uploaded completely: there is nothing left to send.',
  BATCH_RUNNING: 'This batch is already being uploaded.',
  CANCELLED: 'The upload was cancelled. Run it again to resume where it stopped.',
  LOCAL_DISK_FULL: 'This computer\'s disk is full: the app could not save its upload records. Free some space on this computer, then run the upload again.',
  LOCAL_NOT_WRITABLE: 'The app cannot write to its data folder on this computer (permission denied or read-only). Choose another folder, or fix its permissions, then run again.',
  TEAM_LEDGER_UNREACHABLE: 'The team ledger (the PostgreSQL database the computers sending to this destination share) could not be reached or refused the login. Nothing was sent. Check the --ledger address (or BULK_UPLOAD_LEDGER, or Settings → Team ledger), the network and the database user, then run again.',
  TEAM_LEDGER_INVALID: 'The team ledger address is not a PostgreSQL address. Write it as postgresql://user:password@host:5432/database (the password may also come from PGPASSWORD or ~/.pgpass).',
  LOCAL_DATA_DAMAGED: 'A file the app keeps on this computer is damaged, so running again will not help. Move the file named here away, then run again.',
  LEDGER_BUSY: 'Another bulk-upload process kept this destination\'s delivery ledger locked for too long. Run again once the other upload has finished.',
  FOLDER_NOT_SETTLED: 'This folder\'s files changed too recently (it may still be being copied), so it was left for the next run.',
  EARLIER_CSV_UNKNOWN: 'A CSV of this batch is already on the server, but this computer has no record of its rows and the server would not let the app read it back. Nothing was sent, so the platform gets no duplicates. Check in the platform which conversations arrived; send the batch again with "send delivered rows again" only if they are missing.',
  ALREADY_DELIVERED: 'Every row of this batch was already delivered to this destination: nothing new to send.',
  PROXY_REFUSED: 'The proxy refused the login. Check the user name and password in the proxy address (user:password@host:port), or ask your network administrator for the proxy\'s credentials.',
  PROXY_FAILED: 'The proxy would not open a connection to the SFTP server. Ask your network administrator to allow connections to the server\'s host and port through the proxy, or check the proxy address.',
  PROXY_UNREACHABLE: 'The proxy did not answer at its address. Check the proxy setting (or ALL_PROXY / HTTPS_PROXY), or use --no-proxy to connect directly.',
  PORT_IN_USE: 'That port is already used by another program. Choose another port.',
  NOT_FOUND: 'The requested item no longer exists.',
  OUT_OF_SCOPE: 'The app only reads the folders and files you added, and writes only to its own data folder or where you choose. Add the folder again in the first step.',
  UNAUTHORIZED: 'This request is not allowed. Open the address printed by `bulk-upload serve`, with its token.',
  ACCESS_CODE_SPENT: 'This address was already used or is more than a few minutes old: each address printed by `bulk-upload serve` opens the app once. Press Enter in the window where `bulk-upload serve` runs to get a new address (or start it again), then open that address.',
  SESSION_ENDED: 'This tab\'s session ended: `bulk-upload serve` was stopped or restarted. Press Enter in the window where it runs to get a new address (or start it again), then open that address.',
  INTERNAL: 'Something unexpected went wrong. The log has the details; please report it.',
} as const

export type ErrorCode = keyof typeof ERROR_MESSAGES

/** What crosses a process boundary: never a stack trace. */
export interface AppErrorPayload {
  code: ErrorCode
  message: string
  details?: string
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly details: string | undefined

  constructor(code: ErrorCode, details?: string, options?: { cause?: unknown; message?: string }) {
    super(options?.message ?? ERROR_MESSAGES[code], { cause: options?.cause })
    this.name = 'AppError'
    this.code = code
    this.details = details
  }

  toPayload(): AppErrorPayload {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }
}

/** Node errno values and SFTP status codes mapped to app codes, in one place. */
const NODE_CODES: Record<string, ErrorCode> = {
  ENOENT: 'FILE_NOT_FOUND',
  ENOTDIR: 'FILE_NOT_FOUND',
  EACCES: 'NOT_READABLE',
  EPERM: 'NOT_READABLE',
  EADDRINUSE: 'PORT_IN_USE',
  ECONNREFUSED: 'CONNECTION_REFUSED',
  ENOTFOUND: 'HOST_NOT_FOUND',
  EAI_AGAIN: 'HOST_NOT_FOUND',
  ECONNRESET: 'CONNECTION_LOST',
  EPIPE: 'CONNECTION_LOST',
  ETIMEDOUT: 'TIMEOUT',
  ENOSPC: 'DISK_FULL',
  EDQUOT: 'DISK_FULL',
}

/** Turns anything thrown into an AppError, keeping the original as `cause`. */
export function toAppError(err: unknown, fallback: ErrorCode = 'INTERNAL'): AppError {
  if (err instanceof AppError) return err
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined
  const text = err instanceof Error ? err.message : String(err)
  if (typeof code === 'string' && code in NODE_CODES) return new AppError(NODE_CODES[code]!, text, { cause: err })
  return new AppError(fallback, text, { cause: err })
}

const LOCAL_WRITE_CODES: Record<string, ErrorCode> = {
  ENOSPC: 'LOCAL_DISK_FULL',
  EDQUOT: 'LOCAL_DISK_FULL',
  EACCES: 'LOCAL_NOT_WRITABLE',
  EPERM: 'LOCAL_NOT_WRITABLE',
  EROFS: 'LOCAL_NOT_WRITABLE',
}

/**
 * A failure writing the app's own files on this computer (journal, report, generated CSV,
 * ledger). ENOSPC here is this computer's disk, not the server's: its own code and sentence.
 */
export function toLocalWriteError(err: unknown, where: string): AppError {
  if (err instanceof AppError) return err
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined
  const text = `${where}: ${err instanceof Error ? err.message : String(err)}`
  if (typeof code === 'string' && code in LOCAL_WRITE_CODES) return new AppError(LOCAL_WRITE_CODES[code]!, text, { cause: err })
  return toAppError(err)
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code)
}
