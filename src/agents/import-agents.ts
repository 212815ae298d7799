/**
 * Reads a list of agent IDs from a CSV: the platform's user export or the user's own list,
 * in any encoding and delimiter the app reads batches in (the same detection and reader).
 * The user names the column; without one, the column that looks like the agent ID (as the
 * mapping suggests it), or the only column of a one-column file.
 */
import { stat } from 'node:fs/promises'
import { AppError, toAppError } from '../errors'
import { readCsv } from '../batch/csv-reader'
import { findColumn, suggestMapping } from '../batch/mapping'
import { detectCsvFormat, previewCsv } from '../batch/preview'
import { distinctAgents } from './known-agents-store'

/** What was read: the distinct IDs, the column they came from, and the rows without one. */
export interface ImportedAgents {
  ids: string[]
  column: string
  rows: number
  emptyRows: number
}

/**
 * An agent list is a user export: thousands of rows, a few MB. Far above that it is not one,
 * and a device such as /dev/zero would be read for ever (issue 23): refused before reading.
 */
export const AGENT_LIST_MAX_BYTES = 64 * 1024 * 1024

/** Reads the agent IDs of `column` (or the column chosen as above) from the CSV at `file`. */
export async function readAgentList(file: string, column?: string): Promise<ImportedAgents> {
  const st = await stat(file).catch((err: unknown) => {
    throw toAppError(err, 'NOT_READABLE')
  })
  const refuse = (why: string) => new AppError('BAD_ARGUMENT', `${file}: ${why}`, { message: `${file} is not an agent list (${why}). Export the platform's users (or your list) as a CSV file and import that.` })
  if (!st.isFile()) throw refuse('it is not a regular file')
  if (st.size > AGENT_LIST_MAX_BYTES) throw refuse(`it holds ${st.size} bytes; a user export is a few MB, and the limit is ${AGENT_LIST_MAX_BYTES}`)
  const fmt = await detectCsvFormat(file)
  let col = -1
  let header: string[] = []
  const values: string[] = []
  let rows = 0
  let emptyRows = 0
  const read = (encoding: typeof fmt.encoding) =>
    readCsv(file, { encoding, delimiter: fmt.delimiter }, {
      onHeader(h) {
        header = h
        col = chooseColumn(h, column, file)
      },
      onRows(batch) {
        for (const row of batch) {
          rows++
          const v = (row[col] ?? '').trim()
          if (v === '') emptyRows++
          else values.push(v)
        }
      },
    })
  let result = await read(fmt.encoding)
  if (result.problem?.notUtf8 && fmt.encoding === 'utf-8') {
    // Valid UTF-8 at the start only: a Windows-1252 export with accents further down.
    values.length = rows = emptyRows = 0
    result = await read('windows-1252')
  }
  if (result.problem) throw new AppError('CSV_UNREADABLE', `The agent list ${file} cannot be read${result.problem.row ? ` at row ${result.problem.row}` : ''}: ${result.problem.detail}. Save it again as CSV and import it again.`)
  if (header.length === 0) throw new AppError('CSV_UNREADABLE', `The agent list ${file} is empty. Export the platform's users (or your list) with a header row.`)
  return { ids: distinctAgents(values), column: header[col]!, rows, emptyRows }
}

function chooseColumn(header: string[], column: string | undefined, file: string): number {
  const names = header.map((h) => `"${h}"`).join(', ')
  if (column !== undefined) {
    const at = findColumn(header, column)
    if (at < 0) throw new AppError('COLUMN_MISSING', `The agent list ${file} has no column "${column}". Its columns are: ${names}. Name one with --column.`)
    return at
  }
  const suggested = defaultAgentColumn(header)
  if (suggested === null) throw new AppError('COLUMN_MISSING', `Could not tell which column of ${file} holds the agent IDs. Name it with --column; its columns are: ${names}.`)
  return findColumn(header, suggested)
}

/** The column an agent list's IDs are taken from by default: the only one, or the one the mapping suggests as Agent ID. */
export function defaultAgentColumn(header: string[]): string | null {
  if (header.length === 1) return header[0]!
  return suggestMapping(header).agentId ?? null
}

/** A picked agent list's columns (the batch CSV preview's encoding and delimiter detection) and the default one. */
export async function agentListColumns(file: string): Promise<{ headers: string[]; suggested: string | null }> {
  const { headers } = await previewCsv(file)
  if (headers.length === 0) throw new AppError('CSV_UNREADABLE', `The agent list ${file} is empty. Export the platform's users (or your list) with a header row.`)
  return { headers, suggested: defaultAgentColumn(headers) }
}
