/**
 * CSVs written for people, not for the platform (the batch report, the exported problem list):
 * they are opened in Excel or LibreOffice, which run a cell that starts with `=`, `+`, `-` or
 * `@` as a formula (`=HYPERLINK(...)`, DDE `@cmd`), and treat a leading tab or carriage return
 * the same way after trimming. OWASP's rule: such a cell gets a leading `'`, which the
 * spreadsheet shows as text. The platform's CSV (upload-csv-writer.ts) never goes through
 * here: it is data for a parser and stays verbatim.
 */
import { csvRecord } from './upload-csv-writer'

const FORMULA_START = /^[=+\-@\t\r]/

/** One cell made inert for a spreadsheet: `'` before a formula-starting character. */
export function sheetCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value
}

/** One record of a human-facing CSV, every cell made inert, without its line end. */
export function sheetRecord(fields: readonly string[]): string {
  return csvRecord(fields.map(sheetCell))
}
