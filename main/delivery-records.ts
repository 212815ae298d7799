/**
 * What the app remembers per destination, for the core service: the delivery ledger (history,
 * delivered rows, retention) and the platform layout (the sample CSV). Plain functions over
 * the app home; the service resolves destination ids and wraps results.
 */
import path from 'node:path'
import { readdir, stat } from 'node:fs/promises'
import type { BatchSpec, DeliveredBatch } from '../src/api'
import { previewCsv, type CheckedBatch } from '../src/batch'
import { layoutFromSource, sampleCsvText } from '../src/batch/platform-layout'
import { AppError } from '../src/errors'
import type { DestinationAddress } from '../src/ledger/destination-key'
import { checkForDestination } from '../src/ledger/destination-checks'
import { readLayout } from '../src/ledger/layout-store'
import { readKnownAgents } from '../src/agents/known-agents-store'
import { DeliveryLedger, LEDGER_FILE } from '../src/ledger/ledger'
import { openDestinationLedger } from '../src/ledger/destination-ledger'
import type { LedgerLocation } from '../src/ledger/ledger-location'
import { log } from './log'
import type { FileForUser } from './save-for-user'

/** Opens the destination's ledger where `location` says (null: this computer's own), uses it, closes it. */
async function withLedger<T>(home: string, dest: DestinationAddress, location: LedgerLocation, use: (ledger: DeliveryLedger) => T | Promise<T>): Promise<T> {
  const ledger = await openDestinationLedger(home, dest, location)
  try {
    return await use(ledger.records)
  } finally {
    await ledger.close()
  }
}

/**
 * The batch as it would go to `dest`: delivered rows flagged (from the team ledger when
 * `location` names one, so rows another computer sent are flagged too), the platform layout
 * compared, the agents checked. What Review shows and what the upload then sends.
 */
export async function checkedForDestination(home: string, checked: CheckedBatch, spec: BatchSpec, dest: DestinationAddress, location: LedgerLocation): Promise<CheckedBatch> {
  const layout = await readLayout(home, dest)
  const agents = await readKnownAgents(home, dest)
  return withLedger(home, dest, location, (ledger) => checkForDestination(checked, { ledger, layout, resendDelivered: spec.resendDelivered ?? false, agents }))
}

/** Batches delivered to `dest`, newest first: every computer's when `location` is a team ledger. */
export function deliveryHistory(home: string, dest: DestinationAddress, location: LedgerLocation): Promise<DeliveredBatch[]> {
  return withLedger(home, dest, location, (ledger) => ledger.history())
}

/**
 * The sample CSV for the platform's Setup step: the destination's recorded layout, or the one
 * this batch would set (its columns) when none is recorded or the user adopts it.
 */
export async function sampleCsvFor(home: string, dest: DestinationAddress, spec: BatchSpec | null): Promise<FileForUser> {
  const recorded = await readLayout(home, dest)
  let layout = recorded
  if (spec && (!recorded || spec.layoutChoice === 'adopt')) layout = layoutFromSource((await previewCsv(spec.csvPath)).headers, spec.mapping)
  if (!layout) throw new AppError('BAD_ARGUMENT', 'No layout is recorded for this destination yet.', { message: 'This destination has no platform layout yet: choose a batch first, and its columns make the sample.' })
  return { name: 'platform-sample.csv', mimeType: 'text/csv', text: sampleCsvText(layout) }
}

/**
 * Forgets delivered conversations older than `days`, in every destination's ledger on this
 * computer. A team ledger is left alone: its retention is the team's to decide, not one
 * computer's setting (each computer may keep a different number of days, and the shortest
 * would win and forget for everyone), so it is kept by whoever runs the database.
 */
export async function purgeLedgers(home: string, days: number): Promise<void> {
  const root = path.join(home, 'destinations')
  for (const entry of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    const file = path.join(root, entry.name, LEDGER_FILE)
    if (!entry.isDirectory() || !(await stat(file).catch(() => null))) continue
    const ledger = DeliveryLedger.openFile(file)
    try {
      const purged = ledger.purge(days)
      if (purged.conversations > 0) log('info', `ledger ${entry.name}: forgot ${purged.conversations} conversations older than ${days} days`)
    } finally {
      ledger.close()
    }
  }
}
