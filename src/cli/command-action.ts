/** Runs a command body: any failure is one sentence on stderr and exit 2, never a stack trace. */
import { EXIT } from './exit-codes'
import { printError } from './terminal'

export function action<A extends unknown[]>(body: (...args: A) => Promise<void>) {
  return async (...args: A): Promise<void> => {
    try {
      await body(...args)
      process.exitCode = EXIT.OK
    } catch (err) {
      printError(err)
      process.exitCode = EXIT.BAD_INVOCATION
    }
  }
}
