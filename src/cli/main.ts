/**
 * The `bulk-upload` command. Each sub-command lives in its own file under commands/ and
 * registers itself here; the core does the work, this layer only parses and prints.
 * `main` runs it: bin/bulk-upload.js calls it on the source, build/cli/main.js on the build
 * (through V8's code cache: src/cli/launch.ts). Nothing runs on import, so the build can be
 * CommonJS, which has no top-level await.
 */
import { Command, CommanderError } from 'commander'
import { EXIT } from './exit-codes'
import { COMMANDS, entryFor } from './command-index'
import { guardStream } from './safe-output'

/** Runs the command line in process.argv; the exit code is left in process.exitCode. */
export async function main(): Promise<void> {
  // Before any output: data shown in the terminal (CSV cells, file names) cannot carry escapes.
  guardStream(process.stdout)
  guardStream(process.stderr)

  const program = new Command()
  program
    .name('bulk-upload')
    .description('Send call recordings and their CSV metadata to the evaluagent QA platform over SFTP.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride()

  // Only the named command's module is loaded; with none (--help, a typo) each command gets a
  // placeholder carrying its help line, so the list and commander's suggestions still work.
  const entry = entryFor(process.argv.slice(2))
  if (entry) {
    ;(await entry.load())(program)
  } else {
    const lines = new Map(COMMANDS.flatMap((c) => Object.entries(c.help)))
    for (const [name, { description }] of lines) program.command(name).description(description)
    const standard = program.createHelp()
    program.configureHelp({ subcommandTerm: (cmd) => lines.get(cmd.name())?.term ?? standard.subcommandTerm(cmd) })
  }

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
}
