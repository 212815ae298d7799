/**
 * A destination's delivery ledger as the upload uses it (DESIGN.md, "Exactly once in
 * company"): what was delivered (synchronous reads, fast enough for 1,000,000 rows), and the
 * destination's one commit point, under which a run re-checks its rows, sends its CSV and
 * records the delivery. Two stores sit behind it: the embedded SQLite file of this computer
 * (the default) and a team ledger in PostgreSQL shared by every computer sending to the account.
 */
import { lstatSync, mkdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { DeliveredBatch } from '../api'
import { waitForLock, type HeldLock, type WaitOptions } from '../file-lock'
import { destinationDataDir, destinationKey, type DestinationAddress } from './destination-key'
import { DeliveryLedger, type LedgerConversation } from './ledger'
import type { LedgerLocation } from './ledger-location'

export interface DestinationLedger {
  /** What was delivered, as of the last `refresh` (reads only; write through this interface). */
  readonly records: DeliveryLedger
  /** Where the ledger is, for messages: a file, or the database address without its password. */
  readonly where: string
  /** Brings `records` up to date with deliveries other computers recorded (team ledger). */
  refresh(): Promise<void>
  /**
   * Takes the destination's commit point: one run at a time, across processes and computers,
   * released by `release()` or by the holder's death. Refresh after taking it: what another
   * run delivered until then is known. Rejects with CANCELLED when `signal` aborts.
   */
  commitPoint(opts?: WaitOptions): Promise<HeldLock>
  /** Records one delivered CSV and its conversations (see DeliveryLedger.recordDelivery). */
  recordDelivery(delivery: DeliveredBatch, conversations: Iterable<LedgerConversation>): Promise<{ added: number }>
  /** Forgets deliveries older than the retention (see DeliveryLedger.purge). */
  purge(retentionDays: number, now?: number): Promise<{ conversations: number; deliveries: number }>
  close(): Promise<void>
}

/** The commit point's lock file in the destination's data folder (file-lock.ts). */
export const COMMIT_LOCK_FILE = 'commit.lock'

/**
 * The embedded ledger's commit point is two locks, always taken in this order: the one in the
 * destination's data folder (every run of this app home, whatever its temporary folder: a
 * systemd service with PrivateTmp has its own), then one per destination for this user on this
 * computer, in a private folder of the system's temporary folder, so that runs from different
 * app homes (a job with its own BULK_UPLOAD_HOME beside the desktop app) take turns too; they
 * then see each other's CSVs in the server's listing. The second is left out when that folder
 * is not this user's alone.
 */
export function commitLockFiles(home: string, dest: DestinationAddress): string[] {
  const shared = userLockDir()
  const own = path.join(destinationDataDir(home, dest), COMMIT_LOCK_FILE)
  return shared ? [own, path.join(shared, `${destinationKey(dest)}.commit.lock`)] : [own]
}

function userLockDir(): string | null {
  const uid = process.getuid?.()
  const dir = path.join(os.tmpdir(), `bulk-upload-locks-${uid ?? 'user'}`)
  try {
    mkdirSync(dir, { mode: 0o700 })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return null
  }
  try {
    const st = lstatSync(dir)
    // Another user's folder (made first, on a shared /tmp) could hold our lock for ever.
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (process.platform !== 'win32' && (st.mode & 0o077) !== 0)) return null
    return dir
  } catch {
    return null
  }
}

/** The embedded ledger: this computer's SQLite file, and a lock file beside it. */
export class LocalLedger implements DestinationLedger {
  readonly where: string

  private constructor(
    readonly records: DeliveryLedger,
    private readonly lockFiles: string[],
  ) {
    this.where = records.file
  }

  static async open(home: string, dest: DestinationAddress): Promise<LocalLedger> {
    return new LocalLedger(await DeliveryLedger.open(home, dest), commitLockFiles(home, dest))
  }

  /** Reads already see every process's deliveries (each read tops its index up). */
  async refresh(): Promise<void> {}

  async commitPoint(opts: WaitOptions = {}): Promise<HeldLock> {
    const held: HeldLock[] = []
    let told = false
    const onWait: WaitOptions['onWait'] = (holder) => {
      if (!told) opts.onWait?.(holder)
      told = true
    }
    try {
      for (const file of this.lockFiles) held.push(await waitForLock(file, { ...(opts.signal ? { signal: opts.signal } : {}), onWait }))
    } catch (err) {
      for (const lock of held.reverse()) lock.release()
      throw err
    }
    return { release: () => held.reverse().forEach((lock) => lock.release()) }
  }

  async recordDelivery(delivery: DeliveredBatch, conversations: Iterable<LedgerConversation>): Promise<{ added: number }> {
    return this.records.recordDelivery(delivery, conversations)
  }

  async purge(retentionDays: number, now?: number): Promise<{ conversations: number; deliveries: number }> {
    return this.records.purge(retentionDays, now)
  }

  async close(): Promise<void> {
    this.records.close()
  }
}

/**
 * Opens a destination's ledger where `location` says: the embedded one (null), or the team
 * ledger at a PostgreSQL address (loaded on demand: the embedded default never loads `pg`).
 */
export async function openDestinationLedger(home: string, dest: DestinationAddress, location: LedgerLocation): Promise<DestinationLedger> {
  if (location === null) return LocalLedger.open(home, dest)
  const { TeamLedger } = await import('./team-ledger')
  return TeamLedger.open(location, destinationKey(dest))
}
