/**
 * A destination's identity for what the app remembers about it (delivery ledger, platform
 * layout): the server, the account and the folder. The name and the id a user gives it are
 * not part of it, so renaming a destination, or the CLI naming the same server by flags,
 * finds the same records.
 */
import { createHash } from 'node:crypto'
import path from 'node:path'

export interface DestinationAddress {
  host: string
  port: number
  username: string
  remoteDir: string
}

/** 16 hex digits, stable for the same host (any case), port, user and folder. */
export function destinationKey(d: DestinationAddress): string {
  const folder = d.remoteDir.replace(/\/+$/, '').replace(/^\.\/?/, '')
  const identity = JSON.stringify([d.host.trim().toLowerCase(), d.port, d.username, folder])
  return createHash('sha256').update(identity).digest('hex').slice(0, 16)
}

/** The folder holding one destination's records inside the app home. */
export function destinationDataDir(home: string, d: DestinationAddress): string {
  return path.join(home, 'destinations', destinationKey(d))
}
