/**
 * The known-agents half of the contract (src/api.ts re-exports it): per destination, the list
 * of agent IDs its platform has users for (imported from a CSV, edited by hand) and the agents
 * the user confirmed (Review's "These agents are right"). Batches checked for the destination
 * flag agents on neither as UNKNOWN_AGENT, or without a list as NEW_AGENT. Having been
 * delivered makes no agent known (issue 22). Only types, like api.ts: the renderer imports it.
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
  /** Null: no list (agents never confirmed are only noted, NEW_AGENT). */
  list: AgentListView | null
  /** Agents the user confirmed for this destination (known as the list's are). */
  confirmed: number
  /**
   * Agents that versions before confirmations learned from deliveries by themselves: not
   * known (a slip sent once is among them), kept for the CLI to show and confirm.
   */
  earlierDeliveries: number
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
  /**
   * The user says the platform has these agents (Review's NEW_AGENT / UNKNOWN_AGENT agents):
   * remembered for this destination, so later batches naming them are not flagged. Ids already
   * confirmed change nothing; blank ones are ignored.
   */
  confirmAgents(destinationId: string, ids: string[]): Promise<Result<KnownAgentsView>>
}
