/**
 * `bulk-upload agents confirm <agent...>`: the user says the platform has these agents, so
 * batches checked for the destination stop flagging them (NEW_AGENT without a list,
 * UNKNOWN_AGENT beside one). The CLI's half of Review's "These agents are right: remember
 * them" (issue 22): an agent becomes known from an imported list or a confirmation, never
 * from having been delivered once, which a typing slip is as readily.
 *
 * `--earlier-deliveries` confirms the agents that versions before confirmations recorded from
 * every delivery by themselves (kept apart, not trusted: see `agents list`); `--forget` takes
 * confirmations back. Exit 0: done; 2: bad invocation or input.
 */
import type { Command } from 'commander'
import { appHome } from '../../app-home'
import { confirmAgents, forgetConfirmedAgents, agentsPath } from '../../agents/known-agents-store'
import { AppError } from '../../errors'
import { action } from '../command-action'
import { destinationFlags, resolveDestination, type DestinationFlags } from '../destination-flags'
import { dim, green } from '../terminal'

interface ConfirmOptions extends DestinationFlags {
  earlierDeliveries?: boolean
  forget?: boolean
}

const list = (ids: string[]): string => ids.map((id) => `    ${id}`).join('\n')

async function runConfirm(agents: string[], opts: ConfirmOptions): Promise<void> {
  const ids = agents.map((a) => a.trim()).filter((a) => a !== '')
  if (opts.forget && opts.earlierDeliveries) throw new AppError('BAD_ARGUMENT', 'Give either --forget or --earlier-deliveries, not both.')
  if (ids.length === 0 && !opts.earlierDeliveries) {
    throw new AppError('BAD_ARGUMENT', 'Name the agents to confirm, as the CSV writes them: bulk-upload agents confirm ana@example.com bo@example.com --destination NAME (or --earlier-deliveries).')
  }
  const home = appHome()
  const { address, label } = await resolveDestination(home, opts)
  const out: string[] = []
  if (opts.forget) {
    const { removed, known } = await forgetConfirmedAgents(home, address, ids)
    out.push(removed.length === 0
      ? `None of these agents was confirmed for ${label}: nothing changed.`
      : `${green('No longer confirmed')} for ${label}: ${removed.length} ${removed.length === 1 ? 'agent' : 'agents'}. Batches naming them are flagged again.\n${list(removed)}`)
    out.push(dim(`${known.confirmed.length} agents confirmed for ${label}. Kept in ${agentsPath(home, address)}`))
  } else {
    const { added, known } = await confirmAgents(home, address, ids, { earlierDeliveries: opts.earlierDeliveries })
    out.push(added.length === 0
      ? `Already known to ${label}: nothing changed.`
      : `${green('Confirmed')} for ${label}: ${added.length} ${added.length === 1 ? 'agent' : 'agents'}. Batches checked for this destination no longer flag them.\n${list(added)}`)
    if (added.length > 0) out.push('Make sure each is a user of the platform with this Agent ID: confirming tells the app, not the platform.')
    out.push(dim(`${known.confirmed.length} agents confirmed for ${label}. Kept in ${agentsPath(home, address)}`))
  }
  process.stdout.write(out.join('\n') + '\n')
}

/** Registers `agents confirm` under the `agents` command. */
export function registerAgentsConfirm(agents: Command): void {
  destinationFlags(
    agents
      .command('confirm')
      .description('Confirm that the platform has these agents: batches for the destination no longer flag them (NEW_AGENT, UNKNOWN_AGENT).')
      .argument('[agent...]', 'agent IDs as the CSV writes them (letter case and spaces do not matter)'),
  )
    .option('--earlier-deliveries', 'also confirm the agents of batches delivered before confirmations existed (check them first with agents list)')
    .option('--forget', 'take the confirmation of these agents back')
    .action(action((agentIds: string[], opts: ConfirmOptions) => runConfirm(agentIds, opts)))
}
