/**
 * The delivery ledger's prepared statements, row shapes and argument checks: the SQL side of
 * ledger.ts, kept apart so the class reads as what it does.
 */
import type Database from 'better-sqlite3'
import type { DeliveredBatch } from '../api'
import { badArgument } from './ledger-errors'
import type { PriorDelivery } from './ledger'

export type DeliveryRow = [csvName: string, batchId: string, rows: number, bytes: number, deliveredAt: string, sourceCsv: string, reportCsv: string | null, reportJson: string | null]
const DELIVERY_COLUMNS = 'csv_name, batch_id, rows, bytes, delivered_at, source_csv, report_csv, report_json'

export type Statements = ReturnType<typeof prepareStatements>

export function prepareStatements(db: Database.Database) {
  return {
    // What a handle's reference index has loaded: deliveries up to an id, and how many hashes.
    refsUpTo: db.prepare<[number], [number, number]>('SELECT count(*), total(count) FROM delivery_refs WHERE delivery_id <= ?').raw(),
    refsAfter: db.prepare<[number], [number, number, Buffer]>('SELECT delivery_id, count, hashes FROM delivery_refs WHERE delivery_id > ? ORDER BY delivery_id').raw(),
    refsTotal: db.prepare<[], number>('SELECT total(count) FROM delivery_refs').pluck(),
    refsOf: db.prepare<[number], Buffer>('SELECT hashes FROM delivery_refs WHERE delivery_id = ?').pluck(),
    saveRefs: db.prepare('INSERT OR REPLACE INTO delivery_refs (delivery_id, count, hashes) VALUES (?, ?, ?)'),
    prior: db.prepare<[number], PriorDelivery>('SELECT csv_name AS csvName, batch_id AS batchId, delivered_at AS deliveredAt FROM delivery WHERE id = ?'),
    insertDelivery: db.prepare(`INSERT OR IGNORE INTO delivery (${DELIVERY_COLUMNS}, delivered_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    deliveryId: db.prepare<[string], number>('SELECT id FROM delivery WHERE csv_name = ?').pluck(),
    insertConversation: db.prepare('INSERT INTO conversation (reference, delivery_id, recording, size, sha256, recording_key) VALUES (?, ?, ?, ?, ?, ?)'),
    rowRange: db.prepare<[number], [number | null, number | null]>('SELECT first_row, last_row FROM delivery WHERE id = ?').raw(),
    setRowRange: db.prepare('UPDATE delivery SET first_row = ?, last_row = ? WHERE id = ?'),
    deleteRows: db.prepare('DELETE FROM conversation WHERE rowid BETWEEN ? AND ?'),
    byCsv: db.prepare<[string], DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM delivery WHERE csv_name = ?`).raw(),
    byBatch: db.prepare<[string], DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM delivery WHERE batch_id = ? ORDER BY delivered_ms, id`).raw(),
    batchInRange: db.prepare<[string, string], number>('SELECT 1 FROM delivery WHERE batch_id >= ? AND batch_id < ? LIMIT 1').pluck(),
    history: db.prepare<[number], DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM delivery ORDER BY delivered_ms DESC, id DESC LIMIT ?`).raw(),
    // The newest delivery of a name wins (by delivery id: a retry of an older CSV does not).
    recording: db.prepare<[number, string], [number | null, Buffer | null, string]>(`SELECT c.size, c.sha256, d.csv_name FROM conversation c JOIN delivery d ON d.id = c.delivery_id
      WHERE c.recording_key = ? AND c.recording = ? ORDER BY c.delivery_id DESC, c.rowid DESC LIMIT 1`).raw(),
  }
}

export function toDelivered(row: DeliveryRow): DeliveredBatch {
  const [csvName, batchId, rows, bytes, deliveredAt, sourceCsv, reportCsv, reportJson] = row
  return { batchId, csvName, rows, bytes, deliveredAt, sourceCsv, reportCsv, reportJson }
}

/** Checks a delivery's fields; returns its time in ms (the order and retention key). */
export function checkDelivery(d: DeliveredBatch): number {
  for (const key of ['batchId', 'csvName', 'sourceCsv'] as const) {
    if (typeof d[key] !== 'string' || d[key] === '') throw badArgument(key, 'a non-empty string', d[key])
  }
  for (const key of ['rows', 'bytes'] as const) {
    if (!(Number.isSafeInteger(d[key]) && d[key] >= 0)) throw badArgument(key, 'an integer from 0 and up', d[key])
  }
  const ms = Date.parse(d.deliveredAt)
  if (Number.isNaN(ms)) throw badArgument('deliveredAt', 'an ISO 8601 date-time', d.deliveredAt)
  return ms
}

export function checkSize(size: number | null): number | null {
  if (size !== null && !(Number.isSafeInteger(size) && size >= 0)) throw badArgument('size', 'an integer from 0 and up, or null', size)
  return size
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/
/** Reused for every row: better-sqlite3 copies a bound blob, so 1,000,000 rows allocate none. */
const sha256Scratch = Buffer.alloc(32)

/**
 * Hashes are stored as 32 bytes, not 64 hex characters: half the space. The buffer returned is
 * only valid until the next call: bind it at once.
 */
export function sha256Bytes(hex: string | null): Buffer | null {
  if (hex === null) return null
  if (!SHA256_HEX.test(hex)) throw badArgument('sha256', '64 hexadecimal digits, or null', hex)
  sha256Scratch.write(hex, 'hex')
  return sha256Scratch
}
