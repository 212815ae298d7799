/**
 * One place decides the exit an error gives: 3 only for what running the same command again
 * fixes, 4 for refusals, 2 for everything a person must change first.
 */
import { describe, expect, it } from 'vitest'
import { ERROR_MESSAGES, type ErrorCode } from '../../../src/errors'
import { EXIT, exitCodeFor, worseExit } from '../../../src/cli/exit-codes'

const exitOf = (code: ErrorCode) => exitCodeFor({ code })

describe('exitCodeFor', () => {
  it('gives 3 only for what a rerun fixes: the link, the server or a lock busy or gone, a cancel', () => {
    for (const code of ['CONNECTION_LOST', 'TIMEOUT', 'CANCELLED', 'DISK_FULL', 'BATCH_RUNNING', 'LEDGER_BUSY', 'PROXY_UNREACHABLE'] as const) expect(exitOf(code), code).toBe(EXIT.INTERRUPTED)
  })

  it('gives 2 for damaged local data, bad flags and input, and anything not known to be retryable', () => {
    for (const code of ['LOCAL_DATA_DAMAGED', 'BAD_ARGUMENT', 'NOT_READABLE', 'LOCAL_NOT_WRITABLE', 'REMOTE_FOLDER_NOT_FOUND', 'EARLIER_CSV_UNKNOWN', 'INTERNAL'] as const) expect(exitOf(code), code).toBe(EXIT.BAD_INVOCATION)
  })

  it('gives 4 for refusals', () => {
    for (const code of ['AUTH_REFUSED', 'HOST_KEY_UNKNOWN', 'HOST_KEY_CHANGED', 'PROXY_REFUSED'] as const) expect(exitOf(code), code).toBe(EXIT.REFUSED)
  })

  it('maps every code to a documented exit', () => {
    for (const code of Object.keys(ERROR_MESSAGES) as ErrorCode[]) expect([2, 3, 4]).toContain(exitOf(code))
  })

  it('sums a pass: a refusal, then what needs a person, then what a rerun finishes, then rows left out', () => {
    expect(worseExit(EXIT.INTERRUPTED, EXIT.BAD_INVOCATION)).toBe(EXIT.BAD_INVOCATION)
    expect(worseExit(EXIT.BAD_INVOCATION, EXIT.INTERRUPTED)).toBe(EXIT.BAD_INVOCATION)
    expect(worseExit(EXIT.REFUSED, EXIT.BAD_INVOCATION)).toBe(EXIT.REFUSED)
    expect(worseExit(EXIT.PROBLEMS, EXIT.INTERRUPTED)).toBe(EXIT.INTERRUPTED)
    expect(worseExit(EXIT.OK, EXIT.PROBLEMS)).toBe(EXIT.PROBLEMS)
  })
})
