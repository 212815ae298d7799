/**
 * The delivery ledger (DESIGN.md, "Exactly once"; issue 8): per destination, an embedded
 * SQLite database of every CSV that reached the server and every conversation it carried, so
 * that a row already delivered is never sent in a second CSV — whatever state folder, run or
 * computer the next batch comes from. It holds references, names, sizes and hashes; never audio.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import type { DeliveredBatch } from '../api'
import { destinationDataDir, type DestinationAddress } from './destination-key'
import { badArgument, ledgerError } from './ledger-errors'
import { checkDelivery, checkSize, prepareStatements, sha256Bytes, toDelivered, type Statements } from './ledger-sql'
import { HashList, hashReference, hashUnits, recordingKey, ReferenceIndex } from './ledger-index'
import { migrate } from './ledger-schema'

/** The ledger's file name inside a destination's data folder. */
export const LEDGER_FILE = 'ledger.sqlite'

/**
 * How long a write waits for another process (a scheduled run and the app) holding the
 * ledger's write lock: recording 1,000,000 conversations took 5-20 s on a busy 2-core machine.
 */
export const LEDGER_BUSY_TIMEOUT_MS = 60_000

/** One conversation of a delivered CSV. */
export interface LedgerConversation {
  /** The Contact Reference: the conversation's identity at the platform. */
  reference: string
  /** The recording's name on the server, or null for a row without audio. */
  recording: string | null
  /** Bytes of the recording as sent, when known. */
  size: number | null
  /** Lower-case hex sha256 of the recording as sent, when known. */
  sha256: string | null
}

/** Where an already delivered reference went: what `check` and the CLI tell the user. */
export interface PriorDelivery {
  csvName: string
  batchId: string
  /** ISO 8601 time the CSV was confirmed on the server. */
  deliveredAt: string
}

/** What the ledger knows of a recording name on the server (for skip decisions). */
export interface DeliveredRecording {
  size: number
  sha256: string
  /** The CSV whose delivery last sent it. */
  csvName: string
}

/** The ledger's path for a destination, without creating anything (e.g. to show "no history"). */
export function ledgerPath(home: string, dest: DestinationAddress): string {
  return path.join(destinationDataDir(home, dest), LEDGER_FILE)
}

/**
 * One open handle on a destination's ledger. Every method is synchronous (better-sqlite3) and
 * throws only AppErrors: LOCAL_DISK_FULL / LOCAL_NOT_WRITABLE for this computer's disk,
 * NOT_READABLE for a damaged or foreign file, BAD_ARGUMENT for a caller's bad value.
 * Several handles, in one process or several, may use the same file at once (WAL mode, a busy
 * timeout, writes in IMMEDIATE transactions).
 */
export class DeliveryLedger {
  /** id -> delivery, filled as `lookup` meets them: rows are never changed and ids never reused. */
  private readonly priorById = new Map<number, PriorDelivery>()
  private readonly stmts: Statements
  /** Built on first use, then topped up with new deliveries; null when it must be rebuilt. */
  private index: ReferenceIndex | null = null
  /** What `index` holds: deliveries with refs up to this id, how many, and how many hashes. */
  private loaded = { maxId: 0, deliveries: 0, hashes: 0 }

  private constructor(
    private readonly db: Database.Database,
    /** The ledger's file, for messages. */
    readonly file: string,
  ) {
    this.stmts = prepareStatements(db)
  }

  /**
   * Opens (creating if needed) the ledger of a destination inside the app home: folder 0700,
   * file 0600, schema brought up to date.
   */
  static async open(home: string, dest: DestinationAddress): Promise<DeliveryLedger> {
    return DeliveryLedger.openFile(ledgerPath(home, dest))
  }

  /** Opens (creating if needed) the ledger at `file`; its folder is created 0700. */
  static openFile(file: string): DeliveryLedger {
    let db: Database.Database | null = null
    try {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
      // SQLite would create the file with the umask's mode (often 0644); create it 0600 first.
      // Its -wal and -shm files take the database file's permissions.
      closeSync(openSync(file, 'a', 0o600))
      db = new Database(file, { timeout: LEDGER_BUSY_TIMEOUT_MS })
      return DeliveryLedger.prepare(db, file)
    } catch (err) {
      db?.close()
      throw ledgerError(err, file, 'open')
    }
  }

  /**
   * A ledger held in memory only: the team ledger's local copy of what its database holds
   * (team-ledger.ts), so that lookups stay synchronous and as fast as the embedded ledger's.
   */
  static openMemory(label: string): DeliveryLedger {
    return DeliveryLedger.prepare(new Database(':memory:'), label)
  }

  private static prepare(db: Database.Database, file: string): DeliveryLedger {
    try {
      db.pragma('journal_mode = WAL')
      // A delivery is recorded once per CSV: a flush per commit costs little and keeps a
      // delivery a power cut would otherwise forget.
      db.pragma('synchronous = FULL')
      // Room for the recording-key index while a big delivery inserts into it in random
      // order. Pages are allocated only as used: small deliveries and lookups do not pay.
      db.pragma('cache_size = -65536')
      // After a 1,000,000-row delivery the WAL is truncated back rather than left at 100+ MB.
      db.pragma('journal_size_limit = 16777216')
      migrate(db, file)
      return new DeliveryLedger(db, file)
    } catch (err) {
      db?.close()
      throw ledgerError(err, file, 'open')
    }
  }

  /**
   * Which of these references were already delivered, and in which CSV. References not in the
   * ledger are absent from the map; entries of one delivery share one (frozen) object.
   * The first call loads the ledger's reference index (about 0.1 s and 24 MB for 1,000,000
   * references); later calls only read deliveries recorded since. For 1,000,000 rows, call it
   * per chunk of rows (e.g. 10,000) so neither the input nor the answer is held whole.
   */
  lookup(references: Iterable<string>): Map<string, PriorDelivery> {
    const found = new Map<string, PriorDelivery>()
    const list = Array.isArray(references) ? (references as string[]) : [...references]
    this.lookupEach(list, (i, prior) => found.set(list[i]!, prior))
    return found
  }

  /**
   * `lookup` without building a map: calls `onFound(index, prior)` for each delivered
   * reference, in order (a million answers would otherwise be a million map entries).
   */
  lookupEach(references: readonly string[], onFound: (index: number, prior: PriorDelivery) => void): void {
    this.run('read', () =>
      this.db.transaction(() => {
        const index = this.currentIndex()
        for (let i = 0; i < references.length; i++) {
          const h = hashReference(references[i]!)
          const deliveryId = index.get(h[0]!, h[1]!)
          if (deliveryId !== 0) onFound(i, this.prior(deliveryId))
        }
      })(),
    )
  }

  /**
   * `lookupEach` for references given as code units (`chars[start[id] .. start[id + 1])` for
   * each id in `ids`): no string is made per reference. `onFound` gets the position in `ids`.
   */
  lookupUnits(chars: ArrayLike<number>, start: ArrayLike<number>, ids: readonly number[], onFound: (index: number, prior: PriorDelivery) => void): void {
    this.run('read', () =>
      this.db.transaction(() => {
        const index = this.currentIndex()
        for (let i = 0; i < ids.length; i++) {
          const id = ids[i]!
          const h = hashUnits(chars, start[id]!, start[id + 1]!)
          const deliveryId = index.get(h[0]!, h[1]!)
          if (deliveryId !== 0) onFound(i, this.prior(deliveryId))
        }
      })(),
    )
  }

  /**
   * Records one CSV that reached the server and the conversations it carried, all or nothing
   * (one IMMEDIATE transaction: a second process recording at the same time waits its turn).
   * Call it once the CSV is confirmed on the server. Every conversation is kept as a row of
   * this CSV (resent ones too: `recording()` then knows what was sent last), but a reference
   * already recorded keeps its first delivery for `lookup`. Recording the same CSV again (a
   * retry after a crash) rewrites its rows instead of doubling them. Returns how many
   * references were new to the ledger.
   */
  recordDelivery(delivery: DeliveredBatch, conversations: Iterable<LedgerConversation>): { added: number } {
    const deliveredMs = checkDelivery(delivery)
    const d = delivery
    try {
      return this.db.transaction(() => {
        const index = this.currentIndex()
        const isNew = this.stmts.insertDelivery.run(d.csvName, d.batchId, d.rows, d.bytes, d.deliveredAt, d.sourceCsv, d.reportCsv, d.reportJson, deliveredMs).changes > 0
        const id = this.stmts.deliveryId.get(d.csvName)!
        // The same CSV again (a retry after a crash): its rows are written afresh, not twice.
        if (!isNew) this.deleteRows(id)
        const fresh = new HashList()
        let first: number | bigint | null = null
        let last: number | bigint | null = null
        for (const c of conversations) {
          if (typeof c.reference !== 'string' || c.reference === '') throw badArgument('reference', 'a non-empty string', c.reference)
          const h = hashReference(c.reference)
          if (index.add(h[0]!, h[1]!, id)) fresh.push(h[0]!, h[1]!)
          const key = c.recording === null ? null : recordingKey(c.recording)
          last = this.stmts.insertConversation.run(c.reference, id, c.recording, checkSize(c.size), sha256Bytes(c.sha256), key).lastInsertRowid
          first ??= last
        }
        this.stmts.setRowRange.run(first, last, id)
        if (fresh.length > 0) this.saveRefs(id, fresh)
        return { added: fresh.length }
      }).immediate()
    } catch (err) {
      // The index may hold references of the transaction that was rolled back.
      this.index = null
      throw ledgerError(err, this.file, `record the delivery of ${d.csvName} in`)
    }
  }

  /** The delivery of one CSV, by its name on the server. */
  delivery(csvName: string): DeliveredBatch | null {
    const row = this.run('read', () => this.stmts.byCsv.get(csvName))
    return row ? toDelivered(row) : null
  }

  /** Every CSV a batch was delivered in (several when its rows went over several runs), oldest first. */
  deliveriesOfBatch(batchId: string): DeliveredBatch[] {
    return this.run('read', () => this.stmts.byBatch.all(batchId)).map(toDelivered)
  }

  /**
   * Whether a delivery of a batch whose id starts with `idPrefix` is recorded: CSV names carry
   * the first 12 characters of the batch id, and recovery trusts only batches the ledger knows.
   */
  knowsBatch(idPrefix: string): boolean {
    if (idPrefix === '') return false
    // A range on the batch index: ids are hexadecimal, so every id with this prefix sorts
    // between the prefix and the prefix followed by the highest character.
    return this.run('read', () => this.stmts.batchInRange.get(idPrefix, `${idPrefix}\uffff`) !== undefined)
  }

  /** Delivered CSVs, newest first; all of them unless `limit` is given. */
  history(limit?: number): DeliveredBatch[] {
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw badArgument('limit', 'an integer from 0 and up', limit)
    return this.run('read', () => this.stmts.history.all(limit ?? -1)).map(toDelivered)
  }

  /**
   * The size and sha256 a recording name last had when delivered, or null when the ledger
   * does not know both: a remote file matching them needs no second upload.
   */
  recording(remoteName: string): DeliveredRecording | null {
    const row = this.run('read', () => this.stmts.recording.get(recordingKey(remoteName), remoteName))
    if (!row || row[0] === null || row[1] === null) return null
    return { size: row[0], sha256: row[1].toString('hex'), csvName: row[2] }
  }

  /**
   * Forgets deliveries older than `retentionDays` (by delivery time, before `now`) with their
   * conversation rows: the ledger keeps its own retention, longer than journals'
   * (Settings.ledgerRetentionDays). A reference is forgotten with its first delivery, even if
   * a later CSV resent it on purpose. Returns how many conversation rows and deliveries went.
   */
  purge(retentionDays: number, now: number = Date.now()): { conversations: number; deliveries: number } {
    if (!(Number.isFinite(retentionDays) && retentionDays >= 0)) throw badArgument('retentionDays', 'a number from 0 and up', retentionDays)
    const cutoff = now - retentionDays * 86_400_000
    return this.run('purge', () =>
      this.db.transaction(() => {
        // Most runs find nothing old: answer from the time index without scanning conversations.
        const old = this.db.prepare('SELECT 1 FROM delivery WHERE delivered_ms < ? LIMIT 1').get(cutoff)
        if (!old) return { conversations: 0, deliveries: 0 }
        let conversations = 0
        for (const id of this.db.prepare<[number], number>('SELECT id FROM delivery WHERE delivered_ms < ?').pluck().all(cutoff)) {
          conversations += this.deleteRows(id)
        }
        this.db.prepare('DELETE FROM delivery_refs WHERE delivery_id IN (SELECT id FROM delivery WHERE delivered_ms < ?)').run(cutoff)
        const deliveries = this.db.prepare('DELETE FROM delivery WHERE delivered_ms < ?').run(cutoff).changes
        this.index = null
        return { conversations, deliveries }
      }).immediate(),
    )
  }

  /** Closes the handle; later calls on it fail. Closing twice is harmless. */
  close(): void {
    if (this.db.open) this.db.close()
  }

  /**
   * The reference index as of this transaction: rebuilt when deliveries it loaded were purged
   * or grew (checked by count), else topped up with deliveries recorded since, by any process.
   */
  private currentIndex(): ReferenceIndex {
    const [deliveries, hashes] = this.stmts.refsUpTo.get(this.loaded.maxId)!
    if (!this.index || deliveries !== this.loaded.deliveries || hashes !== this.loaded.hashes) {
      this.index = new ReferenceIndex(this.stmts.refsTotal.get()!)
      this.loaded = { maxId: 0, deliveries: 0, hashes: 0 }
    }
    for (const [id, count, blob] of this.stmts.refsAfter.iterate(this.loaded.maxId)) {
      this.index.addBlob(id, blob)
      this.loaded = { maxId: id, deliveries: this.loaded.deliveries + 1, hashes: this.loaded.hashes + count }
    }
    return this.index
  }

  /** Deletes a delivery's conversation rows (one rowid range); returns how many. */
  private deleteRows(id: number): number {
    const [first, last] = this.stmts.rowRange.get(id) ?? [null, null]
    return first === null || last === null ? 0 : this.stmts.deleteRows.run(first, last).changes
  }

  /** Appends a delivery's new reference hashes (to its blob, when a retry adds to it). */
  private saveRefs(id: number, fresh: HashList): void {
    const before = this.stmts.refsOf.get(id) ?? null
    const count = (before?.byteLength ?? 0) / 8 + fresh.length
    this.stmts.saveRefs.run(id, count, fresh.toBlob(before))
    this.loaded = {
      maxId: Math.max(this.loaded.maxId, id),
      deliveries: this.loaded.deliveries + (before ? 0 : 1),
      hashes: this.loaded.hashes + fresh.length,
    }
  }

  private prior(deliveryId: number): PriorDelivery {
    let prior = this.priorById.get(deliveryId)
    if (!prior) {
      prior = Object.freeze(this.stmts.prior.get(deliveryId)!)
      this.priorById.set(deliveryId, prior)
    }
    return prior
  }

  /** Runs one ledger operation, mapping whatever SQLite or the disk throws to an AppError. */
  private run<T>(action: string, fn: () => T): T {
    try {
      return fn()
    } catch (err) {
      this.index = null
      throw ledgerError(err, this.file, action)
    }
  }
}
