/**
 * The mapping used for each CSV structure, remembered in the app home: the platform fixes a
 * CSV's structure at its first import, so the next export with the very same header (same
 * columns, same order) gets the same mapping without the user redoing it or loading a file.
 */
import path from 'node:path'
import type { MappingProfile, RememberedMapping } from '../src/api'
import { parseMappingProfile } from '../src/batch'
import { readJson, writeJson } from './json-file'
import { log } from './log'

/** Structures remembered; the oldest is forgotten first. */
const KEEP = 50

interface Entry extends Omit<RememberedMapping, 'kind'> {
  headers: string[]
}

const sameHeaders = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((h, i) => h === b[i])

export class MappingMemory {
  private readonly file: string

  constructor(home: string) {
    this.file = path.join(home, 'mappings.json')
  }

  private async entries(): Promise<Entry[]> {
    try {
      const raw = await readJson(this.file)
      if (!Array.isArray(raw)) return []
      // A damaged or hand-edited entry is skipped: it only costs the user mapping once more.
      return raw.flatMap((e: Partial<Entry>) => {
        try {
          if (!Array.isArray(e.headers) || typeof e.from !== 'string' || typeof e.usedAt !== 'string') return []
          return [{ headers: e.headers.map(String), from: e.from, usedAt: e.usedAt, profile: parseMappingProfile(e.profile) }]
        } catch {
          return []
        }
      })
    } catch (err) {
      log('warn', 'the remembered mappings could not be read', err)
      return []
    }
  }

  /** The mapping last used for a CSV with exactly these headers, if any. */
  async recall(headers: readonly string[]): Promise<RememberedMapping | null> {
    const found = (await this.entries()).find((e) => sameHeaders(e.headers, headers))
    return found ? { profile: found.profile, kind: 'csv', from: found.from, usedAt: found.usedAt } : null
  }

  /** Remembers the mapping a batch was checked with, for the next CSV of the same structure. */
  async remember(headers: readonly string[], profile: MappingProfile, csvPath: string, now = new Date()): Promise<void> {
    const entry: Entry = { headers: [...headers], profile, from: path.basename(csvPath), usedAt: now.toISOString() }
    const rest = (await this.entries()).filter((e) => !sameHeaders(e.headers, headers))
    await writeJson(this.file, [entry, ...rest].slice(0, KEEP))
  }
}
