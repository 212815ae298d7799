/**
 * A destination's known agents: `agents.json` in the destination's folder of the app home,
 * beside its delivery ledger and platform layout. Two sources: a list the user imported (the
 * platform's user export, or their own), and the agents of every batch delivered there
 * (grown after each delivery). Written atomically, owner-only, as the layout is.
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
  /** Agents of batches delivered to the destination, as first written. */
  delivered: string[]
  /** UNKNOWN_AGENT is an error (its rows are left out) for this destination. @default false */
  strict: boolean
}

interface StoredFile extends KnownAgents {
  version: 1
}

export const NO_AGENTS: KnownAgents = { list: null, delivered: [], strict: false }

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
      message: `${file} is damaged: move it away and run again; the agents of the next deliveries are recorded anew, and an imported agent list must be imported again (bulk-upload agents import).`,
    })
  let v: Partial<StoredFile>
  try {
    v = JSON.parse(text) as Partial<StoredFile>
  } catch (err) {
    throw damaged((err as Error).message)
  }
  const list = v.list ?? null
  if (v.version !== 1 || !strings(v.delivered) || typeof v.strict !== 'boolean') throw damaged('not an agents file of this version')
  if (list !== null && (!strings(list.ids) || typeof list.source !== 'string' || typeof list.column !== 'string' || typeof list.importedAt !== 'string')) throw damaged('its list is not a list of IDs')
  return { list, delivered: v.delivered, strict: v.strict }
}

/** Records the destination's known agents (replacing the file). Full or read-only disks get their own codes. */
export async function saveKnownAgents(home: string, dest: DestinationAddress, agents: KnownAgents): Promise<void> {
  const dir = destinationDataDir(home, dest)
  const file = path.join(dir, AGENTS_FILE)
  const stored: StoredFile = { version: 1, list: agents.list, delivered: agents.delivered, strict: agents.strict }
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

/**
 * Adds the agents of a delivered batch. Returns how many were new. Called after the ledger
 * recorded the delivery: the CSV is on the server whatever happens here.
 */
export async function addDeliveredAgents(home: string, dest: DestinationAddress, agents: Iterable<string>): Promise<number> {
  const known = await readKnownAgents(home, dest)
  const merged = distinctAgents([...known.delivered, ...agents])
  if (merged.length === known.delivered.length) return 0
  await saveKnownAgents(home, dest, { ...known, delivered: merged })
  return merged.length - known.delivered.length
}
