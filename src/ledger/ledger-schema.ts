/**
 * The delivery ledger's SQLite schema and its migrations. `PRAGMA user_version` holds the
 * schema version; `PRAGMA application_id` marks the file as ours, so an unrelated SQLite file
 * at the ledger's place is refused instead of being written into.
 */
import type Database from 'better-sqlite3'
import { AppError } from '../errors'
import { damagedLedger } from './ledger-errors'

/** "BUDL": bulk-upload delivery ledger. */
export const LEDGER_APPLICATION_ID = 0x4255444c

/**
 * Migrations in order: entry i takes the schema from version i to i + 1. Never edit a shipped
 * entry; append a new one (ledgers written by older versions are upgraded on open).
 *
 * Why this shape:
 * - "Was this reference delivered?" is answered from `delivery_refs`: per delivery, one blob of
 *   the 64-bit hashes of the references it was first to deliver (see ledger-index.ts). A
 *   delivery appends one row; a check reads them in sequence.
 * - `conversation` is the record of what each CSV carried (every row, also those delivered
 *   before): a plain rowid table written in order, with no index on the reference or the
 *   recording name, whose random order made every insert a random page write (a
 *   text-keyed recording table alone cost 7 of 12 s for 1,000,000). The skip decision finds a
 *   recording's last delivery through `recording_key`, a 53-bit hash of its name: small
 *   integers, whose index stays in the page cache. A delivery's rows are appended in one
 *   transaction, so they are one rowid range (delivery.first_row..last_row): purge and retries
 *   delete by range, with no delivery_id index to maintain (it cost 1 s per 1,000,000 rows).
 *   The reference hashes can be rebuilt from this table.
 * - `delivery` ids are AUTOINCREMENT so an id is never reused after a purge: handles may cache
 *   id -> delivery for as long as they live, and "newer delivery" is "larger id".
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE delivery (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     csv_name TEXT NOT NULL UNIQUE,
     batch_id TEXT NOT NULL,
     rows INTEGER NOT NULL,
     bytes INTEGER NOT NULL,
     delivered_at TEXT NOT NULL,
     delivered_ms INTEGER NOT NULL,
     source_csv TEXT NOT NULL,
     report_csv TEXT,
     report_json TEXT,
     first_row INTEGER,
     last_row INTEGER
   );
   CREATE INDEX delivery_by_batch ON delivery (batch_id);
   CREATE INDEX delivery_by_time ON delivery (delivered_ms);
   CREATE TABLE delivery_refs (
     delivery_id INTEGER PRIMARY KEY,
     count INTEGER NOT NULL,
     hashes BLOB NOT NULL
   );
   CREATE TABLE conversation (
     reference TEXT NOT NULL,
     delivery_id INTEGER NOT NULL,
     recording TEXT,
     size INTEGER,
     sha256 BLOB,
     recording_key INTEGER
   );
   CREATE INDEX conversation_by_recording ON conversation (recording_key) WHERE recording_key IS NOT NULL;`,
]

/** The schema version this build writes. */
export const LEDGER_SCHEMA_VERSION = MIGRATIONS.length

/**
 * Brings the database at `file` to the current schema, in one IMMEDIATE transaction so two
 * processes opening a new ledger at once do not both create it. Throws an AppError for a
 * SQLite file that is not a ledger, or a ledger written by a newer version of the app.
 */
export function migrate(db: Database.Database, file: string): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number
    const appId = db.pragma('application_id', { simple: true }) as number
    const objects = db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() as number
    const fresh = version === 0 && appId === 0 && objects === 0
    if (!fresh && appId !== LEDGER_APPLICATION_ID) throw damagedLedger(file, 'it holds another program\'s data')
    if (version > LEDGER_SCHEMA_VERSION) {
      throw new AppError('NOT_READABLE', `The delivery ledger ${file} was written by a newer version of bulk-upload (schema ${version}; this version reads up to ${LEDGER_SCHEMA_VERSION}). Update the app to use it.`)
    }
    for (let v = version; v < LEDGER_SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!)
    if (version !== LEDGER_SCHEMA_VERSION) db.pragma(`user_version = ${LEDGER_SCHEMA_VERSION}`)
    if (fresh) db.pragma(`application_id = ${LEDGER_APPLICATION_ID}`)
  }).immediate()
}
