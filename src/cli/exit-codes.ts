/** Exit codes shared by every sub-command (documented in README and `--help`). */
export const EXIT = {
  /** Everything asked for was done. */
  OK: 0,
  /** Finished, but problems were found (check) or rows were excluded or failed (upload). */
  PROBLEMS: 1,
  /** Bad invocation, or input that cannot be read at all. */
  BAD_INVOCATION: 2,
  /** Interrupted (connection lost after retries, cancelled): run again to resume. */
  INTERRUPTED: 3,
  /** Refused: authentication, host key unknown or changed. */
  REFUSED: 4,
} as const
