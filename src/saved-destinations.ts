/**
 * The destinations the app saved, as `destinations.json` in the app home holds them: read by
 * the desktop's store (main/destinations-store.ts, which also writes the file) and by the CLI's
 * `--destination NAME`. One reader, so both agree on the file's name and what a damaged one is.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Destination } from './api'
import { AppError } from './errors'

export function savedDestinationsFile(home: string): string {
  return path.join(home, 'destinations.json')
}

/** The saved destinations (not the sandbox), in the order they were added; none before the first. */
export async function readSavedDestinations(home: string): Promise<Destination[]> {
  const file = savedDestinationsFile(home)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new AppError('INTERNAL', `The destinations file ${file} cannot be read (${(err as Error).message}).`, { cause: err })
  }
  let saved: unknown
  try {
    saved = JSON.parse(text)
  } catch {
    saved = undefined
  }
  const list = (saved as { destinations?: unknown } | undefined)?.destinations
  if (!Array.isArray(list) || !list.every(isDestination)) {
    throw new AppError('INTERNAL', `The destinations file ${file} is damaged; move it away and add the destinations again.`)
  }
  return list.map((d) => ({ ...d, remoteDir: d.remoteDir ?? '', sandbox: false }))
}

function isDestination(d: unknown): d is Destination {
  const o = d as Record<string, unknown> | null
  return typeof o === 'object' && o !== null && typeof o.id === 'string' && typeof o.name === 'string' && typeof o.host === 'string' && typeof o.port === 'number' && typeof o.username === 'string'
}
