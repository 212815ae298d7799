/**
 * Both transports end here: a call name and raw arguments from a renderer are validated, then
 * passed to the service. Whatever happens, the answer is a `Result` with a coded error, never
 * an exception or a stack trace (those go to the log).
 */
import { toAppError } from '../src/errors'
import type { ApiCall, Result } from '../src/api'
import type { CallHandlers } from './core-service'
import { validateCall } from './validate-payload'
import { log } from './log'

export async function dispatch(api: CallHandlers, call: unknown, args: unknown): Promise<Result<unknown>> {
  let checked: { call: ApiCall; args: unknown[] }
  try {
    checked = validateCall(call, args)
  } catch (err) {
    const error = toAppError(err, 'BAD_ARGUMENT')
    log('warn', `refused call ${String(call).slice(0, 40)}: ${error.details ?? error.message}`)
    return { ok: false, error: error.toPayload() }
  }
  try {
    const method = api[checked.call] as (...a: unknown[]) => Promise<Result<unknown>>
    return await method.apply(api, checked.args)
  } catch (err) {
    log('error', `call ${checked.call} threw`, err)
    return { ok: false, error: toAppError(err).toPayload() }
  }
}
