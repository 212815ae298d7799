/**
 * Collects validation issues with exact counts per code but a cap on how many are kept, so a
 * CSV where every one of 1,000,000 rows has the same fault does not hold a million messages.
 */
import type { IssueCode, ValidationIssue } from '../api'
import { isBlocking, makeIssue, type IssueFacts } from './issue-codes'

/** Issues kept per code by default; counts stay exact beyond it. */
export const DEFAULT_MAX_ISSUES_PER_CODE = 10_000

/** The issues of one validation: exact counts per code, capped list, whether anything blocks. */
export class IssueList {
  readonly counts: Partial<Record<IssueCode, number>> = {}
  private readonly kept: ValidationIssue[] = []
  total = 0
  blocked = false

  constructor(private readonly maxPerCode = DEFAULT_MAX_ISSUES_PER_CODE) {}

  add(code: IssueCode, facts: IssueFacts = {}): void {
    const n = (this.counts[code] ?? 0) + 1
    this.counts[code] = n
    this.total++
    if (isBlocking(code)) this.blocked = true
    if (n <= this.maxPerCode) this.kept.push(makeIssue(code, facts))
  }

  /** Kept issues: blocking first, then by row (file-level issues last), stable otherwise. */
  sorted(): ValidationIssue[] {
    const rank = (i: ValidationIssue): number => (isBlocking(i.code) ? -1 : i.row ?? Number.MAX_SAFE_INTEGER)
    return this.kept.map((issue, at) => ({ issue, at, r: rank(issue) })).sort((a, b) => a.r - b.r || a.at - b.at).map((x) => x.issue)
  }

  /** How many issues were counted but not kept. */
  get omitted(): number {
    return this.total - this.kept.length
  }
}
