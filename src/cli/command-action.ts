/** Runs a command body: any failure is one sentence on stderr and its exit (exit-codes.ts), never a stack trace. */
import { EXIT, exitCodeFor } from './exit-codes'
import { printError } from './terminal'

export function action<A extends unknown[]>(body: (...args: A) => Promise<void>) {
  return async (...args: A): Promise<void> => {
    try {
      await body(...args)
      process.exitCode = EXIT.OK
    } catch (err) {
      process.exitCode = exitCodeFor(printError(err))
    }
  }
}
