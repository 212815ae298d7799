/** `bulk-upload history`: batches delivered to a destination (placeholder until the ledger lands). */
import type { Command } from 'commander'

export function registerHistory(program: Command): void {
  void program
}
