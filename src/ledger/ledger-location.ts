/**
 * Where a destination's delivery ledger lives: the embedded SQLite file in the app home (the
 * default), or a team ledger in a PostgreSQL database that every computer sending to the same
 * account shares (`--ledger postgresql://…`, BULK_UPLOAD_LEDGER, Settings → Team ledger).
 */
import { AppError } from '../errors'

/** The environment variable a scheduled run or a whole team sets once. */
export const LEDGER_ENV = 'BULK_UPLOAD_LEDGER'

/** null: the embedded ledger. A string: a PostgreSQL connection address. */
export type LedgerLocation = string | null

/**
 * The location from a flag's value, else the environment, else the embedded ledger. An empty
 * value or `local` means the embedded ledger, so a job can override a team-wide variable.
 */
export function ledgerLocation(flag: string | undefined | null, env: NodeJS.ProcessEnv = process.env): LedgerLocation {
  const raw = (flag ?? env[LEDGER_ENV] ?? '').trim()
  if (raw === '' || raw === 'local') return null
  return checkLedgerAddress(raw)
}

/** Checks a team ledger address; throws TEAM_LEDGER_INVALID with what was wrong. */
export function checkLedgerAddress(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new AppError('TEAM_LEDGER_INVALID', `"${redactLedger(raw)}" is not an address.`)
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new AppError('TEAM_LEDGER_INVALID', `It starts with ${url.protocol.replace(/:$/, '')}://, not postgresql://.`)
  }
  if (url.hostname === '') throw new AppError('TEAM_LEDGER_INVALID', 'It names no database server (postgresql://HOST:5432/database).')
  return raw
}

/** True when the address carries a password (then visible to other users in the process list). */
export function ledgerHasPassword(location: string): boolean {
  try {
    return new URL(location).password !== ''
  } catch {
    return false
  }
}

/** The address without its password (what a saved job may keep). */
export function withoutPassword(location: string): string {
  try {
    const url = new URL(location)
    url.password = ''
    return url.toString()
  } catch {
    return location.replace(/:[^:@/]*@/, '@')
  }
}

/** The address for messages, logs and the screen: never its password. */
export function redactLedger(location: string): string {
  try {
    const url = new URL(location)
    if (url.password !== '') url.password = '****'
    return url.toString()
  } catch {
    return location.replace(/:[^:@/]*@/, ':****@')
  }
}
