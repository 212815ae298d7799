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
 * - `conversation` is the record of what went: a plain rowid table written in order (no index
 *   on the reference, whose random order made every insert a random page write), so
 *   recording 1,000,000 conversations appends. Its delivery_id index serves purge. The hashes
 *   can be rebuilt from it if the hash ever has to change.
 * - `recording` holds the last delivered size and sha256 of each remote name (the skip
 *   decision asks about names, not conversations); a conversation's size and hash are its
 *   recording's.
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
     report_json TEXT
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
     recording TEXT
   );
   CREATE INDEX conversation_by_delivery ON conversation (delivery_id);
   CREATE TABLE recording (
     name TEXT NOT NULL PRIMARY KEY,
     size INTEGER,
     sha256 BLOB,
     delivery_id INTEGER NOT NULL
   ) WITHOUT ROWID;`,
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
