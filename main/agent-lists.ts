/**
 * The desktop's known-agent lists (issue 12): what the settings show and change of a
 * destination's `agents.json` (src/agents/known-agents-store.ts, the file the CLI's `agents`
 * command keeps too). The import reads the CSV as the CLI does (src/agents/import-agents.ts);
 * agents confirmed at Review are kept there too, as `bulk-upload agents confirm` keeps them.
 */
import type { KnownAgentsView } from '../src/api'
import { AppError } from '../src/errors'
import { readAgentList } from '../src/agents/import-agents'
import { confirmAgents as confirmKnownAgents, distinctAgents, readKnownAgents, saveKnownAgents, type KnownAgents } from '../src/agents/known-agents-store'
import type { DestinationAddress } from '../src/ledger/destination-key'

function view(known: KnownAgents): KnownAgentsView {
  return { list: known.list, confirmed: known.confirmed.length, earlierDeliveries: known.delivered.length, strict: known.strict }
}

export async function knownAgentsView(home: string, dest: DestinationAddress): Promise<KnownAgentsView> {
  return view(await readKnownAgents(home, dest))
}

/** Replaces the list with the IDs of `column` of `file`. A column without IDs changes nothing. */
export async function importAgentList(home: string, dest: DestinationAddress, file: string, column: string): Promise<KnownAgentsView> {
  const read = await readAgentList(file, column)
  if (read.ids.length === 0) throw new AppError('BAD_ARGUMENT', `The column "${read.column}" of ${file} holds no agent IDs.`, { message: `The column “${read.column}” holds no agent IDs. Choose the column that does.` })
  const known = await readKnownAgents(home, dest)
  const next: KnownAgents = { ...known, list: { ids: read.ids, source: file, column: read.column, importedAt: new Date().toISOString() } }
  await saveKnownAgents(home, dest, next)
  return view(next)
}

/**
 * Sets the list to `ids` (repeats dropped, first spelling kept): one added or removed in the
 * settings. No IDs clears the list, so agents never confirmed are only noted again (NEW_AGENT),
 * rather than every agent becoming unknown.
 */
export async function saveAgentList(home: string, dest: DestinationAddress, ids: string[]): Promise<KnownAgentsView> {
  const known = await readKnownAgents(home, dest)
  const kept = distinctAgents(ids)
  const list = kept.length === 0 ? null : { ids: kept, source: known.list?.source ?? '', column: known.list?.column ?? '', importedAt: new Date().toISOString() }
  const next: KnownAgents = { ...known, list }
  await saveKnownAgents(home, dest, next)
  return view(next)
}

/**
 * Agents off the list become errors (`strict`: their rows are left out) or warnings again.
 * Saved whether or not a list is loaded, as the CLI's `agents strict` does: it takes effect
 * with the next list, and the list and the agents confirmed are kept as they are.
 */
export async function setStrictAgents(home: string, dest: DestinationAddress, strict: boolean): Promise<KnownAgentsView> {
  const known = await readKnownAgents(home, dest)
  const next: KnownAgents = { ...known, strict }
  await saveKnownAgents(home, dest, next)
  return view(next)
}

/** Remembers `ids` as agents the platform has, on the user's word (Review's NEW_AGENT / UNKNOWN_AGENT agents). */
export async function confirmAgents(home: string, dest: DestinationAddress, ids: string[]): Promise<KnownAgentsView> {
  return view((await confirmKnownAgents(home, dest, ids)).known)
}
