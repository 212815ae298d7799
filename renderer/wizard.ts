/**
 * What the wizard knows about the batch being prepared, step by step. Each step reads what
 * it needs and hands the next one its result; the upload's per-file state lives apart, in
 * the upload store, because it changes far more often.
 */
import type { BatchReport, BatchSummary, CsvPreview, MappingProfile, ScanSummary } from '../src/api'

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
  report: BatchReport | null
  destinationId: string | null
  /** Shown on the upload screen: where the files are going. */
  destinationName: string | null
  batchId: string | null
  summary: BatchSummary | null
}

export const emptyWizard: WizardData = {
  step: 'files',
  paths: [],
  scan: null,
  csvPath: null,
  preview: null,
  mapping: {},
  report: null,
  destinationId: null,
  destinationName: null,
  batchId: null,
  summary: null,
}

/** The props every step receives: what is known so far, and a way to change it. */
export interface StepProps {
  data: WizardData
  update: (change: Partial<WizardData>) => void
  /** Forgets this batch and returns to the first step. */
  restart: () => void
}

/** The draft as a complete profile, or null while a required field is unmapped. */
export function completeMapping(m: DraftMapping): MappingProfile | null {
  if (!m.contactReference || !m.agentId || !m.contactDate) return null
  const profile: MappingProfile = { contactReference: m.contactReference, agentId: m.agentId, contactDate: m.contactDate }
  if (m.audioFilename) profile.audioFilename = m.audioFilename
  if (m.dateFormat) {
    profile.dateFormat = m.dateFormat
    if (m.timezone) profile.timezone = m.timezone
  }
  return profile
}
