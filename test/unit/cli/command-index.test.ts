import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { COMMANDS, entryFor } from '../../../src/cli/command-index'
import { SOURCE_DATE_OPTIONS } from '../../../src/cli/send-options'

describe('command index', () => {
  it('shows in the top-level help the very terms and descriptions each module registers', async () => {
    const real = new Command()
    for (const entry of COMMANDS) (await entry.load())(real)
    const help = real.createHelp()
    const registered = real.commands.map((c) => [c.name(), help.subcommandTerm(c), c.description()])
    const listed = COMMANDS.flatMap((c) => Object.entries(c.help).map(([name, h]) => [name, h.term, h.description]))
    expect(listed).toEqual(registered)
  })

  it('registers the names each entry claims, and only those', async () => {
    for (const entry of COMMANDS) {
      const program = new Command()
      ;(await entry.load())(program)
      expect(program.commands.map((c) => c.name())).toEqual(entry.names)
      expect(Object.keys(entry.help)).toEqual(entry.names)
    }
  })

  it('finds the command a run names, also after help, and none for bare options or a typo', () => {
    expect(entryFor(['upload', './recordings', '--host', 'h'])?.names).toEqual(['upload'])
    expect(entryFor(['help', 'layout'])?.names).toEqual(['sample-csv', 'layout'])
    expect(entryFor(['key', 'check', 'id_ed25519'])?.names).toEqual(['keygen', 'key'])
    expect(entryFor(['--help'])).toBeUndefined()
    expect(entryFor(['uplaod'])).toBeUndefined()
  })

  it('describes --date-format by what its letters mean and --timezone alike on every command, never as "luxon tokens"', async () => {
    const program = new Command()
    for (const entry of COMMANDS) (await entry.load())(program)
    const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)]
    const options = all(program).flatMap((c) => c.options.map((o) => ({ command: c.name(), flags: o.flags, description: o.description })))
    expect(options.filter((o) => /luxon/i.test(o.description))).toEqual([])
    for (const shared of SOURCE_DATE_OPTIONS) {
      // `sample-csv` accepts the flags only to share check's command line; it reads no dates.
      const readingDates = options.filter((o) => o.flags === shared.flags && o.command !== 'sample-csv')
      expect(readingDates.map((o) => o.command).sort()).toEqual(['check', 'save', 'upload', 'watch'])
      for (const o of readingDates) expect(o.description).toBe(shared.description)
    }
  })
})
