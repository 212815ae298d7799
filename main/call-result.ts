/** What every contract call returns: a Result, never a thrown error or a stack trace. */
import type { Result } from '../src/api'
import { toAppError } from '../src/errors'
import { log } from './log'

/** Runs one call and turns any failure into a coded error. */
export async function run<T>(call: string, fn: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await fn() }
  } catch (err) {
    const error = toAppError(err)
    // Expected, coded failures are routine; only unexpected ones need their stack kept.
    if (error.code === 'INTERNAL') log('error', `${call} failed`, err)
    else log('info', `${call}: ${error.code}${error.details ? ` (${error.details})` : ''}`)
    return { ok: false, error: error.toPayload() }
  }
}
