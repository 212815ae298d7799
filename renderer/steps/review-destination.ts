/**
 * Review checks the batch for the destination it will most likely go to (issue 22, item 3):
 * the one chosen in this wizard, else the one the destination step preselects (the last used,
 * else the sandbox). Rows already delivered there are then counted as such at Review, before
 * Start upload, as its agents and platform layout already were; the destination step may still
 * choose another, and Start upload checks again for that one.
 */
import type { BulkUploadApi, Destination, MappingProfile, Result } from '../../src/api'
import { batchSpec, destinationFields, type WizardData } from '../wizard'
import { preselect } from './destination-step'

/** A destination as the wizard names it to the user. */
export function destinationLabel(d: Pick<Destination, 'name' | 'sandbox'>): string {
  return d.sandbox ? 'Sandbox (this computer)' : d.name
}

/** The wizard's state after the check: the report, and the destination it was made for. */
export type ReviewCheck = Pick<WizardData, 'report' | 'checkedFor' | 'destinationId' | 'destinationName' | 'destinationSandbox'>

/**
 * Validates the batch for Review's destination (see above); `mapping` replaces the wizard's
 * draft when the caller has just completed it. Without any destination, checks without one.
 */
export async function checkForReview(api: BulkUploadApi, data: WizardData, mapping?: MappingProfile): Promise<Result<ReviewCheck>> {
  const listed = await api.listDestinations()
  if (!listed.ok) return listed
  const wanted = data.destinationId ?? data.checkedFor
  const dest = listed.value.find((d) => d.id === wanted) ?? preselect(listed.value, data.wantRealDestination)
  const spec = batchSpec(mapping ? { ...data, mapping } : data, dest?.id ?? null)
  if (!spec) return { ok: false, error: { code: 'BAD_ARGUMENT', message: 'Map the four fields first.' } }
  const r = await api.validate(spec)
  if (!r.ok) return r
  if (!dest) return { ok: true, value: { report: r.value, checkedFor: null, ...destinationFields({ id: data.destinationId, name: data.destinationName, sandbox: data.destinationSandbox }) } }
  return { ok: true, value: { report: r.value, checkedFor: dest.id, ...destinationFields({ id: dest.id, name: destinationLabel(dest), sandbox: !!dest.sandbox }) } }
}

/**
 * True when the report Review holds may no longer say what would be sent: an upload ended
 * since it was made (its rows are now delivered), or another destination was chosen.
 */
export function reviewIsStale(data: Pick<WizardData, 'summary' | 'destinationId' | 'checkedFor'>): boolean {
  return data.summary !== null || (data.destinationId !== null && data.destinationId !== data.checkedFor)
}
