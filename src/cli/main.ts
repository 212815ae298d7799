/**
 * The `bulk-upload` command. Each sub-command lives in its own file under commands/ and
 * registers itself here; the core does the work, this layer only parses and prints.
 */
import { Command, CommanderError } from 'commander'
import { EXIT } from './exit-codes'
import { registerCheck } from './commands/check'
import { registerKeys } from './commands/keys'
import { registerSandbox } from './commands/sandbox'
import { registerUpload } from './commands/upload'
import { registerServe } from './commands/serve'
import { registerHistory } from './commands/history'
import { registerSampleCsv } from './commands/sample-csv'
import { registerForgetHost } from './commands/forget-host'
import { registerWatch } from './commands/watch'
import { registerJob } from './commands/job'

const program = new Command()
program
  .name('bulk-upload')
  .description('Send call recordings and their CSV metadata to the evaluagent QA platform over SFTP.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride()

registerCheck(program)
registerKeys(program)
registerSandbox(program)
registerUpload(program)
registerServe(program)
registerHistory(program)
registerSampleCsv(program)
registerForgetHost(program)
registerWatch(program)
registerJob(program)

try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version end here with code 0; usage mistakes get the documented exit 2.
    process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.BAD_INVOCATION
  } else {
    throw err
  }
}
