/**
 * Mapping of the platform's four fields to CSV columns: suggestion from header names, the
 * saved profile (JSON, exactly the MappingProfile shape), and the check that a later CSV still
 * fits a saved profile (DESIGN.md: "if the structure changes, the mapping must be made again").
 */
import { rename, writeFile } from 'node:fs/promises'
import { DateTime } from 'luxon'
import { FIELD_LABELS, MAPPED_FIELDS, REQUIRED_FIELDS, type MappedField, type MappingProfile } from '../api'
import { AppError, toAppError } from '../errors'
import { isValidZone } from './dates'
import { MAPPING_MAX_BYTES, readBoundedText } from './mapping-file'

/** Header names reduced to lower-case letters and digits, so "Call-ID" equals "call id". */
export function normalizeHeader(h: string): string {
  return h.toLowerCase().replace(/[^a-z0-9]/g, '')
}

/** Synonyms per field, best first: a header's score is the index of the first that fits. */
const SYNONYMS: Record<MappedField, string[]> = {
  contactReference: [
    'contactreference', 'conversationid', 'callid', 'interactionid', 'contactid', 'conversationreference', 'callreference',
    'interactionreference', 'reference', 'ticketid', 'sessionid', 'recordingid', 'uniqueid', 'callrefid', 'id',
  ],
  agentId: ['agentid', 'agentemail', 'agentemailaddress', 'agent', 'agentlogin', 'agentusername', 'useremail', 'userid', 'employeeid', 'email', 'username', 'user'],
  contactDate: [
    'contactdate', 'conversationdate', 'calldate', 'starttime', 'calltime', 'callstarttime', 'datetime', 'startdatetime',
    'interactiondate', 'date', 'timestamp', 'starteddate', 'startdate', 'createdat', 'time',
  ],
  audioFilename: [
    'audiofilename', 'recordingfilename', 'recordingfile', 'recordingname', 'audiofile', 'filename', 'recording', 'audio',
    'file', 'wavfile', 'recordingpath', 'filepath', 'path',
  ],
}

/**
 * Suggests a column for each field from header names. A field is left out when no header
 * fits, or when several fit equally well (the user must choose, not the app).
 */
export function suggestMapping(headers: string[]): Partial<Record<MappedField, string>> {
  const out: Partial<Record<MappedField, string>> = {}
  const used = new Set<string>()
  for (const field of MAPPED_FIELDS) {
    const syn = SYNONYMS[field]
    let best = Infinity
    let hits: string[] = []
    for (const h of headers) {
      const n = normalizeHeader(h)
      if (n === '' || used.has(h)) continue
      let score = syn.indexOf(n)
      // "Agent Email Address (primary)" still fits agentId, after every exact synonym.
      // ("Recording ID" is an id, not a file name: ids only fit the id fields partially.)
      if (score < 0 && !(n.endsWith('id') && (field === 'audioFilename' || field === 'contactDate'))) {
        const partial = syn.findIndex((s) => s.length >= 5 && n.includes(s))
        score = partial < 0 ? -1 : syn.length + partial
      }
      if (score < 0) continue
      if (score < best) {
        best = score
        hits = [h]
      } else if (score === best) hits.push(h)
    }
    if (hits.length === 1) {
      out[field] = hits[0]!
      used.add(hits[0]!)
    }
  }
  return out
}

/** Index of `column` in `headers`: exact after trimming spaces; -1 when absent. */
export function findColumn(headers: string[], column: string): number {
  const want = column.trim()
  return headers.findIndex((h) => h.trim() === want)
}

/** Checks a profile's own values (required fields present, date format and zone usable). */
export function profileProblems(profile: MappingProfile): string[] {
  const problems: string[] = []
  for (const f of REQUIRED_FIELDS) {
    if (typeof profile[f] !== 'string' || profile[f].trim() === '') problems.push(`${FIELD_LABELS[f]} is not mapped to a column.`)
  }
  if (profile.dateFormat && !profile.timezone) problems.push('A source date format needs a time zone too, e.g. Europe/London.')
  // A zone alone is fine: it is the zone of ISO 8601 dates written without an offset.
  if (profile.timezone && !isValidZone(profile.timezone)) problems.push(`"${profile.timezone}" is not a time zone name; use one like Europe/London or America/New_York.`)
  if (profile.dateFormat) {
    try {
      DateTime.buildFormatParser(profile.dateFormat, { locale: 'en-US' })
    } catch {
      problems.push(`"${profile.dateFormat}" is not a date format; use letters for each part (dd day, MM month, yyyy year, HH:mm time), such as dd/MM/yyyy HH:mm.`)
    }
  }
  return problems
}

/** Explains every way a CSV header no longer fits a saved profile. */
export function checkProfileFits(headers: string[], profile: MappingProfile): { fits: boolean; problems: string[] } {
  const problems = profileProblems(profile)
  for (const f of MAPPED_FIELDS) {
    const col = profile[f]
    if (typeof col !== 'string' || col.trim() === '') continue
    if (findColumn(headers, col) >= 0) continue
    const near = headers.find((h) => normalizeHeader(h) === normalizeHeader(col))
    problems.push(
      near === undefined
        ? `The column "${col}" (${FIELD_LABELS[f]}) is not in this CSV. Map ${FIELD_LABELS[f]} again.`
        : `The column "${col}" (${FIELD_LABELS[f]}) is now spelled "${near}" in this CSV. Map ${FIELD_LABELS[f]} again.`,
    )
  }
  return { fits: problems.length === 0, problems }
}

/** Validates untrusted JSON as a MappingProfile, keeping only known keys. */
export function parseMappingProfile(value: unknown, source = 'The mapping'): MappingProfile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('BAD_ARGUMENT', `${source} must be a JSON object like {"contactReference": "Call ID", "agentId": "Agent", "contactDate": "Start Time"}.`)
  }
  const v = value as Record<string, unknown>
  const out: Partial<MappingProfile> = {}
  for (const key of [...MAPPED_FIELDS, 'dateFormat', 'timezone', 'duration'] as const) {
    const x = v[key]
    if (x === undefined || x === null) continue
    if (typeof x !== 'string') throw new AppError('BAD_ARGUMENT', `${source}: "${key}" must be text (a column name), got ${JSON.stringify(x)}.`)
    if (x.trim() !== '') out[key] = x
  }
  const missing = REQUIRED_FIELDS.filter((f) => out[f] === undefined)
  if (missing.length > 0) {
    throw new AppError('MAPPING_INCOMPLETE', `${source} does not map ${missing.map((f) => `"${f}" (${FIELD_LABELS[f]})`).join(', ')}.`)
  }
  return out as MappingProfile
}

/** Reads a mapping profile saved as JSON: a regular file of at most 1 MiB (mapping-file.ts). */
export async function loadMappingProfile(path: string): Promise<MappingProfile> {
  const text = await readBoundedText(path, { maxBytes: MAPPING_MAX_BYTES, what: 'a mapping file', hint: 'Give the .json file that the app\'s "Save mapping" wrote, or name the columns with --map.' })
  return parseMappingText(text, `The mapping file ${path}`)
}

/** Reads a profile from a mapping file's text (JSON, with or without a BOM). */
export function parseMappingText(text: string, label = 'The mapping file'): MappingProfile {
  let json: unknown
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (err) {
    const detail = `${label} is not valid JSON (${(err as Error).message}).`
    throw new AppError('BAD_ARGUMENT', detail, { message: `${label} is not a mapping saved by this app (it is not valid JSON). Choose the .json file that "Save mapping" wrote.` })
  }
  return parseMappingProfile(json, label)
}

/** A profile as the pretty JSON a mapping file holds. */
export function mappingProfileText(profile: MappingProfile): string {
  return `${JSON.stringify(parseMappingProfile(profile), null, 2)}\n`
}

/** Saves a profile as pretty JSON, written to a temporary file and renamed (never half-written). */
export async function saveMappingProfile(path: string, profile: MappingProfile): Promise<void> {
  const text = mappingProfileText(profile)
  const tmp = `${path}.${process.pid}.tmp`
  try {
    await writeFile(tmp, text, 'utf8')
    await rename(tmp, path)
  } catch (err) {
    throw toAppError(err, 'NOT_READABLE')
  }
}
