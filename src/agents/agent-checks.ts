/**
 * The batch's agents against what the destination's platform knows (issue 12, "Agents the
 * platform knows"). An agent is known from the user's word only: on the imported list, or
 * confirmed (issue 22; having been delivered once proves nothing, a slip is delivered as
 * readily). With an imported list, rows whose agent is on neither the list nor the confirmed
 * get UNKNOWN_AGENT (an error, leaving the row out, when the destination or the user asks for
 * strict checking); with no list, rows whose agent was never confirmed get NEW_AGENT (a
 * notice). Only rows still going are looked at. Per distinct agent, not per row: a million
 * rows name a few hundred agents.
 */
import type { AgentCount, AgentReport, ValidationIssue } from '../api'
import { makeIssue } from '../batch/issue-codes'
import type { RowAgents } from '../batch/row-checks'
import { agentKey, WHERE_TO_MAP_AGENTS } from './agent-id'
import type { KnownAgents } from './known-agents-store'

/** Agents listed in the report (most rows first); the count of all stays exact. */
const AGENTS_LISTED = 1000

export interface AgentFindings {
  report: AgentReport
  /** The issues kept (at most `maxIssues`), in row order. */
  issues: ValidationIssue[]
  /** Rows flagged (exact). */
  count: number
  /** Per row, 1 where the row is to be left out (strict UNKNOWN_AGENT); null when none is. */
  drop: Uint8Array | null
}

/**
 * Checks the agents of the rows with `rowRecording[i] >= 0` (the rows that would be sent).
 * `strict` overrides the destination's own setting when given.
 */
export function checkAgents(rows: RowAgents, rowRecording: Int32Array, known: KnownAgents, opts: { strict?: boolean; maxIssues?: number } = {}): AgentFindings {
  const strict = opts.strict ?? known.strict
  const listed = known.list !== null
  const keys = new Set<string>()
  // known.delivered (agents older versions learned from deliveries) is not trusted: see KnownAgents.
  for (const id of known.confirmed) keys.add(agentKey(id))
  if (listed) for (const id of known.list!.ids) keys.add(agentKey(id))
  const code = listed ? 'UNKNOWN_AGENT' : 'NEW_AGENT'

  // Per distinct agent of the batch: concerned or not, and its rows.
  const concerned = new Uint8Array(rows.table.size)
  for (let id = 0; id < rows.table.size; id++) if (!keys.has(agentKey(rows.table.get(id)))) concerned[id] = 1
  const rowsOf = new Int32Array(rows.table.size)
  const seen = new Uint8Array(rows.table.size)
  const n = Math.min(rowRecording.length, rows.rowAgent.length)
  const issues: ValidationIssue[] = []
  const maxIssues = opts.maxIssues ?? 10_000
  const leaveOut = strict && listed
  let drop: Uint8Array | null = null
  let count = 0
  let distinct = 0
  for (let i = 0; i < n; i++) {
    const a = rows.rowAgent[i]!
    if (a < 0 || rowRecording[i]! < 0) continue
    if (seen[a] === 0) {
      seen[a] = 1
      distinct++
    }
    if (concerned[a] === 0) continue
    rowsOf[a]!++
    count++
    if (issues.length < maxIssues) issues.push(makeIssue(code, { row: i + 1, value: rows.table.get(a), detail: listed ? `${known.list!.ids.length} agents listed, from ${known.list!.source}` : undefined }, leaveOut))
    if (leaveOut) (drop ??= new Uint8Array(rowRecording.length))[i] = 1
  }
  const counts: AgentCount[] = []
  for (let id = 0; id < rowsOf.length; id++) if (rowsOf[id]! > 0) counts.push({ agent: rows.table.get(id), rows: rowsOf[id]! })
  counts.sort((x, y) => y.rows - x.rows || (x.agent < y.agent ? -1 : 1))
  const report: AgentReport = {
    listSize: known.list?.ids.length ?? 0,
    // The contract's name predates confirmations: it counts the agents the user confirmed.
    deliveredSize: known.confirmed.length,
    distinct,
    strict: leaveOut,
    concerned: counts.slice(0, AGENTS_LISTED),
    concernedTotal: counts.length,
    code: counts.length > 0 ? code : null,
    whereToMap: WHERE_TO_MAP_AGENTS,
  }
  return { report, issues, count, drop }
}
