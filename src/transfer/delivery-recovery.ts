/**
 * Before a batch sends anything, every CSV of it that is on the server must be in the
 * delivery ledger (DESIGN.md, "Exactly once": with no ledger record the server's listing is
 * checked before a CSV goes). A CSV gets there without a record when a run died between the
 * rename and the record, when the ledger was lost or purged, or when the batch ran from
 * another state folder or computer. Its rows are read from the local copy the run kept, or
 * back from the server; a CSV whose rows cannot be known stops the batch (EARLIER_CSV_UNKNOWN)
 * rather than risk sending them twice.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import Papa from 'papaparse'
import type { SFTPWrapper } from 'ssh2'
import type { DeliveredBatch, MappingProfile, PlatformLayout } from '../api'
import { AppError } from '../errors'
import type { Journal } from './journal'
import { readRemoteFile } from './remote-state'
import { remove } from './sftp-ops'

/** What recovery asks of the delivery ledger (DeliveryLedger has it). */
export interface RecoverableLedger {
  delivery(csvName: string): DeliveredBatch | null
  recordDelivery(delivery: DeliveredBatch, conversations: Iterable<{ reference: string; recording: string | null; size: number | null; sha256: string | null }>): { added: number }
}

export interface RecoveryOptions {
  sftp: SFTPWrapper
  remotePath: (name: string) => string
  /** The remote folder's files and sizes, listed at the start of the run. */
  listing: Map<string, number>
  journal: Journal
  /** The batch's state folder, where each run keeps the CSV it sent. */
  workDir: string
  batchId: string
  sourceCsv: string
  ledger: RecoverableLedger
  /** Where to find the contact reference and recording in a CSV read back. */
  layout: PlatformLayout | null
  mapping: MappingProfile
}

/** A CSV name the app writes (uploadCsvName): `<stem>_<UTC time>_<batch id>.csv`. */
const APP_CSV = /_\d{8}T\d{6}Z_([A-Za-z0-9]{1,12})\.csv$/

/** The part of a CSV name that names its batch: `<stem>_<time>_<id>.csv`. */
export function batchCsvSuffix(batchId: string): string {
  return `_${batchId.slice(0, 12)}.csv`
}

/** Records the batch's CSVs found on the server but not in the ledger; removes stale `.part` files. Returns the names recovered. */
export async function recoverDeliveries(opts: RecoveryOptions): Promise<string[]> {
  const suffix = batchCsvSuffix(opts.batchId)
  // Every CSV this app wrote (any batch: an edited or overlapping export is another batch),
  // not only this batch's: with the ledger lost, they are the only record of what went.
  const candidates = new Set<string>()
  for (const name of opts.listing.keys()) if (APP_CSV.test(name)) candidates.add(name)
  for (const name of [...opts.journal.state.csvStarted.keys(), ...opts.journal.state.csvDone.keys()]) {
    if (opts.listing.has(name)) candidates.add(name)
  }
  const recovered: string[] = []
  for (const name of candidates) {
    if (opts.ledger.delivery(name)) {
      if (!opts.journal.state.csvDone.has(name)) opts.journal.csvDone(name, opts.ledger.delivery(name)!.rows)
      continue
    }
    const text = await csvText(opts, name)
    if (text === null) throw new AppError('EARLIER_CSV_UNKNOWN', `${name} is on the server; this computer has no record of it.`)
    const conversations = conversationsIn(text, opts.layout, opts.mapping, name)
    opts.ledger.recordDelivery(
      { batchId: APP_CSV.exec(name)?.[1] ?? opts.batchId, csvName: name, rows: conversations.length, bytes: 0, deliveredAt: timeInName(name) ?? new Date().toISOString(), sourceCsv: opts.sourceCsv, reportCsv: null, reportJson: null },
      conversations,
    )
    if (!opts.journal.state.csvDone.has(name)) opts.journal.csvDone(name, conversations.length)
    recovered.push(name)
  }
  for (const name of opts.listing.keys()) {
    if (name.endsWith(`${suffix}.part`)) await remove(opts.sftp, opts.remotePath(name)).catch(() => undefined)
  }
  return recovered
}

/** When a CSV was made, from its name (`<stem>_20260125T093000Z_<id>.csv`, see uploadCsvName). */
function timeInName(name: string): string | null {
  const m = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z_[A-Za-z0-9]+\.csv$/.exec(name)
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : null
}

/** The CSV's text: this computer's copy when it matches the server's size, else read back. */
async function csvText(opts: RecoveryOptions, name: string): Promise<string | null> {
  const size = opts.listing.get(name)!
  const local = await readFile(path.join(opts.workDir, name)).catch(() => null)
  if (local && local.length === size) return local.toString('utf8')
  const remote = await readRemoteFile(opts.sftp, opts.remotePath(name), size)
  return remote ? remote.toString('utf8') : null
}

/** Contact references and recordings of a CSV the app wrote (its header names the columns). */
function conversationsIn(text: string, layout: PlatformLayout | null, mapping: MappingProfile, name: string) {
  const parsed = Papa.parse<string[]>(text, { delimiter: ',', quoteChar: '"', skipEmptyLines: true })
  const [header, ...rows] = parsed.data
  if (!header) throw new AppError('EARLIER_CSV_UNKNOWN', `${name} on the server is empty.`)
  const column = (field: 'contactReference' | 'audioFilename'): number => {
    const names = [layout?.columns.find((c) => c.field === field)?.name, mapping[field]].filter((n): n is string => Boolean(n))
    return header.findIndex((h) => names.includes(h))
  }
  const refCol = column('contactReference')
  if (refCol < 0) throw new AppError('EARLIER_CSV_UNKNOWN', `${name} on the server has no contact reference column this app can recognise.`)
  const audioCol = column('audioFilename')
  return rows
    .map((r) => ({ reference: (r[refCol] ?? '').trim(), recording: audioCol >= 0 ? (r[audioCol] ?? null) : null, size: null, sha256: null }))
    .filter((c) => c.reference !== '')
}
