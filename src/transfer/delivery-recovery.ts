/**
 * Before a batch sends anything, and again at the destination's commit point, every CSV this
 * app wrote that is on the server must be in the delivery ledger (DESIGN.md, "Exactly once":
 * the server's listing only fills gaps, and only from CSVs this app wrote). A CSV gets there
 * without a record when a run died between the rename and the record, when the ledger was
 * lost or purged, or when the batch ran from another state folder or computer.
 *
 * Which CSVs are read (issue 27): those of a batch the ledger knows or of this batch, and,
 * for another batch's, only when its header is the destination's platform layout (the one
 * recorded, or the one this batch writes when none is). Anything else that looks like ours
 * (someone else's file with the app's naming) is listed as ignored: it never blocks a batch
 * and never fills the ledger. Rows of a trusted CSV are read from the local copy the run
 * kept, or back from the server; a trusted CSV whose rows cannot be known stops the batch
 * (EARLIER_CSV_UNKNOWN) rather than risk sending them twice.
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
  /** A delivery of a batch whose id starts with this is recorded. */
  knowsBatch(idPrefix: string): boolean
  recordDelivery(delivery: DeliveredBatch, conversations: Iterable<{ reference: string; recording: string | null; size: number | null; sha256: string | null }>): { added: number } | Promise<{ added: number }>
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
  /** The header another batch's CSV must have to be read: the destination's platform layout. */
  expectedHeader: string[]
  /** Remove this batch's stale `.part` CSVs (at the start; never at the commit point, where another process may be writing one). @default true */
  sweepParts?: boolean
}

export interface RecoveryOutcome {
  /** CSVs recorded in the ledger from the server. */
  recovered: string[]
  /** CSVs named like the app's that were not read, each with why (for a warning). */
  ignored: Array<{ name: string; reason: string }>
}

/** A CSV name the app writes (uploadCsvName): `<stem>_<UTC time>_<batch id>.csv`. */
const APP_CSV = /_\d{8}T\d{6}Z_([A-Za-z0-9]{1,12})\.csv$/

/** The part of a CSV name that names its batch: `<stem>_<time>_<id>.csv`. */
export function batchCsvSuffix(batchId: string): string {
  return `_${batchId.slice(0, 12)}.csv`
}

/** Records the trusted CSVs found on the server but not in the ledger; removes stale `.part` files. */
export async function recoverDeliveries(opts: RecoveryOptions): Promise<RecoveryOutcome> {
  const suffix = batchCsvSuffix(opts.batchId)
  const own = opts.batchId.slice(0, 12)
  const outcome: RecoveryOutcome = { recovered: [], ignored: [] }
  const candidates = new Set<string>()
  for (const name of opts.listing.keys()) if (APP_CSV.test(name)) candidates.add(name)
  for (const name of [...opts.journal.state.csvStarted.keys(), ...opts.journal.state.csvDone.keys()]) {
    if (opts.listing.has(name)) candidates.add(name)
  }
  for (const name of candidates) {
    const known = opts.ledger.delivery(name)
    if (known) {
      if (!opts.journal.state.csvDone.has(name)) opts.journal.csvDone(name, known.rows)
      continue
    }
    const id = APP_CSV.exec(name)?.[1] ?? own
    // This batch's, or one the ledger knows: the app wrote it, so its rows must be known.
    const trusted = id === own || opts.journal.state.csvStarted.has(name) || opts.ledger.knowsBatch(id)
    const text = await csvText(opts, name)
    if (text === null) {
      if (trusted) throw new AppError('EARLIER_CSV_UNKNOWN', `${name} is on the server; this computer has no record of it.`)
      outcome.ignored.push({ name, reason: 'it could not be read back' })
      continue
    }
    if (!trusted && !sameHeader(text, opts.expectedHeader)) {
      outcome.ignored.push({ name, reason: 'its columns are not the platform layout this app writes' })
      continue
    }
    let conversations: ReturnType<typeof conversationsIn>
    try {
      conversations = conversationsIn(text, opts.layout, opts.mapping, name)
    } catch (err) {
      if (trusted) throw err
      outcome.ignored.push({ name, reason: 'it has no contact reference column' })
      continue
    }
    await opts.ledger.recordDelivery(
      { batchId: id, csvName: name, rows: conversations.length, bytes: 0, deliveredAt: timeInName(name) ?? new Date().toISOString(), sourceCsv: opts.sourceCsv, reportCsv: null, reportJson: null },
      conversations,
    )
    if (!opts.journal.state.csvDone.has(name)) opts.journal.csvDone(name, conversations.length)
    outcome.recovered.push(name)
  }
  if (opts.sweepParts ?? true) {
    for (const name of opts.listing.keys()) {
      if (name.endsWith(`${suffix}.part`)) await remove(opts.sftp, opts.remotePath(name)).catch(() => undefined)
    }
  }
  return outcome
}

/** The CSV's first record is exactly `header`. */
function sameHeader(text: string, header: string[]): boolean {
  const first = Papa.parse<string[]>(text, { delimiter: ',', quoteChar: '"', preview: 1 }).data[0] ?? []
  return first.length === header.length && first.every((h, i) => h === header[i])
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
