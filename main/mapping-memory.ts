/**
 * The mapping used for each CSV structure, remembered in the app home: the platform fixes a
 * CSV's structure at its first import, so the next export with the same header (same columns,
 * in the same order or another) gets the same mapping, date conversion included, without the
 * user redoing it or loading a file.
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

/** The same columns, whatever their order: a mapping names columns, so it fits them as well. */
const sameColumns = (a: readonly string[], b: readonly string[]): boolean => {
  if (a.length !== b.length) return false
  const sorted = (list: readonly string[]) => [...list].sort()
  const x = sorted(a)
  const y = sorted(b)
  return x.every((h, i) => h === y[i])
}

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

  /**
   * The mapping last used for a CSV with exactly these headers, else for one with the same
   * columns in another order (an export whose columns were reordered), if any. The whole
   * mapping comes back, its date format and time zone included: matched through the platform
   * layout instead, which knows only the columns, the export lost them.
   */
  async recall(headers: readonly string[]): Promise<RememberedMapping | null> {
    const entries = await this.entries()
    const found = entries.find((e) => sameHeaders(e.headers, headers)) ?? entries.find((e) => sameColumns(e.headers, headers))
    return found ? { profile: found.profile, kind: 'csv', from: found.from, usedAt: found.usedAt } : null
  }

  /**
   * The date conversion last used for a Contact Date column of this name (format and zone,
   * when there was one), for a mapping found another way (a destination's platform layout,
   * which knows only column names) to keep the user's choice.
   */
  async dateConversion(contactDateColumn: string): Promise<Pick<MappingProfile, 'dateFormat' | 'timezone'> | null> {
    const key = contactDateColumn.trim().toLowerCase()
    const found = (await this.entries()).find((e) => e.profile.contactDate.trim().toLowerCase() === key && (e.profile.dateFormat || e.profile.timezone))
    if (!found) return null
    const { dateFormat, timezone } = found.profile
    return { ...(dateFormat ? { dateFormat } : {}), ...(timezone ? { timezone } : {}) }
  }

  /** Remembers the mapping a batch was checked with, for the next CSV of the same structure. */
  async remember(headers: readonly string[], profile: MappingProfile, csvPath: string, now = new Date()): Promise<void> {
    const entry: Entry = { headers: [...headers], profile, from: path.basename(csvPath), usedAt: now.toISOString() }
    const rest = (await this.entries()).filter((e) => !sameHeaders(e.headers, headers))
    await writeJson(this.file, [entry, ...rest].slice(0, KEEP))
  }
}
