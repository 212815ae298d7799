import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { COMMANDS, entryFor } from '../../../src/cli/command-index'

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
})
