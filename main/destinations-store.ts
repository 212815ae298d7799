/**
 * Saved SFTP destinations, as JSON in the app home. The built-in sandbox destination is not
 * stored: it is always listed first, so the app can be tried on the first run with no
 * credentials. Its port is the one the sandbox server got when it was last started.
 */
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Destination, DestinationInput } from '../src/api'
import { AppError } from '../src/errors'
import { readSavedDestinations, savedDestinationsFile } from '../src/saved-destinations'
import { readJson, writeJson } from './json-file'

export const SANDBOX_ID = 'sandbox'
export const SANDBOX_NAME = 'Sandbox (this computer)'

/** What the sandbox destination looks like before its server is started. */
export function sandboxDestination(state: { port: number; username: string; keyName: string }): Destination {
  return { id: SANDBOX_ID, name: SANDBOX_NAME, host: '127.0.0.1', port: state.port, username: state.username, keyName: state.keyName, remoteDir: '', sandbox: true }
}

interface StoredFile {
  version: 1
  destinations: Destination[]
}

function slug(name: string): string {
  const base = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40)
  return `${base || 'destination'}-${randomBytes(3).toString('hex')}`
}

export class DestinationsStore {
  readonly file: string

  constructor(private readonly home: string) {
    this.file = savedDestinationsFile(home)
  }

  /** The saved destinations (not the sandbox), in the order they were added. */
  list(): Promise<Destination[]> {
    return readSavedDestinations(this.home)
  }

  async get(id: string): Promise<Destination> {
    const found = (await this.list()).find((d) => d.id === id)
    if (!found) throw new AppError('NOT_FOUND', `No destination with id "${id}".`)
    return found
  }

  /** Adds (no id) or replaces (known id) a destination. */
  async save(input: DestinationInput): Promise<Destination> {
    if (input.id === SANDBOX_ID) throw new AppError('BAD_ARGUMENT', 'The sandbox destination is built in and cannot be changed.')
    const all = await this.list()
    const index = input.id === undefined ? -1 : all.findIndex((d) => d.id === input.id)
    if (input.id !== undefined && index < 0) throw new AppError('NOT_FOUND', `No destination with id "${input.id}".`)
    const clash = all.find((d) => d.name.toLowerCase() === input.name.toLowerCase() && d.id !== input.id)
    if (clash || input.name.toLowerCase() === SANDBOX_NAME.toLowerCase()) {
      throw new AppError('BAD_ARGUMENT', `A destination named "${input.name}" already exists; choose another name.`)
    }
    const destination: Destination = {
      id: input.id ?? slug(input.name),
      name: input.name,
      host: input.host,
      port: input.port,
      username: input.username,
      keyName: input.keyName,
      remoteDir: input.remoteDir,
      sandbox: false,
    }
    if (index >= 0) all[index] = destination
    else all.push(destination)
    await writeJson(this.file, { version: 1, destinations: all } satisfies StoredFile)
    return destination
  }

  /** Remembers the destination an upload started to (the sandbox too), for the next batch. */
  async markUsed(id: string): Promise<void> {
    await writeJson(this.lastFile(), { version: 1, id })
  }

  /** The destination the last upload started to, if any. */
  async lastUsedId(): Promise<string | null> {
    const saved = (await readJson(this.lastFile())) as { id?: unknown } | undefined
    return saved && typeof saved === 'object' && typeof saved.id === 'string' ? saved.id : null
  }

  private lastFile(): string {
    return path.join(this.home, 'last-destination.json')
  }

  async remove(id: string): Promise<void> {
    if (id === SANDBOX_ID) throw new AppError('BAD_ARGUMENT', 'The sandbox destination is built in and cannot be removed.')
    const all = await this.list()
    const kept = all.filter((d) => d.id !== id)
    if (kept.length === all.length) throw new AppError('NOT_FOUND', `No destination with id "${id}".`)
    await writeJson(this.file, { version: 1, destinations: kept } satisfies StoredFile)
  }
}
