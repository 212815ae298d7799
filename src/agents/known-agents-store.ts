/**
 * A destination's known agents: `agents.json` in the destination's folder of the app home,
 * beside its delivery ledger and platform layout. Two sources, both the user's word: a list
 * they imported (the platform's user export, or their own) and the agents they confirmed
 * (Review's "These agents are right", `bulk-upload agents confirm`). Having been delivered
 * once makes no agent known: a typing slip sent once (tom.harriss@…) would otherwise pass
 * every later batch's check (issue 22). Written atomically, owner-only, as the layout is.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { AppError, toAppError, toLocalWriteError } from '../errors'
import { writeOwnerOnlyFile } from '../atomic-file'
import { destinationDataDir, type DestinationAddress } from '../ledger/destination-key'
import { agentKey } from './agent-id'

export const AGENTS_FILE = 'agents.json'

/** The list a user imported for a destination. */
export interface ImportedAgentList {
  ids: string[]
  /** The file and column it came from, and when. */
  source: string
  column: string
  importedAt: string
}

/** What the app knows about a destination's agents. */
export interface KnownAgents {
  /** The imported list; null when none is loaded (then NEW_AGENT, not UNKNOWN_AGENT). */
  list: ImportedAgentList | null
  /** Agents the user confirmed for this destination, as first written: known like the list's. */
  confirmed: string[]
  /**
   * Agents of batches delivered before confirmation existed: versions up to issue 22 added
   * every delivered batch's agents here by themselves. NOT known: a slip sent once is among
   * them as surely as a real agent, and nothing tells them apart. Kept (never grown again) so
   * that `agents list` shows them and `agents confirm --earlier-deliveries` can make them
   * known on the user's word; until then they are NEW_AGENT notices, never left out.
   */
  delivered: string[]
  /** UNKNOWN_AGENT is an error (its rows are left out) for this destination. @default false */
  strict: boolean
}

/**
 * The file: still version 1, so an older app or CLI on the same app home reads it (it ignores
 * `confirmed`) rather than calling it damaged. Such a version writes the file back without
 * `confirmed` and grows `delivered` again: the confirmations are then lost, which leaves those
 * agents notices once more, never a slip accepted.
 */
interface StoredFile {
  version: 1
  list: ImportedAgentList | null
  delivered: string[]
  strict: boolean
  /** Absent in files written before confirmations existed. */
  confirmed?: string[]
}

export const NO_AGENTS: KnownAgents = { list: null, confirmed: [], delivered: [], strict: false }

export function agentsPath(home: string, dest: DestinationAddress): string {
  return path.join(destinationDataDir(home, dest), AGENTS_FILE)
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string')

/** The destination's known agents (none when nothing was recorded). A damaged file is LOCAL_DATA_DAMAGED saying how to fix it. */
export async function readKnownAgents(home: string, dest: DestinationAddress): Promise<KnownAgents> {
  const file = agentsPath(home, dest)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return NO_AGENTS
    throw toAppError(err, 'NOT_READABLE')
  }
  // Running again meets the same file: its own code (exit 2), naming the file and the way out.
  const damaged = (why: string) =>
    new AppError('LOCAL_DATA_DAMAGED', `The known agents kept in ${file} are damaged (${why}).`, {
      message: `${file} is damaged: move it away and run again; agents confirmed must be confirmed again (bulk-upload agents confirm), and an imported agent list must be imported again (bulk-upload agents import).`,
    })
  let v: Partial<StoredFile>
  try {
    v = JSON.parse(text) as Partial<StoredFile>
  } catch (err) {
    throw damaged((err as Error).message)
  }
  const list = v.list ?? null
  if (v.version !== 1 || !strings(v.delivered) || typeof v.strict !== 'boolean' || (v.confirmed !== undefined && !strings(v.confirmed))) throw damaged('not an agents file of this version')
  if (list !== null && (!strings(list.ids) || typeof list.source !== 'string' || typeof list.column !== 'string' || typeof list.importedAt !== 'string')) throw damaged('its list is not a list of IDs')
  return { list, confirmed: v.confirmed ?? [], delivered: v.delivered, strict: v.strict }
}

/** Records the destination's known agents (replacing the file). Full or read-only disks get their own codes. */
export async function saveKnownAgents(home: string, dest: DestinationAddress, agents: KnownAgents): Promise<void> {
  const dir = destinationDataDir(home, dest)
  const file = path.join(dir, AGENTS_FILE)
  const stored: StoredFile = { version: 1, list: agents.list, delivered: agents.delivered, strict: agents.strict, confirmed: agents.confirmed }
  try {
    await writeOwnerOnlyFile(file, `${JSON.stringify(stored, null, 1)}\n`)
  } catch (err) {
    throw toLocalWriteError(err, `Could not save the known agents to ${file}`)
  }
}

/** `ids` without repeats (compared as agentKey), first spelling kept, in order. */
export function distinctAgents(ids: Iterable<string>): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const id of ids) {
    const k = agentKey(id)
    if (k === '' || seen.has(k)) continue
    seen.add(k)
    out.push(id.trim())
  }
  return out
}

/** What `confirmAgents` changed: the agents newly confirmed, and the whole confirmed list now. */
export interface Confirmation {
  added: string[]
  known: KnownAgents
}

/**
 * Confirms `ids` for the destination: the user says the platform has these agents. Those
 * already confirmed (compared as agentKey) are left as first written. With `earlierDeliveries`,
 * the agents of batches delivered before confirmation existed are confirmed too.
 */
export async function confirmAgents(home: string, dest: DestinationAddress, ids: Iterable<string>, opts: { earlierDeliveries?: boolean } = {}): Promise<Confirmation> {
  const known = await readKnownAgents(home, dest)
  const incoming = [...ids, ...(opts.earlierDeliveries ? known.delivered : [])]
  const confirmed = distinctAgents([...known.confirmed, ...incoming])
  const added = confirmed.slice(known.confirmed.length)
  if (added.length === 0) return { added, known }
  const next: KnownAgents = { ...known, confirmed }
  await saveKnownAgents(home, dest, next)
  return { added, known: next }
}

/** Takes `ids` back from the confirmed agents (a confirmation made by mistake). Returns those removed. */
export async function forgetConfirmedAgents(home: string, dest: DestinationAddress, ids: Iterable<string>): Promise<{ removed: string[]; known: KnownAgents }> {
  const known = await readKnownAgents(home, dest)
  const gone = new Set([...ids].map(agentKey))
  const removed = known.confirmed.filter((id) => gone.has(agentKey(id)))
  if (removed.length === 0) return { removed, known }
  const next: KnownAgents = { ...known, confirmed: known.confirmed.filter((id) => !gone.has(agentKey(id))) }
  await saveKnownAgents(home, dest, next)
  return { removed, known: next }
}
