import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { finished } from 'node:stream/promises'
import path from 'node:path'
import type { BatchSummary, ValidationIssue } from '../api'
import { readCsv, sheetRecord, UPLOAD_CSV_EOL, type Manifest } from '../batch'

/**
 * What happened to one row of the source CSV: its recording sent by this run (`uploaded`), by
 * an earlier attempt of this batch (`sent-earlier`), found on the server before the batch
 * (`skipped`); the row left out for its errors (`excluded`) or because it was delivered to the
 * destination before (`delivered-earlier`); its recording `failed` or `not-sent` (cancelled).
 */
export type RowStatus = 'uploaded' | 'sent-earlier' | 'skipped' | 'excluded' | 'delivered-earlier' | 'failed' | 'not-sent'

export interface ReportInput {
  /** The batch as it went: rows left out carry rowRecording -1. */
  manifest: Manifest
  /** The batch as validated, before the destination's checks: the recording of a row left out as delivered. */
  validated: Manifest
  issues: ValidationIssue[]
  /**
   * Outcome per recording (by remote name), the error code of failed ones, and whether the
   * server's partial copy had to be removed and written again (FileOutcome.rewritten).
   */
  recordingStatus: Map<string, { status: RowStatus; code?: string; rewritten?: boolean }>
  summary: BatchSummary
}

const COLUMNS = ['row', 'contactReference', 'recording', 'status', 'code'] as const

/** What a row's JSON `note` says of a recording whose partial copy the server would not let the app reopen. */
export const REWRITTEN_NOTE = 'The server would not let the app continue or replace its partial copy of this recording, so it was removed and written again.'

/**
 * Writes the batch report — every source row with its outcome — as CSV and JSON, streaming:
 * the source CSV is read again for the contact references rather than kept in memory.
 */
export async function writeReport(input: ReportInput, csvPath: string, jsonPath: string): Promise<void> {
  const csvOut = createWriteStream(csvPath, { mode: 0o600 })
  const jsonOut = createWriteStream(jsonPath, { mode: 0o600 })
  // This computer's disk can fill up: a stream's error fails the report, never the process.
  let failed: unknown = null
  for (const stream of [csvOut, jsonOut]) stream.on('error', (err) => (failed ??= err))
  const write = async (stream: NodeJS.WritableStream, text: string) => {
    if (failed) throw failed
    if (!stream.write(text)) await Promise.race([once(stream, 'drain'), finished(stream).catch(() => undefined)])
    if (failed) throw failed
  }
  try {
    await writeRows(input, csvOut, jsonOut, write)
  } finally {
    csvOut.end()
    jsonOut.end()
    // finished() also settles for a stream that already ended or failed (a plain once() would wait forever).
    await Promise.all([finished(csvOut).catch(() => undefined), finished(jsonOut).catch(() => undefined)])
  }
  if (failed) throw failed
}

async function writeRows(
  input: ReportInput,
  csvOut: NodeJS.WritableStream,
  jsonOut: NodeJS.WritableStream,
  write: (stream: NodeJS.WritableStream, text: string) => Promise<void>,
): Promise<void> {
  const { manifest, validated } = input
  const errorCodeByRow = new Map<number, string>()
  for (const issue of input.issues) {
    if (issue.severity === 'error' && issue.row !== null && !errorCodeByRow.has(issue.row)) errorCodeByRow.set(issue.row, issue.code)
  }
  const audioColumn = manifest.columns.audioFilename ?? -1
  await write(csvOut, sheetRecord([...COLUMNS]) + UPLOAD_CSV_EOL)
  await write(jsonOut, `{"summary":${JSON.stringify(input.summary)},"rows":[`)
  const refColumn = manifest.columns.contactReference ?? -1
  let first = true
  await readCsv(manifest.csvPath, { encoding: manifest.encoding, delimiter: manifest.delimiter }, {
    onHeader: () => undefined,
    onRows: async (rows, firstRow) => {
      let csvText = ''
      let jsonText = ''
      rows.forEach((fields, i) => {
        const row = firstRow + i
        const index = manifest.rowRecording[row - 1] ?? -1
        const recording = index >= 0 ? manifest.recordings[index]! : null
        const outcome = recording ? (input.recordingStatus.get(recording.remoteName) ?? { status: 'not-sent' as const }) : null
        // A row valid on its own but left out here: delivered to the destination before, unless
        // the destination's checks gave it an error of their own (a strict UNKNOWN_AGENT).
        const validIndex = validated.rowRecording[row - 1] ?? -1
        const leftOutError = errorCodeByRow.get(row)
        const deliveredEarlier = !outcome && validIndex >= 0 && leftOutError === undefined
        const status: RowStatus = outcome ? outcome.status : deliveredEarlier ? 'delivered-earlier' : 'excluded'
        const code = outcome ? (outcome.code ?? '') : deliveredEarlier ? 'ALREADY_DELIVERED' : (leftOutError ?? 'EXCLUDED')
        // Every row names its recording, left out or not: the one it was matched to, else the CSV's cell.
        const named = recording?.remoteName ?? (validIndex >= 0 ? validated.recordings[validIndex]!.remoteName : (fields[audioColumn] ?? '').trim())
        // The JSON carries the note; the CSV keeps its five columns, which hosts and users read by position.
        const entry = { row, contactReference: fields[refColumn] ?? '', recording: named, status, code, ...(outcome?.rewritten ? { note: REWRITTEN_NOTE } : {}) }
        csvText += sheetRecord([String(row), entry.contactReference, entry.recording, status, code]) + UPLOAD_CSV_EOL
        jsonText += (first ? '' : ',') + JSON.stringify(entry)
        first = false
      })
      await write(csvOut, csvText)
      await write(jsonOut, jsonText)
    },
  })
  await write(jsonOut, ']}\n')
}

/**
 * One report per run, kept beside the earlier ones (a rerun must not overwrite what the
 * history of an earlier delivery points at): named by the run's start, in UTC.
 */
export function reportPaths(batchFolder: string, runStarted: Date): { csv: string; json: string } {
  const stamp = runStarted.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  return { csv: path.join(batchFolder, `report-${stamp}.csv`), json: path.join(batchFolder, `report-${stamp}.json`) }
}
