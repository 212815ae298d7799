/**
 * `bulk-upload agents import|list|strict`: the agent IDs a destination's platform knows. The
 * platform imports a conversation only when its agent has a user mapping there, so `check`
 * and `upload` compare each batch's agents with this list (UNKNOWN_AGENT) or, without one,
 * with the agents delivered before (NEW_AGENT). Exit 0: done; 2: bad invocation or input.
 */
import path from 'node:path'
import { stat } from 'node:fs/promises'
import type { Command } from 'commander'
import { appHome } from '../../app-home'
import { WHERE_TO_MAP_AGENTS } from '../../agents/agent-id'
import { readAgentList } from '../../agents/import-agents'
import { agentsPath, distinctAgents, readKnownAgents, saveKnownAgents } from '../../agents/known-agents-store'
import { AppError } from '../../errors'
import { destinationFlags, resolveDestination, type DestinationFlags } from '../destination-flags'
import { bold, dim, green } from '../terminal'
import { action } from '../command-action'
import { registerAgentsConfirm } from './agents-confirm'

interface ImportOptions extends DestinationFlags {
  column?: string
  add?: boolean
}

async function runImport(file: string, opts: ImportOptions): Promise<void> {
  const st = await stat(file).catch(() => null)
  if (!st?.isFile()) throw new AppError('FILE_NOT_FOUND', `The agent list ${file} does not exist or is not a file. Give a CSV of agent IDs, e.g. the platform's user export.`)
  const home = appHome()
  const { address, label } = await resolveDestination(home, opts)
  const read = await readAgentList(file, opts.column)
  if (read.ids.length === 0) throw new AppError('BAD_ARGUMENT', `The column "${read.column}" of ${file} holds no agent IDs. Name the column that does with --column.`)
  const known = await readKnownAgents(home, address)
  const ids = opts.add && known.list ? distinctAgents([...known.list.ids, ...read.ids]) : read.ids
  const source = path.resolve(file)
  await saveKnownAgents(home, address, { ...known, list: { ids, source, column: read.column, importedAt: new Date().toISOString() } })
  const lines = [`${green('Imported')} ${read.ids.length} agent IDs from column "${read.column}" of ${source} for ${label}${opts.add && known.list ? ` (added to the earlier list: ${ids.length} now)` : known.list ? ' (replacing the earlier list)' : ''}.`]
  if (read.emptyRows > 0) lines.push(dim(`${read.emptyRows} rows had no value in that column and were skipped.`))
  lines.push('Batches checked for this destination now flag agents neither on this list nor confirmed (UNKNOWN_AGENT).')
  process.stdout.write(lines.join('\n') + '\n')
}

async function runList(opts: DestinationFlags & { json?: boolean }): Promise<void> {
  const home = appHome()
  const { address, label } = await resolveDestination(home, opts)
  const known = await readKnownAgents(home, address)
  if (opts.json) {
    process.stdout.write(JSON.stringify({ list: known.list, confirmed: known.confirmed, earlierDeliveries: known.delivered, strict: known.strict }) + '\n')
    return
  }
  const out = [`${bold('Known agents')} of ${label}:`]
  if (known.list) {
    out.push(`  Imported list: ${known.list.ids.length} agents, from column "${known.list.column}" of ${known.list.source} (${known.list.importedAt.slice(0, 10)})`)
    for (const id of known.list.ids) out.push(`    ${id}`)
  } else out.push('  No list imported: agents not confirmed are noted (NEW_AGENT). Import the platform\'s users with bulk-upload agents import.')
  out.push(`  Confirmed: ${known.confirmed.length} agents`)
  for (const id of known.confirmed) out.push(`    ${id}`)
  if (known.delivered.length > 0) {
    // Learned from deliveries by earlier versions: not trusted, since a typing slip sent once is among them.
    out.push(`  Sent in earlier deliveries, not confirmed: ${known.delivered.length} agents (bulk-upload agents confirm --earlier-deliveries, once checked)`)
    for (const id of known.delivered) out.push(`    ${id}`)
  }
  out.push(`  Unknown agents are ${known.strict ? 'errors (their rows are left out)' : 'warnings'}.`, dim(`Kept in ${agentsPath(home, address)}`), dim(WHERE_TO_MAP_AGENTS))
  process.stdout.write(out.join('\n') + '\n')
}

async function runStrict(setting: string, opts: DestinationFlags): Promise<void> {
  if (setting !== 'on' && setting !== 'off') throw new AppError('BAD_ARGUMENT', `Expected \`on\` or \`off\`, got \`${setting}\`.`)
  const home = appHome()
  const { address, label } = await resolveDestination(home, opts)
  const known = await readKnownAgents(home, address)
  await saveKnownAgents(home, address, { ...known, strict: setting === 'on' })
  process.stdout.write(setting === 'on'
    ? `Agents not on the list of ${label} are now errors: their rows are left out until the platform knows them.\n`
    : `Agents not on the list of ${label} are now warnings: their rows are sent.\n`)
}

/** Registers `agents import|list|strict`. */
export function registerAgents(program: Command): void {
  const agents = program.command('agents').description('The agent IDs a destination\'s platform knows: batches naming others are flagged before sending.')
  destinationFlags(
    agents
      .command('import')
      .description('Import the agent IDs a destination\'s platform knows from a CSV (e.g. the platform\'s user export).')
      .argument('<file>', 'a CSV (UTF-8, UTF-16 or Windows-1252; comma, semicolon, tab or pipe)'),
  )
    .option('--column <name>', 'the column holding the agent IDs (default: the one that looks like it, or the only one)')
    .option('--add', 'add to the destination\'s list instead of replacing it')
    .action(action((file: string, opts: ImportOptions) => runImport(file, opts)))
  destinationFlags(agents.command('list').description('Print the agents a destination knows: the imported list and those delivered before.'))
    .option('--json', 'print one JSON object')
    .action(action((opts: DestinationFlags & { json?: boolean }) => runList(opts)))
  destinationFlags(agents.command('strict').description('on: rows naming an agent not on the list are left out (an error); off: a warning.').argument('<on|off>', 'the setting'))
    .action(action((setting: string, opts: DestinationFlags) => runStrict(setting, opts)))
  registerAgentsConfirm(agents)
}
