/**
 * A lock that the operating system releases when its process dies (DESIGN.md, "Exactly once
 * in company": no PID files). It is SQLite's own write lock on a small file: POSIX advisory
 * locks on Unix, LockFileEx on Windows, both dropped by the kernel with the process, and
 * SQLite tracks them per file so two handles in one process exclude each other too. A PID
 * file, by contrast, is believed for as long as any process has that number (after a reboot,
 * any daemon), and blocked every run.
 *
 * The holder's process id and the time it took the lock are written beside it, for messages
 * only ("process 1234 has held it since 10:02"); the lock itself never trusts them.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { sleep } from './abortable-sleep'
import { AppError } from './errors'

/** Who holds a lock, as far as the holder said (for messages). */
export interface LockHolder {
  pid: number
  since: string
}

/** A held lock. `release` is idempotent; the process's death releases it too. */
export interface HeldLock {
  release(): void
}

/** How often a waiting run asks again: a commit takes seconds, so a tenth of that is enough. */
const POLL_MS = 200

/**
 * Takes the lock on `file` if no one holds it; returns null (and who holds it, when known)
 * if someone does. The file (empty: SQLite locks it all the same) and its folder are created
 * owner-only; the holder's note is `<file>.holder`.
 */
export function tryLock(file: string): { lock: HeldLock } | { lock: null; holder: LockHolder | null } {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  closeSync(openSync(file, 'a', 0o600))
  // timeout 0: a held lock answers SQLITE_BUSY at once; waiting is done by the caller without
  // blocking the event loop (better-sqlite3's busy wait would freeze the app's window).
  const db = new Database(file, { timeout: 0 })
  try {
    // A write transaction that never writes: SQLite's RESERVED lock, one holder at a time.
    db.exec('BEGIN IMMEDIATE')
  } catch (err) {
    db.close()
    if (isBusy(err)) return { lock: null, holder: readHolder(file) }
    throw err
  }
  writeHolder(file)
  let held = true
  return {
    lock: {
      release() {
        if (!held) return
        held = false
        try {
          db.exec('ROLLBACK')
        } finally {
          db.close()
        }
      },
    },
  }
}

export interface WaitOptions {
  signal?: AbortSignal
  /** Called once, when the lock is found held, with its holder when known. */
  onWait?: (holder: LockHolder | null) => void
}

/** Takes the lock on `file`, waiting while another holds it; rejects with CANCELLED on abort. */
export async function waitForLock(file: string, opts: WaitOptions = {}): Promise<HeldLock> {
  let told = false
  for (;;) {
    if (opts.signal?.aborted) throw new AppError('CANCELLED', 'while waiting for another upload to this destination')
    const got = tryLock(file)
    if (got.lock) return got.lock
    if (!told) {
      told = true
      opts.onWait?.(got.holder)
    }
    await sleep(POLL_MS, opts.signal)
  }
}

function writeHolder(file: string): void {
  try {
    writeFileSync(`${file}.holder`, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }), { mode: 0o600 })
  } catch {
    // only a message's detail is lost
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const note = JSON.parse(readFileSync(`${file}.holder`, 'utf8')) as Partial<LockHolder>
    return typeof note.pid === 'number' && typeof note.since === 'string' ? { pid: note.pid, since: note.since } : null
  } catch {
    return null
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED'
}
