/**
 * Turning command-line arguments into a batch: which CSV, which mapping. Shared by `check`
 * and `upload`, so both accept the same options and say the same things.
 */
import path from 'node:path'
import { stat } from 'node:fs/promises'
import { FIELD_LABELS, MAPPED_FIELDS, REQUIRED_FIELDS, type MappedField, type MappingProfile } from '../api'
import { AppError } from '../errors'
import { loadMappingProfile, parseMappingProfile, previewCsv, type FolderScan } from '../batch'

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

export function parseMapArgs(args: string[]): Partial<Record<MappedField, string>> {
  const out: Partial<Record<MappedField, string>> = {}
  for (const arg of args) {
    const eq = arg.indexOf('=')
    const field = eq > 0 ? fieldFromName(arg.slice(0, eq)) : undefined
    if (!field || arg.slice(eq + 1).trim() === '') {
      throw new AppError('BAD_ARGUMENT', `Expected --map FIELD=COLUMN with FIELD one of ${MAPPED_FIELDS.join(', ')}, got \`${arg}\`.`)
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

export async function chooseMapping(csvPath: string, opts: BatchInputOptions): Promise<{ mapping: MappingProfile; suggested: boolean }> {
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
  return { mapping: parseMappingProfile(given, 'The mapping'), suggested }
}

