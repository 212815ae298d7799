/**
 * Turning command-line arguments into a batch: which CSV, which mapping. Shared by `check`
 * and `upload`, so both accept the same options and say the same things.
 */
import path from 'node:path'
import { stat } from 'node:fs/promises'
import { FIELD_LABELS, MAPPED_FIELDS, REQUIRED_FIELDS, type MappedField, type MappingProfile } from '../api'
import { AppError, toAppError } from '../errors'
import { checkIsoDate, loadMappingProfile, parseMappingProfile, previewCsv, type FolderScan } from '../batch'
import { proposeDateFormatFromValues, sampleColumn } from '../batch/date-format-proposal'
import { localTimeZone } from '../batch/dates'

/** The batch options `check` and `upload` share. */
export interface BatchInputOptions {
  csv?: string
  mapping?: string
  map: string[]
  dateFormat?: string
  timezone?: string
}

/** Accepts `contactReference`, `Contact Reference`, `contact-reference`... */
function fieldFromName(name: string): MappedField | undefined {
  const n = name.toLowerCase().replace(/[^a-z]/g, '')
  return MAPPED_FIELDS.find((f) => f.toLowerCase() === n || FIELD_LABELS[f].toLowerCase().replace(/[^a-z]/g, '') === n)
}

/** `--map duration=COLUMN`: the optional duration column (not a platform field). */
const DURATION_FIELD = 'duration'

export function parseMapArgs(args: string[]): Partial<Record<MappedField | typeof DURATION_FIELD, string>> {
  const out: Partial<Record<MappedField | typeof DURATION_FIELD, string>> = {}
  for (const arg of args) {
    const eq = arg.indexOf('=')
    const name = eq > 0 ? arg.slice(0, eq) : ''
    const field = name.trim().toLowerCase() === DURATION_FIELD ? DURATION_FIELD : eq > 0 ? fieldFromName(name) : undefined
    if (!field || arg.slice(eq + 1).trim() === '') {
      throw new AppError('BAD_ARGUMENT', `Expected --map FIELD=COLUMN with FIELD one of ${[...MAPPED_FIELDS, DURATION_FIELD].join(', ')}, got \`${arg}\`.`)
    }
    out[field] = arg.slice(eq + 1)
  }
  return out
}

export async function chooseCsv(folder: string, scan: FolderScan, given: string | undefined): Promise<string> {
  if (given !== undefined) {
    const candidates = [path.resolve(given), path.resolve(folder, given)]
    for (const c of candidates) if ((await stat(c).catch(() => null))?.isFile()) return c
    throw new AppError('FILE_NOT_FOUND', `The CSV ${given} was not found (looked in the current folder and in ${folder}).`)
  }
  const top = scan.csvFiles.filter((f) => !f.relPath.includes('/'))
  if (top.length === 1) return top[0]!.path
  if (top.length === 0) {
    const nested = scan.csvFiles.slice(0, 5).map((f) => f.relPath)
    throw new AppError('CSV_NOT_CHOSEN', `There is no CSV at the top of ${folder}.${nested.length ? ` CSVs in sub-folders: ${nested.join(', ')}.` : ''} Name the CSV with --csv FILE.`)
  }
  throw new AppError('CSV_NOT_CHOSEN', `There are several CSVs in ${folder} (${top.map((f) => f.relPath).join(', ')}). Choose one with --csv FILE.`)
}

/**
 * The mapping from --mapping/--map (the rest suggested from the header) and the date options.
 * Without --date-format, prints (stderr) what the date column needs; `dateNote` holds it too.
 */
export async function chooseMapping(csvPath: string, opts: BatchInputOptions): Promise<{ mapping: MappingProfile; suggested: boolean; dateNote: string | null }> {
  const given: Partial<MappingProfile> = opts.mapping ? await loadMappingProfile(opts.mapping) : {}
  Object.assign(given, parseMapArgs(opts.map))
  if (opts.dateFormat !== undefined) given.dateFormat = opts.dateFormat
  if (opts.timezone !== undefined) given.timezone = opts.timezone
  let suggested = false
  const unmapped = REQUIRED_FIELDS.filter((f) => !given[f])
  if (unmapped.length > 0) {
    const preview = await previewCsv(csvPath)
    const still = unmapped.filter((f) => !preview.suggestion[f])
    if (still.length > 0) {
      throw new AppError('MAPPING_INCOMPLETE', `Could not tell which column holds ${still.map((f) => `${FIELD_LABELS[f]} (${f})`).join(', ')}. Name it with ${still.map((f) => `--map ${f}=COLUMN`).join(' ')} or --mapping FILE. The CSV's columns are: ${preview.headers.map((h) => `"${h}"`).join(', ')}.`)
    }
    for (const f of MAPPED_FIELDS) if (!given[f] && preview.suggestion[f]) given[f] = preview.suggestion[f]
    suggested = true
  }
  const mapping = parseMappingProfile(given, 'The mapping')
  const dateNote = mapping.dateFormat ? null : await describeDates(csvPath, mapping)
  if (dateNote) process.stderr.write(`${dateNote}\n`)
  return { mapping, suggested, dateNote }
}

/**
 * Without --date-format, what the CLI must say about the Contact Date column before checking:
 * dates in another format (the format that fits, or why the user must choose, and that
 * --date-format/--timezone are needed), or ISO dates without an offset (the zone they are read
 * in). Validation then blocks with DATE_FORMAT_MISMATCH; this says how to fix it. Null: all well.
 */
export async function describeDates(csvPath: string, mapping: MappingProfile): Promise<string | null> {
  let values: string[]
  try {
    values = await sampleColumn(csvPath, mapping.contactDate)
  } catch (err) {
    if (toAppError(err).code === 'COLUMN_MISSING') return null // validation names the missing column
    throw err
  }
  const p = proposeDateFormatFromValues(values)
  const column = `The Contact Date column "${mapping.contactDate}"`
  const zone = mapping.timezone ?? localTimeZone()
  if (p.iso) {
    const bare = values.filter((v) => {
      const d = checkIsoDate(v)
      return d.ok && !d.hasOffset
    }).length
    if (bare === 0) return null
    return `Note: ${column} has dates without a UTC offset (${bare} of the first ${values.length}): they are read in ${zone}${mapping.timezone ? '' : ", this computer's time zone"}, and sent with its offset.`
  }
  if (p.candidates.length === 0) return null // validation reports the dates it cannot read
  const best = p.candidates[0]!
  const proof = p.examples[0]
  const example = proof?.converted ? ` With it, "${proof.value}" is sent as ${proof.converted} (in ${localTimeZone()}; --timezone sets the zone).` : ''
  const how = p.ambiguous ? `Give --date-format ${p.candidates.map((c) => `"${c}"`).join(' or ')}` : `Give --date-format "${best}"`
  return `${column} is not ISO 8601. ${p.reason} ${how} and --timezone ZONE (the IANA time zone the calls were recorded in, e.g. Europe/London).${p.ambiguous ? '' : example}`
}

