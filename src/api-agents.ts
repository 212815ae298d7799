/**
 * The known-agents half of the contract (src/api.ts re-exports it): per destination, the list
 * of agent IDs its platform has users for (imported from a CSV, edited by hand) and how many
 * agents earlier deliveries taught the app. Batches checked for the destination flag agents
 * on neither as UNKNOWN_AGENT. Only types, like api.ts: the renderer imports it.
 */
import type { Result } from './api'

/** The imported list of a destination, as the settings show it. */
export interface AgentListView {
  ids: string[]
  /** The file and column it came from ('' when typed in), and when it was last changed. */
  source: string
  column: string
  importedAt: string
}

/** What the app knows about a destination's agents. */
export interface KnownAgentsView {
  /** Null: no list (agents never delivered are only noted, NEW_AGENT). */
  list: AgentListView | null
  /** Agents learned from batches delivered there (the ledger's). */
  delivered: number
  /** Unknown agents are errors (their rows left out) for this destination. */
  strict: boolean
}

/** A CSV the user picked as an agent list: its columns, and the one that looks like the agent ID. */
export interface AgentListPreview {
  path: string
  headers: string[]
  /** The default column: the agent ID as the mapping would suggest it, or the only column. */
  suggested: string | null
}

/** The known-agent calls of the contract (BulkUploadApi extends this). */
export interface AgentListApi {
  getKnownAgents(destinationId: string): Promise<Result<KnownAgentsView>>
  /** Reads a picked CSV's header (any encoding and delimiter a batch may have). */
  previewAgentList(path: string): Promise<Result<AgentListPreview>>
  /** Replaces the destination's list with the IDs of `column` of the picked CSV. */
  importAgentList(destinationId: string, path: string, column: string): Promise<Result<KnownAgentsView>>
  /** Sets the list to exactly `ids` (adding or removing one); an empty list clears it. */
  saveAgentList(destinationId: string, ids: string[]): Promise<Result<KnownAgentsView>>
  /**
   * Whether agents off the list are errors for this destination (their rows left out) or
   * warnings (sent). Kept with the list (the CLI's `agents strict on|off`); it applies only
   * while a list is loaded, and stays as set when the list is cleared.
   */
  setStrictAgents(destinationId: string, strict: boolean): Promise<Result<KnownAgentsView>>
}
