/**
 * The delivery ledger's failures, mapped to app codes in one place: SQLite result codes and
 * Node errno values met while opening or writing the ledger become a sentence about *this
 * computer* (LOCAL_DISK_FULL, LOCAL_NOT_WRITABLE), never a raw SQLite error and never the
 * server's DISK_FULL (issue 8, "Local failures").
 */
import { AppError, type ErrorCode } from '../errors'

/** SQLite extended codes arrive as e.g. `SQLITE_IOERR_WRITE`: matched on their primary part. */
const SQLITE_CODES: Array<[prefix: string, code: ErrorCode]> = [
  ['SQLITE_FULL', 'LOCAL_DISK_FULL'],
  ['SQLITE_READONLY', 'LOCAL_NOT_WRITABLE'],
  ['SQLITE_CANTOPEN', 'LOCAL_NOT_WRITABLE'],
  ['SQLITE_PERM', 'LOCAL_NOT_WRITABLE'],
  ['SQLITE_AUTH', 'LOCAL_NOT_WRITABLE'],
  // An I/O error writing the ledger is this computer's disk failing a write: the user's way
  // out is the same as for a read-only folder (another folder, or fix the disk).
  ['SQLITE_IOERR', 'LOCAL_NOT_WRITABLE'],
  ['SQLITE_NOTADB', 'NOT_READABLE'],
  ['SQLITE_CORRUPT', 'NOT_READABLE'],
]

const ERRNO_CODES: Record<string, ErrorCode> = {
  ENOSPC: 'LOCAL_DISK_FULL',
  EDQUOT: 'LOCAL_DISK_FULL',
  EACCES: 'LOCAL_NOT_WRITABLE',
  EPERM: 'LOCAL_NOT_WRITABLE',
  EROFS: 'LOCAL_NOT_WRITABLE',
  // A file where the data folder (or one of its parents) should be: the folder cannot be made.
  ENOTDIR: 'LOCAL_NOT_WRITABLE',
  EEXIST: 'LOCAL_NOT_WRITABLE',
  EISDIR: 'LOCAL_NOT_WRITABLE',
}

/** Codes whose details must tell the user the file itself is the problem, not the folder. */
const DAMAGED = ['SQLITE_NOTADB', 'SQLITE_CORRUPT']

/**
 * Turns anything thrown while using the ledger at `file` into an AppError whose details say
 * what the app was doing (`action`, e.g. "record the delivery of batch-1.csv in") and with
 * which file. AppErrors pass through unchanged.
 */
export function ledgerError(err: unknown, file: string, action: string): AppError {
  if (err instanceof AppError) return err
  const raw = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined
  const code = typeof raw === 'string' ? raw : ''
  const text = err instanceof Error ? err.message : String(err)
  if (DAMAGED.some((p) => code.startsWith(p))) return damagedLedger(file, text, err)
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new AppError('LEDGER_BUSY', `Could not ${action} the delivery ledger ${file}: another bulk-upload process kept it locked for too long (${code}). Run again once the other upload has finished.`, { cause: err })
  }
  const mapped = SQLITE_CODES.find(([prefix]) => code.startsWith(prefix))?.[1] ?? ERRNO_CODES[code]
  return new AppError(mapped ?? 'INTERNAL', `Could not ${action} the delivery ledger ${file}: ${text}${code && !text.includes(code) ? ` (${code})` : ''}`, { cause: err })
}

/**
 * A file at the ledger's place that is not a ledger this app can read. Running again meets the
 * same file, so it is LOCAL_DATA_DAMAGED (exit 2), its sentence naming the file and the way out.
 */
export function damagedLedger(file: string, reason: string, cause?: unknown): AppError {
  return new AppError('LOCAL_DATA_DAMAGED', `${file} is not a delivery ledger this app can read (${reason}).`, {
    cause,
    message: `The delivery ledger ${file} is damaged: move it away and run again; the app then starts a new, empty ledger for this destination, which knows only the deliveries whose CSVs are still on the server. If the platform has taken earlier CSVs off the server, check in the platform which conversations arrived before you send more.`,
  })
}

/** p-queue's message shape for bad arguments: the caller's bug, named precisely. */
export function badArgument(name: string, expected: string, got: unknown): AppError {
  return new AppError('BAD_ARGUMENT', `Expected \`${name}\` to be ${expected}, got \`${String(got)}\``)
}
