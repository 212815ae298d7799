/**
 * Exit codes shared by every sub-command (documented in README and `--help`), and the one
 * place that says which exit an error gives. A scheduler or a script reads the exit alone: 3
 * must mean "run the same command again" and nothing else, or `watch` and nightly jobs retry
 * for ever what only a person can fix (a damaged file in the app home, a wrong flag).
 */
import type { ErrorCode } from '../errors'

export const EXIT = {
  /** Everything asked for was done. */
  OK: 0,
  /** Finished, but problems were found (check) or rows were excluded or failed (upload). */
  PROBLEMS: 1,
  /** Bad invocation, input that cannot be read at all, or local data a rerun cannot fix. */
  BAD_INVOCATION: 2,
  /** Interrupted (connection lost after retries, cancelled, busy): run again to resume. */
  INTERRUPTED: 3,
  /** Refused: authentication, host key unknown or changed. */
  REFUSED: 4,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** The server, its identity or the proxy said no: running again will not help, and a person must decide. */
const REFUSED_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['AUTH_REFUSED', 'HOST_KEY_UNKNOWN', 'HOST_KEY_CHANGED', 'PROXY_REFUSED'])

/**
 * What the same command, run again unchanged, can get past: the link, the server or a lock was
 * busy or gone for a while, or the run was cancelled. Every other code needs something changed
 * first (a flag, the input, a file in the app home), so it is exit 2: kept to this list, a new
 * code is never retried for ever by mistake.
 */
const RERUN_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'CONNECTION_LOST',
  'TIMEOUT',
  'CONNECTION_REFUSED',
  'HOST_NOT_FOUND',
  'CANCELLED',
  'REMOTE_SIZE_MISMATCH',
  'LOCAL_FILE_CHANGED',
  'WRITE_FAILED',
  'DISK_FULL',
  'LOCAL_DISK_FULL',
  'BATCH_RUNNING',
  'LEDGER_BUSY',
  'PROXY_FAILED',
  'PROXY_UNREACHABLE',
  'TEAM_LEDGER_UNREACHABLE',
])

/** The exit an error asks for: 4 refused, 3 a rerun fixes it, 2 otherwise. */
export function exitCodeFor(error: { code: ErrorCode }): ExitCode {
  if (REFUSED_CODES.has(error.code)) return EXIT.REFUSED
  if (RERUN_CODES.has(error.code)) return EXIT.INTERRUPTED
  return EXIT.BAD_INVOCATION
}

/** True for the refusals (exit 4): every batch to the destination would be refused the same way. */
export function isRefusal(error: { code: ErrorCode }): boolean {
  return REFUSED_CODES.has(error.code)
}

/**
 * How bad an exit is, to sum up several batches in one: a refusal, then what needs a person
 * (a rerun alone would meet it again), then what a rerun finishes, then rows left out.
 */
const SEVERITY: readonly ExitCode[] = [EXIT.OK, EXIT.PROBLEMS, EXIT.INTERRUPTED, EXIT.BAD_INVOCATION, EXIT.REFUSED]

/** The worse of two exits (see SEVERITY): 2 outranks 3, since running again cannot finish the pass. */
export function worseExit(a: ExitCode, b: ExitCode): ExitCode {
  return SEVERITY.indexOf(a) >= SEVERITY.indexOf(b) ? a : b
}
