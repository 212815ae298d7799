/** `bulk-upload sample-csv`: the sample CSV for the platform's Setup step (placeholder). */
import type { Command } from 'commander'

export function registerSampleCsv(program: Command): void {
  void program
}
