/**
 * The team ledger's tables in PostgreSQL, created and migrated by the app. One database may
 * serve many destinations (rows carry the destination key, destination-key.ts) and several
 * teams' computers at once: migrations run under a transaction-scoped advisory lock, so two
 * computers starting together do not both create the tables.
 */
import type { PoolClient } from 'pg'

/** Advisory lock key for migrations: "BUDL" (bulk-upload delivery ledger), as the SQLite file's id. */
const MIGRATION_LOCK = 0x4255444c

/**
 * Migrations in order: entry i takes the schema from version i to i + 1. Never edit a shipped
 * entry; append one. Conversations are a row each, numbered within their delivery (`seq`) so
 * a delivery reads back in the order its CSV had; a delivery's rows go with it (cascade).
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE bulk_upload_delivery (
     id BIGSERIAL PRIMARY KEY,
     destination TEXT NOT NULL,
     csv_name TEXT NOT NULL,
     batch_id TEXT NOT NULL,
     rows INTEGER NOT NULL,
     bytes BIGINT NOT NULL,
     delivered_at TEXT NOT NULL,
     delivered_ms BIGINT NOT NULL,
     source_csv TEXT NOT NULL,
     report_csv TEXT,
     report_json TEXT,
     UNIQUE (destination, csv_name)
   );
   CREATE INDEX bulk_upload_delivery_by_time ON bulk_upload_delivery (destination, delivered_ms);
   CREATE TABLE bulk_upload_conversation (
     delivery_id BIGINT NOT NULL REFERENCES bulk_upload_delivery (id) ON DELETE CASCADE,
     seq INTEGER NOT NULL,
     reference TEXT NOT NULL,
     recording TEXT,
     size BIGINT,
     sha256 BYTEA,
     PRIMARY KEY (delivery_id, seq)
   );`,
]

/** The schema version this build writes. */
export const TEAM_SCHEMA_VERSION = MIGRATIONS.length

/** Thrown (as a plain Error) when the database was migrated by a newer app. */
export class NewerTeamSchema extends Error {
  constructor(readonly version: number) {
    super(`The team ledger was written by a newer version of bulk-upload (schema ${version}; this version reads up to ${TEAM_SCHEMA_VERSION}). Update the app on this computer.`)
  }
}

/** Brings the database to the current schema. */
export async function migrateTeamLedger(client: PoolClient): Promise<void> {
  await client.query('BEGIN')
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await client.query('CREATE TABLE IF NOT EXISTS bulk_upload_schema (version INTEGER NOT NULL)')
    const row = await client.query<{ version: number }>('SELECT version FROM bulk_upload_schema')
    const version = row.rows[0]?.version ?? 0
    if (version > TEAM_SCHEMA_VERSION) throw new NewerTeamSchema(version)
    for (let v = version; v < TEAM_SCHEMA_VERSION; v++) await client.query(MIGRATIONS[v]!)
    if (row.rows.length === 0) await client.query('INSERT INTO bulk_upload_schema (version) VALUES ($1)', [TEAM_SCHEMA_VERSION])
    else if (version !== TEAM_SCHEMA_VERSION) await client.query('UPDATE bulk_upload_schema SET version = $1', [TEAM_SCHEMA_VERSION])
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  }
}
