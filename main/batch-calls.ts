/**
 * The contract's batch calls, from picking files to Review: scanning, previewing and mapping
 * the CSV, the check itself, and paging through what it found (issues, rows to send, their
 * recordings). The core service (core-service.ts) forwards them here; the checks it keeps are
 * shared with its uploads, which send what was checked.
 */
import type {
  BatchReport, BatchSpec, CsvPreview, DateFormatProposal, Destination, IssueQuery, MappingProfile, PreviewRecording, RecordingRow, RememberedMapping, Result, SaveOutcome, ScanSummary,
  ValidationIssue,
} from '../src/api'
import { AppError } from '../src/errors'
import { checkProfileFits, convertDate, mappingFromLayout, isValidZone, mappingProfileText, parseMappingText, proposeDateFormat, previewCsv, scanPaths, summarizeScan, validateBatch, type FolderScan } from '../src/batch'
import { readLayout } from '../src/ledger/layout-store'
import { CheckStore, csvStamp, issuesCsvFile, queryIssues } from './batch-checks'
import { batchMediaFile, handleCheckId, recordingRows, type MediaFile } from './batch-media'
import { run } from './call-result'
import { checkedForDestination } from './delivery-records'
import { SANDBOX_NAME } from './destinations-store'
import { log } from './log'
import { MappingMemory } from './mapping-memory'
import { PathScope } from './path-scope'
import type { LedgerLocation } from '../src/ledger/ledger-location'
import { PreviewMedia } from './preview-media'
import type { FileForUser } from './save-for-user'

/** What the batch calls take from the core service. */
export interface BatchCallsContext {
  home: string
  /** What the renderer may read: scanning is the picking. */
  scope: PathScope
  /** The checks kept for Review and for the upload that follows. */
  checks: CheckStore
  saveForUser(file: FileForUser): Promise<SaveOutcome>
  /** A destination by id, ready to connect to. */
  destination(id: string): Promise<Destination>
  /** The destination the last upload started to, without starting the sandbox's server; null: none. */
  lastUsedDestination(): Promise<Destination | null>
  /** Where a destination's delivery ledger is (Settings → Team ledger, or this computer's own). */
  ledgerFor(destination: Destination): Promise<LedgerLocation>
}

export class BatchCalls {
  private readonly mappings: MappingMemory
  private readonly previewMedia = new PreviewMedia()
  private lastScan: { key: string; scan: FolderScan } | null = null

  constructor(private readonly ctx: BatchCallsContext) {
    this.mappings = new MappingMemory(ctx.home)
  }

  scan(paths: string[]): Promise<Result<ScanSummary>> {
    return run('scan', async () => {
      const scan = await scanPaths(paths)
      // Scanning is the picking: from now on this batch's folders and CSVs may be read.
      this.ctx.scope.pick({ picked: paths, csvFiles: scan.csvFiles })
      // The Review step usually follows at once: its first validation reuses this scan.
      this.lastScan = { key: JSON.stringify(paths), scan }
      return summarizeScan(scan)
    })
  }

  previewCsv(path: string): Promise<Result<CsvPreview>> {
    return run('previewCsv', async () => {
      this.ctx.scope.assertCsv(path)
      const preview = await previewCsv(path)
      return { ...preview, remembered: (await this.mappings.recall(preview.headers)) ?? (await this.layoutMapping(preview.headers)) }
    })
  }

  /** The mapping the last-used destination's platform layout gives these headers, if they are its columns. */
  private async layoutMapping(headers: string[]): Promise<RememberedMapping | null> {
    try {
      const dest = await this.ctx.lastUsedDestination()
      if (dest === null) return null
      const layout = await readLayout(this.ctx.home, dest)
      const profile = layout && mappingFromLayout(layout, headers)
      return profile ? { profile, kind: 'layout', from: dest.sandbox ? SANDBOX_NAME : dest.name, usedAt: layout.recordedAt } : null
    } catch (err) {
      // A removed destination or a damaged layout only costs mapping by hand.
      log('warn', 'the last destination\'s platform layout could not be read', err)
      return null
    }
  }

  checkProfile(path: string, profile: MappingProfile): Promise<Result<{ fits: boolean; problems: string[] }>> {
    return run('checkProfile', async () => {
      this.ctx.scope.assertCsv(path)
      return checkProfileFits((await previewCsv(path)).headers, profile)
    })
  }

  convertDateExample(value: string, dateFormat: string, timezone: string): Promise<Result<string>> {
    return run('convertDateExample', async () => {
      // The UI shows the message under the format field: make it the specific sentence.
      if (!isValidZone(timezone)) {
        const message = `"${timezone}" is not a time zone. Pick one from the list, such as Europe/London.`
        throw new AppError('BAD_ARGUMENT', `Expected \`timezone\` to be an IANA time zone, got \`${timezone}\``, { message })
      }
      const converted = convertDate(value, dateFormat, timezone)
      if (converted === null) {
        const message = `"${value}" does not match the format ${dateFormat || 'ISO 8601'}. Check the format against the first rows of the CSV.`
        throw new AppError('BAD_ARGUMENT', message, { message })
      }
      return converted
    })
  }

  proposeDateFormat(path: string, column: string): Promise<Result<DateFormatProposal>> {
    return run('proposeDateFormat', async () => {
      this.ctx.scope.assertCsv(path)
      return proposeDateFormat(path, column)
    })
  }

  parseMapping(text: string): Promise<Result<MappingProfile>> {
    return run('parseMapping', async () => parseMappingText(text))
  }

  saveMapping(profile: MappingProfile): Promise<Result<SaveOutcome>> {
    return run('saveMapping', () => this.ctx.saveForUser({ name: 'mapping.json', mimeType: 'application/json', text: mappingProfileText(profile) }))
  }

  validate(spec: BatchSpec): Promise<Result<BatchReport>> {
    return run('validate', async () => {
      this.ctx.scope.assertBatch(spec)
      const key = JSON.stringify(spec.paths)
      const scan = this.lastScan?.key === key ? this.lastScan.scan : undefined
      this.lastScan = null
      const csv = await csvStamp(spec.csvPath)
      const checked = await validateBatch(spec, scan ? { scan } : {})
      const destination = spec.destinationId ? await this.ctx.destination(spec.destinationId) : null
      const view = destination ? await checkedForDestination(this.ctx.home, checked, spec, destination, await this.ctx.ledgerFor(destination)) : checked
      this.ctx.checks.put(spec, checked, csv, Date.now(), view)
      // The next CSV with this very header gets this mapping without being mapped again.
      await this.mappings.remember(checked.manifest.headers, spec.mapping, spec.csvPath).catch((err: unknown) => log('warn', 'could not remember the mapping', err))
      return view.report
    })
  }

  matchPreviewRecordings(spec: Pick<BatchSpec, 'paths' | 'csvPath' | 'mapping'>): Promise<Result<PreviewRecording[]>> {
    return run('matchPreviewRecordings', async () => {
      this.ctx.scope.assertBatch(spec)
      // The scan the files step just made, kept for the check (not taken from it); else a new one.
      const key = JSON.stringify(spec.paths)
      const scan = this.lastScan?.key === key ? this.lastScan.scan : await scanPaths(spec.paths)
      return this.previewMedia.match(spec, scan)
    })
  }

  listIssues(checkId: string, query: IssueQuery): Promise<Result<{ total: number; issues: ValidationIssue[] }>> {
    return run('listIssues', async () => queryIssues(this.ctx.checks.get(checkId).issues, query))
  }

  exportIssues(checkId: string): Promise<Result<SaveOutcome>> {
    return run('exportIssues', async () => this.ctx.saveForUser(await issuesCsvFile(this.ctx.checks.get(checkId))))
  }

  listRecordings(checkId: string, offset: number, limit: number): Promise<Result<{ total: number; rows: RecordingRow[] }>> {
    return run('listRecordings', async () => recordingRows(this.ctx.checks.get(checkId), offset, limit))
  }

  /**
   * The file a media handle names, for the hosts' media routes: only a recording of a check
   * still kept, inside its batch's folders; null otherwise (the route answers 403).
   */
  async mediaFile(handle: string): Promise<MediaFile | null> {
    if (PreviewMedia.owns(handleCheckId(handle))) return this.previewMedia.file(handle)
    let checked
    try {
      checked = this.ctx.checks.get(handleCheckId(handle))
    } catch {
      return null
    }
    return batchMediaFile(checked, handle)
  }
}
