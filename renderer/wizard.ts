/**
 * What the wizard knows about the batch being prepared, step by step. Each step reads what
 * it needs and hands the next one its result; the upload's per-file state lives apart, in
 * the upload store, because it changes far more often.
 */
import type { AppErrorPayload, BatchReport, BatchSpec, BatchSummary, CsvPreview, InterruptedBatch, MappingProfile, RememberedMapping, ScanSummary } from '../src/api'

export const STEPS = [
  { id: 'files', label: 'Add files' },
  { id: 'map', label: 'Preview and map' },
  { id: 'review', label: 'Review' },
  { id: 'destination', label: 'Destination and key' },
  { id: 'upload', label: 'Upload' },
  { id: 'done', label: 'Done' },
] as const

export type StepId = (typeof STEPS)[number]['id']

/** A mapping being edited: any field may still be empty. */
export type DraftMapping = Partial<MappingProfile>

export interface WizardData {
  step: StepId
  paths: string[]
  scan: ScanSummary | null
  csvPath: string | null
  preview: CsvPreview | null
  mapping: DraftMapping
  /** Where the mapping applied to this CSV came from (a CSV with the same header, or a destination's platform layout), or null. */
  mappingFrom: Pick<RememberedMapping, 'kind' | 'from'> | null
  report: BatchReport | null
  destinationId: string | null
  /** Shown on the upload screen: where the files are going. */
  destinationName: string | null
  /** The batch went (or goes) to the sandbox on this computer: Done says nothing left it. */
  destinationSandbox: boolean
  /** Done's "Send it to a real destination": the destination step preselects a real one. */
  wantRealDestination: boolean
  batchId: string | null
  summary: BatchSummary | null
  /** Send rows already delivered to the destination again, on purpose (Review / pre-send toggle). */
  resendDelivered: boolean
  /** Keep the destination's platform layout, or adopt this CSV's columns as the new one. */
  layoutChoice: 'keep' | 'adopt'
  /** The destination `report` was validated against, or null when it was checked without one. */
  checkedFor: string | null
  /** A send waiting for the user to confirm what the destination check found. */
  confirm: SendRequest | null
  /** The last upload started from this wizard, so a cancelled one can be started again as it was. */
  lastStart: { spec: BatchSpec; destinationId: string; passphrase: string | null } | null
  /** A resumed batch: bytes already on the server by its journal, where its progress starts. */
  resumedBytes: number
}

/** What the destination step hands over when the user chooses "Start upload". */
export interface SendRequest {
  destinationId: string
  /** As shown to the user, e.g. "Sandbox (this computer)". */
  destinationName: string
  /** The built-in sandbox server on this computer. */
  sandbox?: boolean
  /** The key's passphrase for this upload only; never stored. */
  passphrase: string | null
}

export const emptyWizard: WizardData = {
  step: 'files',
  paths: [],
  scan: null,
  csvPath: null,
  preview: null,
  mapping: {},
  mappingFrom: null,
  report: null,
  destinationId: null,
  destinationName: null,
  destinationSandbox: false,
  wantRealDestination: false,
  batchId: null,
  summary: null,
  resendDelivered: false,
  layoutChoice: 'keep',
  checkedFor: null,
  confirm: null,
  lastStart: null,
  resumedBytes: 0,
}

/**
 * Where the batch goes, as the wizard holds it: its id, the name shown and whether it is the
 * sandbox, always set together by this one function, whether the upload started from the
 * wizard, was checked against a destination, or was resumed from "uploads did not finish".
 */
export function destinationFields(d: { id: string | null; name: string | null; sandbox: boolean }): Pick<WizardData, 'destinationId' | 'destinationName' | 'destinationSandbox'> {
  return { destinationId: d.id, destinationName: d.name, destinationSandbox: d.sandbox }
}

/**
 * The wizard for a batch resumed from "uploads did not finish": the same facts a batch started
 * from the wizard has (destination, sandbox, the batch itself), so Done cannot tell them apart.
 */
export function resumedWizard(batchId: string, b: InterruptedBatch): WizardData {
  const spec = b.spec
  return {
    ...emptyWizard,
    ...destinationFields({ id: b.destinationId ?? null, name: b.destinationName, sandbox: b.sandbox ?? false }),
    ...(spec ? { paths: spec.paths, csvPath: spec.csvPath, mapping: spec.mapping, resendDelivered: spec.resendDelivered ?? false, layoutChoice: spec.layoutChoice ?? 'keep', checkedFor: b.destinationId ?? null } : {}),
    batchId,
    step: 'upload',
    resumedBytes: b.bytesDone,
  }
}

/** The props every step receives: what is known so far, and a way to change it. */
export interface StepProps {
  data: WizardData
  update: (change: Partial<WizardData>) => void
  /** Forgets this batch and returns to the first step. */
  restart: () => void
  /**
   * Starts the upload the honest way: checks the batch against the destination first (rows
   * already delivered there, the platform's layout) and asks before sending when that changes
   * anything; goes to Done when nothing new is left. Resolves with an error to show, or null.
   */
  send: (request: SendRequest) => Promise<AppErrorPayload | null>
  /** Opens the delivery history, on the given destination when there is one. */
  showHistory: (destinationId?: string | null) => void
}

/** The draft as a complete profile, or null while a required field is unmapped. */
export function completeMapping(m: DraftMapping): MappingProfile | null {
  if (!m.contactReference || !m.agentId || !m.contactDate) return null
  const profile: MappingProfile = { contactReference: m.contactReference, agentId: m.agentId, contactDate: m.contactDate }
  if (m.audioFilename) profile.audioFilename = m.audioFilename
  if (m.duration) profile.duration = m.duration
  if (m.dateFormat) profile.dateFormat = m.dateFormat
  // A zone alone is the zone of ISO dates written without an offset.
  if (m.timezone) profile.timezone = m.timezone
  return profile
}

/**
 * The batch as the core should see it: with the destination when one is known, so rows
 * already delivered there are flagged, and with the user's resend and layout choices.
 */
export function batchSpec(data: WizardData, destinationId: string | null = data.checkedFor): BatchSpec | null {
  const mapping = completeMapping(data.mapping)
  if (!mapping || !data.csvPath) return null
  const spec: BatchSpec = { paths: data.paths, csvPath: data.csvPath, mapping }
  if (destinationId) {
    spec.destinationId = destinationId
    if (data.resendDelivered) spec.resendDelivered = true
    if (data.layoutChoice === 'adopt') spec.layoutChoice = 'adopt'
  }
  return spec
}

/** True when nothing is left to send: every eligible row already reached this destination. */
export function nothingNew(report: BatchReport | null): boolean {
  return !!report && report.eligible === 0 && (report.alreadyDelivered ?? 0) > 0
}
