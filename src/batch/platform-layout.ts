/**
 * A destination's platform layout (DESIGN.md, "The uploaded CSV is written by the app"): the
 * header the platform's mapping was set up with. The platform reads later CSVs by that
 * mapping, so every uploaded CSV is written in it, whatever the source calls or orders its
 * columns. Pure functions only: the store (ledger/layout-store.ts) does the I/O.
 *
 * How source columns meet layout columns:
 * - a layout column holding one of the four fields reads the source column the mapping names
 *   for that field, whatever its name (renamed silently, never a difference);
 * - an extra layout column reads the source column of the same name (exact after trimming
 *   spaces, else equal letters and digits, so "Wrap-code" meets "Wrap code"); a source
 *   column is read by at most one extra column, so duplicate names pair up in order;
 * - source columns without a name are ignored: the platform cannot map a nameless column.
 */
import { FIELD_LABELS, MAPPED_FIELDS, REQUIRED_FIELDS, type LayoutColumn, type MappedField, type MappingProfile, type PlatformLayout } from '../api'
import { AppError } from '../errors'
import { findColumn, normalizeHeader } from './mapping'
import { csvRecord, UPLOAD_CSV_EOL } from './upload-csv-writer'

/**
 * How a source differs from a layout, in ways that lose or lack data. Renamed and reordered
 * columns are not differences: they are written in the layout's names and order. Nor is a
 * layout's audio column the source does not map: the writer fills it with the remote name.
 */
export interface LayoutDifference {
  /** Named source columns no layout column reads (left out when the layout is kept), source order. */
  added: string[]
  /** The layout's extra columns the source lacks (sent empty when the layout is kept), layout order. */
  missing: string[]
}

/** The projection of source rows onto a layout, prepared once per CSV. */
export interface LayoutProjection {
  /** The written CSV's header: the layout's names, in the layout's order. */
  header: string[]
  /** One source row as the layout's columns (a new array; short rows read as empty cells). */
  project(sourceFields: string[]): string[]
  /**
   * Where each field sits in a projected row, or null when the layout has no such column.
   * Set for the audio column even when the source maps none: the writer puts the recording's
   * remote name there, and the converted date in the date column.
   */
  fieldIndex: Record<MappedField, number | null>
}

const isNamed = (h: string): boolean => h.trim() !== ''

/** The source column each mapped field reads, or an error naming a mapped column not in the header. */
function fieldColumns(headers: string[], mapping: MappingProfile): Record<MappedField, number | null> {
  const out: Record<MappedField, number | null> = { contactReference: null, agentId: null, contactDate: null, audioFilename: null }
  for (const f of MAPPED_FIELDS) {
    const col = mapping[f]
    if (typeof col !== 'string' || col.trim() === '') continue
    const at = findColumn(headers, col)
    if (at < 0) throw new AppError('COLUMN_MISSING', `The column "${col}" mapped to ${FIELD_LABELS[f]} is not in the CSV's header (${headers.map((h) => `"${h}"`).join(', ')}).`)
    out[f] = at
  }
  return out
}

/**
 * For each extra layout column, the source column of the same name, or -1. Exact (trimmed)
 * names pair up first, then names equal in letters and digits; each source column once.
 */
function matchExtras(layout: PlatformLayout, headers: string[]): number[] {
  const taken = new Uint8Array(headers.length)
  const match = layout.columns.map(() => -1)
  const passes: Array<(h: string) => string> = [(h) => h.trim(), normalizeHeader]
  for (const key of passes) {
    layout.columns.forEach((c, i) => {
      if (c.field !== null || match[i]! >= 0) return
      const want = key(c.name)
      if (want === '') return
      const at = headers.findIndex((h, j) => taken[j] === 0 && key(h) === want)
      if (at >= 0) {
        taken[at] = 1
        match[i] = at
      }
    })
  }
  return match
}

/** For each layout column, the source column it reads (-1: none). */
function sourceIndexes(layout: PlatformLayout, headers: string[], mapping: MappingProfile): { index: number[]; fields: Record<MappedField, number | null> } {
  const fields = fieldColumns(headers, mapping)
  const extras = matchExtras(layout, headers)
  const index = layout.columns.map((c, i) => (c.field === null ? extras[i]! : (fields[c.field] ?? -1)))
  return { index, fields }
}

/**
 * The layout a source would set up: its named columns in the source's order, each mapped
 * column tagged with its field (the audio column only when mapped). When two fields are mapped
 * to one column, the second gets a column of its own named after the field (e.g. "Audio
 * filename"), because the writer replaces the audio value and must not overwrite the other.
 * Throws COLUMN_MISSING when a mapped column is not in `headers`.
 */
export function layoutFromSource(headers: string[], mapping: MappingProfile, now: Date = new Date()): PlatformLayout {
  const fields = fieldColumns(headers, mapping)
  const columns: LayoutColumn[] = []
  const names = new Set(headers.map((h) => h.trim()))
  headers.forEach((name, j) => {
    const here = MAPPED_FIELDS.filter((f) => fields[f] === j)
    if (here.length === 0) {
      if (isNamed(name)) columns.push({ name, field: null })
      return
    }
    columns.push({ name, field: here[0]! })
    for (const f of here.slice(1)) {
      let own = FIELD_LABELS[f]
      for (let n = 2; names.has(own); n++) own = `${FIELD_LABELS[f]} ${n}`
      names.add(own)
      columns.push({ name: own, field: f })
    }
  })
  return { columns, recordedAt: now.toISOString() }
}

/**
 * Whether a source can be written in `layout` with nothing lost or missing: null when it can
 * (columns renamed or reordered are fine), otherwise the columns that differ. A LAYOUT_CHANGED
 * warning names them (see layoutChangedDetail); the user keeps the layout or adopts the source's.
 * Throws COLUMN_MISSING when a mapped column is not in `headers`.
 */
export function compareLayout(layout: PlatformLayout, headers: string[], mapping: MappingProfile): LayoutDifference | null {
  const { index } = sourceIndexes(layout, headers, mapping)
  const read = new Set(index)
  const added = headers.filter((h, j) => isNamed(h) && !read.has(j))
  const missing = layout.columns.filter((c, i) => c.field === null && index[i]! < 0).map((c) => c.name)
  return added.length === 0 && missing.length === 0 ? null : { added, missing }
}

/**
 * The sentence part LAYOUT_CHANGED's message names the columns with (its `detail` fact), e.g.
 * `new columns "Queue", "Wrap code"; missing "Direction"`.
 */
export function layoutChangedDetail(diff: LayoutDifference): string {
  const names = (xs: string[]): string => xs.map((x) => `"${x}"`).join(', ')
  const parts: string[] = []
  if (diff.added.length > 0) parts.push(`${diff.added.length === 1 ? 'new column' : 'new columns'} ${names(diff.added)}`)
  if (diff.missing.length > 0) parts.push(`missing ${names(diff.missing)}`)
  return parts.join('; ')
}

/**
 * Prepares writing source rows in `layout`: the header, a per-row projection and where the
 * fields land. The source column of each layout column is found once here; `project` then
 * only copies cells (one array per row, nothing else allocated), for a million rows.
 * Layout extra columns the source lacks are empty; source columns the layout lacks are dropped.
 * Throws COLUMN_MISSING when a mapped column is not in `headers`.
 */
export function layoutProjection(layout: PlatformLayout, headers: string[], mapping: MappingProfile): LayoutProjection {
  const { index } = sourceIndexes(layout, headers, mapping)
  const from = Int32Array.from(index)
  const width = from.length
  const fieldIndex: Record<MappedField, number | null> = { contactReference: null, agentId: null, contactDate: null, audioFilename: null }
  layout.columns.forEach((c, i) => {
    if (c.field !== null && fieldIndex[c.field] === null) fieldIndex[c.field] = i
  })
  // A plain function, not an arrow made per call: it runs once per row.
  function project(sourceFields: string[]): string[] {
    const out = new Array<string>(width)
    const have = sourceFields.length
    for (let i = 0; i < width; i++) {
      const j = from[i]!
      out[i] = j >= 0 && j < have ? sourceFields[j]! : ''
    }
    return out
  }
  return { header: layout.columns.map((c) => c.name), project, fieldIndex }
}

/**
 * The mapping a CSV gets from a destination's platform layout, when the CSV names its columns
 * as the layout does: each field of the layout maps to the source column of the same name
 * (exact after trimming, else equal letters and digits, as extra columns meet). Null unless
 * every required field is found and the source has no named column the layout lacks: a CSV
 * that only shares some names is mapped by hand (or by a saved mapping), never by a guess.
 * Dates are not in a layout: the caller proposes their format from the data.
 */
export function mappingFromLayout(layout: PlatformLayout, headers: string[]): MappingProfile | null {
  const named = headers.filter(isNamed)
  const key = (h: string): string => normalizeHeader(h)
  const layoutNames = new Set(layout.columns.map((c) => key(c.name)))
  if (named.some((h) => !layoutNames.has(key(h)))) return null
  const mapping: Partial<Record<MappedField, string>> = {}
  for (const c of layout.columns) {
    if (c.field === null) continue
    const exact = headers.find((h) => h.trim() === c.name.trim())
    const loose = exact ?? headers.find((h) => isNamed(h) && key(h) === key(c.name))
    if (loose !== undefined) mapping[c.field] = loose
  }
  if (REQUIRED_FIELDS.some((f) => mapping[f] === undefined)) return null
  return mapping as MappingProfile
}

/** True when two layouts have the same columns (names, fields, order); recordedAt aside. */
export function sameLayout(a: PlatformLayout, b: PlatformLayout): boolean {
  return a.columns.length === b.columns.length && a.columns.every((c, i) => c.name === b.columns[i]!.name && c.field === b.columns[i]!.field)
}

/** Example values in the platform's own shapes (its documented date example first). */
const EXAMPLES: Record<MappedField, string[]> = {
  contactReference: ['CR-100231', 'CR-100232', 'CR-100233'],
  agentId: ['alex.morgan@example.com', 'sam.patel@example.com', 'jo.williams@example.com'],
  contactDate: ['2019-05-03T09:27:23+00:00', '2019-05-03T10:02:45+00:00', '2019-05-03T11:15:08+01:00'],
  audioFilename: ['CR-100231.wav', 'CR-100232.wav', 'CR-100233.mp3'],
}

/**
 * The sample CSV for the platform's Setup step: the layout's header and example rows, as the
 * uploaded CSV is written (RFC 4180, CRLF, UTF-8 without BOM: the caller writes the string as
 * UTF-8). `rows` are already in the layout's columns (short ones padded with empty cells);
 * without them, three rows of made-up but plausible values, extra columns as "Queue 1"...
 */
export function sampleCsvText(layout: PlatformLayout, rows?: string[][]): string {
  const width = layout.columns.length
  const body =
    rows ??
    [0, 1, 2].map((r) => layout.columns.map((c) => (c.field === null ? `${c.name.trim()} ${r + 1}` : EXAMPLES[c.field][r]!)))
  const lines = [layout.columns.map((c) => c.name), ...body.map((row) => (row.length >= width ? row.slice(0, width) : [...row, ...new Array<string>(width - row.length).fill('')]))]
  return lines.map((fields) => csvRecord(fields) + UPLOAD_CSV_EOL).join('')
}

/**
 * Validates untrusted JSON (a stored layout.json, a transport payload) as a PlatformLayout:
 * named columns, each field at most once and the three required ones present. Throws
 * BAD_ARGUMENT naming `source` and what is wrong.
 */
export function parsePlatformLayout(value: unknown, source = 'The platform layout'): PlatformLayout {
  const fail = (why: string): never => {
    throw new AppError('BAD_ARGUMENT', `${source} is not a valid platform layout: ${why}.`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('expected a JSON object with "columns" and "recordedAt"')
  const v = value as Record<string, unknown>
  if (!Array.isArray(v.columns)) return fail('"columns" must be a list')
  if (typeof v.recordedAt !== 'string' || Number.isNaN(Date.parse(v.recordedAt))) return fail('"recordedAt" must be an ISO 8601 time')
  const seen = new Set<MappedField>()
  const columns: LayoutColumn[] = v.columns.map((c: unknown, i: number) => {
    const col = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>
    if (typeof col.name !== 'string' || col.name.trim() === '') return fail(`column ${i + 1} has no name`)
    const field = col.field ?? null
    if (field !== null && !(MAPPED_FIELDS as readonly unknown[]).includes(field)) return fail(`column "${col.name}" has an unknown field ${JSON.stringify(field)}`)
    if (field !== null) {
      if (seen.has(field as MappedField)) return fail(`${FIELD_LABELS[field as MappedField]} is given to two columns`)
      seen.add(field as MappedField)
    }
    return { name: col.name, field: field as MappedField | null }
  })
  const lacking = REQUIRED_FIELDS.filter((f) => !seen.has(f))
  if (lacking.length > 0) fail(`no column holds ${lacking.map((f) => FIELD_LABELS[f]).join(', ')}`)
  return { columns, recordedAt: v.recordedAt }
}
