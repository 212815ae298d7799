/**
 * The team ledger (issue 27): one destination's deliveries in a PostgreSQL database shared by
 * every computer that sends to the account, so a conversation delivered from one computer is
 * never sent again from another, even after the platform took the CSV off the server.
 *
 * Reads stay synchronous: the deliveries are copied into an in-memory ledger (the same code
 * and index as the embedded one) when opened, and topped up by `refresh`. The commit point is
 * a session advisory lock on the destination's key, held on a connection of its own: the
 * server drops it when that connection ends, so a killed process never leaves it held.
 */
import pg from 'pg'
import type { DeliveredBatch } from '../api'
import { AppError } from '../errors'
import { sleep } from '../abortable-sleep'
import type { HeldLock, WaitOptions } from '../file-lock'
import type { DestinationLedger } from './destination-ledger'
import { DeliveryLedger, type LedgerConversation } from './ledger'
import { checkDelivery, checkSize } from './ledger-sql'
import { redactLedger } from './ledger-location'
import { migrateTeamLedger, NewerTeamSchema } from './team-schema'

/** Rows sent per INSERT: one round trip carries thousands of conversations. */
const INSERT_CHUNK = 5_000
/** How often a run waiting for the commit point asks again. */
const POLL_MS = 200
/** A database that does not answer within this is unreachable (the upload has not started). */
const CONNECT_TIMEOUT_MS = 15_000

type DeliveryRow = [id: string, csvName: string, batchId: string, rows: number, bytes: string, deliveredAt: string, sourceCsv: string, reportCsv: string | null, reportJson: string | null]

export class TeamLedger implements DestinationLedger {
  readonly where: string
  /** The newest delivery id copied into `records`. */
  private syncedId = 0

  private constructor(
    private readonly pool: pg.Pool,
    private readonly destination: string,
    readonly records: DeliveryLedger,
    location: string,
  ) {
    this.where = redactLedger(location)
  }

  /** Connects, creates or migrates the tables, and copies this destination's deliveries. */
  static async open(location: string, destination: string): Promise<TeamLedger> {
    const pool = new pg.Pool({ connectionString: location, max: 4, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, idleTimeoutMillis: 10_000, application_name: 'bulk-upload' })
    // An idle connection that breaks emits on the pool; the next query reports it instead.
    pool.on('error', () => undefined)
    const ledger = new TeamLedger(pool, destination, DeliveryLedger.openMemory(`team ledger ${redactLedger(location)}`), location)
    try {
      await ledger.use(async (client) => migrateTeamLedger(client))
      await ledger.refresh()
      return ledger
    } catch (err) {
      await ledger.close()
      throw err
    }
  }

  async refresh(): Promise<void> {
    await this.pull()
  }

  async commitPoint(opts: WaitOptions = {}): Promise<HeldLock> {
    const [high, low] = lockKey(this.destination)
    const client = await this.connect()
    let told = false
    try {
      for (;;) {
        if (opts.signal?.aborted) throw new AppError('CANCELLED', 'while waiting for another upload to this destination')
        const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [high, low])
        if (got.rows[0]?.ok) break
        if (!told) {
          told = true
          opts.onWait?.(null)
        }
        await sleep(POLL_MS, opts.signal)
      }
    } catch (err) {
      client.release(true)
      throw this.unreachable(err)
    }
    let held = true
    return {
      release() {
        if (!held) return
        held = false
        // Ending the session releases its advisory locks, whatever state the connection is in.
        client.release(true)
      },
    }
  }

  async recordDelivery(delivery: DeliveredBatch, conversations: Iterable<LedgerConversation>): Promise<{ added: number }> {
    const deliveredMs = checkDelivery(delivery)
    const list = [...conversations]
    for (const c of list) checkSize(c.size)
    const d = delivery
    const { id, inserted } = await this.use(async (client) => {
      await client.query('BEGIN')
      try {
        const row = await client.query<{ id: string; inserted: boolean }>(
          `INSERT INTO bulk_upload_delivery (destination, csv_name, batch_id, rows, bytes, delivered_at, delivered_ms, source_csv, report_csv, report_json)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (destination, csv_name) DO UPDATE SET rows = EXCLUDED.rows, bytes = EXCLUDED.bytes, report_csv = EXCLUDED.report_csv, report_json = EXCLUDED.report_json
           RETURNING id, (xmax = 0) AS inserted`,
          [this.destination, d.csvName, d.batchId, d.rows, d.bytes, d.deliveredAt, deliveredMs, d.sourceCsv, d.reportCsv, d.reportJson],
        )
        const { id, inserted } = row.rows[0]!
        // The same CSV again (a retry after a crash): its rows are written afresh, not twice.
        if (!inserted) await client.query('DELETE FROM bulk_upload_conversation WHERE delivery_id = $1', [id])
        for (let at = 0; at < list.length; at += INSERT_CHUNK) {
          const chunk = list.slice(at, at + INSERT_CHUNK)
          await client.query(
            `INSERT INTO bulk_upload_conversation (delivery_id, seq, reference, recording, size, sha256)
             SELECT $1, t.seq, t.reference, t.recording, t.size, decode(t.sha256, 'hex')
             FROM unnest($2::int[], $3::text[], $4::text[], $5::bigint[], $6::text[]) AS t (seq, reference, recording, size, sha256)`,
            [id, chunk.map((_, i) => at + i), chunk.map((c) => c.reference), chunk.map((c) => c.recording), chunk.map((c) => c.size), chunk.map((c) => c.sha256)],
          )
        }
        await client.query('COMMIT')
        return { id: Number(id), inserted }
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw err
      }
    })
    // A new delivery is copied with whatever others recorded before it; a rewritten one, in place.
    if (inserted && id > this.syncedId) return { added: (await this.pull()).get(id) ?? 0 }
    return this.records.recordDelivery(delivery, list)
  }

  async purge(retentionDays: number, now: number = Date.now()): Promise<{ conversations: number; deliveries: number }> {
    const local = this.records.purge(retentionDays, now)
    const cutoff = now - retentionDays * 86_400_000
    const gone = await this.use((client) =>
      client.query<{ deliveries: string; conversations: string }>(
        `WITH gone AS (DELETE FROM bulk_upload_delivery WHERE destination = $1 AND delivered_ms < $2 RETURNING id)
         SELECT (SELECT count(*) FROM gone) AS deliveries, (SELECT count(*) FROM bulk_upload_conversation WHERE delivery_id IN (SELECT id FROM gone)) AS conversations`,
        [this.destination, cutoff],
      ),
    )
    const row = gone.rows[0]
    return row ? { deliveries: Number(row.deliveries), conversations: Number(row.conversations) } : local
  }

  async close(): Promise<void> {
    this.records.close()
    await this.pool.end().catch(() => undefined)
  }

  /**
   * Copies deliveries recorded since the last pull (by any computer) into `records`, oldest
   * first, so a reference keeps its first delivery. Returns how many references each added.
   */
  private async pull(): Promise<Map<number, number>> {
    const added = new Map<number, number>()
    await this.use(async (client) => {
      const deliveries = await client.query<DeliveryRow>({
        text: `SELECT id, csv_name, batch_id, rows, bytes, delivered_at, source_csv, report_csv, report_json
               FROM bulk_upload_delivery WHERE destination = $1 AND id > $2 ORDER BY id`,
        values: [this.destination, this.syncedId],
        rowMode: 'array',
      })
      for (const [id, csvName, batchId, rows, bytes, deliveredAt, sourceCsv, reportCsv, reportJson] of deliveries.rows) {
        const conversations = await client.query<[string, string | null, string | null, string | null]>({
          text: `SELECT reference, recording, size, encode(sha256, 'hex') FROM bulk_upload_conversation WHERE delivery_id = $1 ORDER BY seq`,
          values: [id],
          rowMode: 'array',
        })
        const delivery: DeliveredBatch = { csvName, batchId, rows, bytes: Number(bytes), deliveredAt, sourceCsv, reportCsv, reportJson }
        const result = this.records.recordDelivery(
          delivery,
          conversations.rows.map(([reference, recording, size, sha256]) => ({ reference, recording, size: size === null ? null : Number(size), sha256 })),
        )
        added.set(Number(id), result.added)
        this.syncedId = Number(id)
      }
    })
    return added
  }

  /** Runs `fn` on a pooled connection; connection and login failures become TEAM_LEDGER_UNREACHABLE. */
  private async use<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect()
    try {
      return await fn(client)
    } catch (err) {
      throw this.unreachable(err)
    } finally {
      client.release()
    }
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect()
    } catch (err) {
      throw this.unreachable(err)
    }
  }

  private unreachable(err: unknown): AppError {
    if (err instanceof AppError) return err
    if (err instanceof NewerTeamSchema) return new AppError('NOT_READABLE', err.message, { cause: err, message: err.message })
    const text = err instanceof Error ? err.message : String(err)
    return new AppError('TEAM_LEDGER_UNREACHABLE', `${this.where}: ${text}`, { cause: err })
  }
}

/** Two signed 32-bit halves of the destination key (16 hex digits): the advisory lock's key. */
function lockKey(destination: string): [number, number] {
  return [parseInt(destination.slice(0, 8), 16) | 0, parseInt(destination.slice(8, 16), 16) | 0]
}
