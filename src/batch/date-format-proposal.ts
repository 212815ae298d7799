/**
 * Proposes the source date format from the data itself (issue 8, "Dates right").
 * Placeholder until the proposal is built: the contract call exists so hosts can wire it.
 */
import type { DateFormatProposal } from '../api'
import { AppError } from '../errors'

export async function proposeDateFormat(csvPath: string, column: string): Promise<DateFormatProposal> {
  throw new AppError('INTERNAL', `Date format proposal not built yet (${csvPath}, ${column}).`)
}
