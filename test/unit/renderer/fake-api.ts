/**
 * A small in-memory BulkUploadApi for the wizard's component tests and the dev-only
 * screenshot page. Deterministic (no randomness, no clock), records every call, and lets a
 * test make any call fail with a coded error or push upload events as the engine would.
 */
import type {
  PreviewRecording, AgentListPreview, KnownAgentsView, ApiCall, AppErrorPayload, BatchReport, ConnectionCheck, BulkUploadApi, CsvPreview, Destination, DestinationInput, DestinationRef, DirectoryListing,
  DateFormatProposal, DeliveredBatch, HostCapabilities, InterruptedBatch, IssueQuery, JobInfo, JobInput, KeyInfo, MappingProfile, OpenOutcome, RecordingRow, Result, SaveOutcome, ScanSummary, Settings, UploadEvent, ValidationIssue,
} from '../../../src/api'

const ok = <T>(value: T): Result<T> => ({ ok: true, value })
const fail = <T>(error: AppErrorPayload): Result<T> => ({ ok: false, error })
/** Where the fake save dialog puts files. */
export const DOCUMENTS = '/home/qa/Documents'
const pad = (n: number, w = 5) => String(n).padStart(w, '0')

export const AGENTS = ['amira.khan@acme-support.co.uk', 'ben.oduya@acme-support.co.uk', 'chloe.martin@acme-support.co.uk', 'dev.patel@acme-support.co.uk']

export function sampleRows(n: number): string[][] {
  return Array.from({ length: n }, (_, i) => {
    const day = 1 + (i % 28)
    return [
      `CR-2024-${pad(i + 1)}`, AGENTS[i % AGENTS.length]!, `${String(day).padStart(2, '0')}/05/2024 ${String(8 + (i % 9)).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}`,
      i % 3 === 0 ? 'Outbound' : 'Inbound', ['Billing', 'Sales', 'Retention'][i % 3]!, String(60 + ((i * 37) % 900)), `call-${pad(i + 1)}.wav`,
    ]
  })
}

export const HEADERS = ['Call ID', 'Agent Email', 'Call Start', 'Direction', 'Queue', 'Duration (s)', 'Recording']

export function sampleIssues(): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  for (let i = 0; i < 96; i++) issues.push({ code: 'MISSING_RECORDING', severity: 'error', row: 40 + i * 3, file: `call-${pad(40 + i * 3)}.wav`, message: 'No recording with this file name is in the folder. Add it, or correct the name in the CSV.' })
  for (let i = 0; i < 12; i++) issues.push({ code: 'INVALID_DATE', severity: 'error', row: 7 + i * 50, file: null, message: 'The contact date “31/02/2024 25:61” is not a date in the chosen format. Correct it in the CSV.' })
  for (let i = 0; i < 4; i++) issues.push({ code: 'DUPLICATE_REFERENCE', severity: 'error', row: 900 + i, file: null, message: 'This contact reference is used by an earlier row. Each conversation needs its own.' })
  for (let i = 0; i < 25; i++) issues.push({ code: 'ORPHAN_RECORDING', severity: 'warning', row: null, file: `extra/voicemail-${pad(i + 1, 3)}.mp3`, message: 'No row of the CSV names this recording, so it will not be sent.' })
  return issues
}

/** The rows a batch sends, with their recordings' durations (Review's recordings table). */
export function sampleRecordings(n: number): RecordingRow[] {
  return Array.from({ length: n }, (_, i) => ({
    row: i + 1, reference: `CR-2024-${pad(i + 1)}`, agent: AGENTS[i % AGENTS.length]!, file: `call-${pad(i + 1)}.wav`,
    size: 1_200_000 + ((i * 7_919) % 900_000), seconds: 60 + ((i * 37) % 900), media: `check-1.${i}`,
  }))
}

/** Daily deliveries going back from 31 May 2024, newest first, as the delivery ledger lists them. */
export function sampleHistory(n: number): DeliveredBatch[] {
  return Array.from({ length: n }, (_, i) => {
    const day = new Date(Date.UTC(2024, 4, 31 - i, 17, 5 + (i % 40)))
    const date = day.toISOString().slice(0, 10)
    return {
      batchId: `batch-${n - i}`, csvName: `calls-${date}-${String(n - i).padStart(4, '0')}.csv`, rows: 180 + ((i * 53) % 140), bytes: 310_000_000 + ((i * 7_919_111) % 200_000_000),
      deliveredAt: day.toISOString(), sourceCsv: `/home/qa/exports/daily/calls-${date}.csv`,
      reportCsv: i < 30 ? `/home/qa/.local/share/bulk-upload/reports/batch-${n - i}.csv` : null,
      reportJson: i < 30 ? `/home/qa/.local/share/bulk-upload/reports/batch-${n - i}.json` : null,
    }
  })
}

export class FakeApi implements BulkUploadApi {
  readonly calls: Array<{ name: ApiCall; args: unknown[] }> = []
  /** Calls listed here answer with this error instead of their value. */
  failures: Partial<Record<ApiCall, AppErrorPayload>> = {}
  caps: HostCapabilities = { kind: 'electron', nativeDialogs: true }
  pickedFolder: string | null = '/home/qa/exports/may-2024'
  scanResult: ScanSummary = {
    roots: ['/home/qa/exports/may-2024'],
    csvFiles: [{ path: '/home/qa/exports/may-2024/calls.csv', relPath: 'calls.csv', size: 412_733, mtimeMs: 1_716_000_000_000 }],
    recordingCount: 4_812, recordingBytes: 9_633_412_004, byExtension: { wav: 4_790, mp3: 22 }, skipped: 3,
  }
  previewResult: CsvPreview = {
    path: '/home/qa/exports/may-2024/calls.csv', encoding: 'utf-8-bom', delimiter: ',', headers: HEADERS, rows: sampleRows(100),
    suggestion: { contactReference: 'Call ID', agentId: 'Agent Email', contactDate: 'Call Start', audioFilename: 'Recording' },
  }
  issues: ValidationIssue[] = sampleIssues()
  recordings: RecordingRow[] = sampleRecordings(120)
  /** Hosts that can play recordings set this (the dev page does); absent: no play buttons. */
  mediaUrl?: (media: string) => Promise<Result<string>>
  report: BatchReport = {
    checkId: 'check-1', ready: true, conversations: 4_896, eligible: 4_784, excluded: 112, recordings: 4_812, orphans: 25,
    eligibleBytes: 9_580_112_300, counts: { MISSING_RECORDING: 96, INVALID_DATE: 12, DUPLICATE_REFERENCE: 4, ORPHAN_RECORDING: 25 }, issueTotal: 137,
  }
  keys: KeyInfo[] = []
  destinations: Destination[] = [{ id: 'sandbox', name: 'Sandbox', host: '127.0.0.1', port: 2222, username: 'sandbox', keyName: 'sandbox', remoteDir: '', sandbox: true }]
  hostKey = { keyType: 'ssh-ed25519', fingerprint: 'SHA256:q3V0p9cUo2yF8m1b7hQk4nJtW5sXz6aRgLdEeC0iKfY' }
  trusted = new Set<string>(['sandbox'])
  /** The batch ids startUpload answered, in order. */
  startedBatches: string[] = []
  /** Destinations whose server refuses this user or key at login. */
  refusedLogin = new Set<string>()
  /** Destinations whose server now shows another host key. */
  hostKeyChanged = new Set<string>()
  interrupted: InterruptedBatch[] = []
  settings: Settings = { concurrency: 8, retentionDays: 30, ledgerRetentionDays: 400, bandwidthLimit: '', proxy: 'system', proxyUrl: '', teamLedger: '' }
  jobs: JobInfo[] = []
  history: DeliveredBatch[] = []
  /**
   * Per destination: how many of this batch's rows were delivered there before, and in which
   * batches (newest first). validate() flags them as the core does, once told the destination.
   */
  deliveries: Record<string, { rows: number; batches: DeliveredBatch[] }> = {}
  /** Per destination: the LAYOUT_CHANGED detail when this CSV's columns differ from its layout. */
  layoutChanges: Record<string, string> = {}
  /** Issues of each validation that differ from `issues` (destination-aware checks). */
  private checkIssues = new Map<string, ValidationIssue[]>()
  dateProposal: DateFormatProposal = { iso: false, candidates: ['dd/MM/yyyy HH:mm'], ambiguous: false, reason: 'Some days are above 12 (e.g. 28/05/2024), so the day comes first.', examples: [{ value: '28/05/2024 16:21', converted: '2024-05-28T16:21:00+01:00' }] }
  /** Files "saved" through the save dialog, by path, with their text. */
  savedFiles = new Map<string, string>()
  /** How saves answer: as Electron's save dialog, or as the web host's download. */
  saveAs: 'saved' | 'download' = 'saved'
  profileFits = true
  /** Per destination id: its known agents (none: no list, nothing delivered). */
  knownAgents: Record<string, KnownAgentsView> = {}
  /** Per destination id: the agents confirmed (lower case), which validate() no longer flags. */
  confirmedAgents: Record<string, Set<string>> = {}
  /** Agent-list CSVs "on disk", by path: their header and rows, as the core would decode them. */
  agentFiles: Record<string, { headers: string[]; rows: string[][] }> = {}
  /** Recording names of the preview that are not in the batch's folders (matchPreviewRecordings leaves them out). */
  previewMissing = new Set<string>()
  private listeners = new Set<(e: UploadEvent) => void>()
  private nextId = 1

  private answer<T>(name: ApiCall, args: unknown[], value: () => Result<T> | T): Promise<Result<T>> {
    this.calls.push({ name, args })
    const error = this.failures[name]
    if (error) return Promise.resolve(fail(error))
    const v = value()
    return Promise.resolve(v && typeof v === 'object' && 'ok' in v ? (v as Result<T>) : ok(v as T))
  }

  /** Pushes an event to every subscriber, as the engine does during an upload. */
  emit(event: UploadEvent): void {
    for (const l of this.listeners) l(event)
  }
  callsTo(name: ApiCall): unknown[][] {
    return this.calls.filter((c) => c.name === name).map((c) => c.args)
  }

  capabilities() { return this.answer('capabilities', [], () => this.caps) }
  scan(paths: string[]) { return this.answer('scan', [paths], () => ({ ...this.scanResult, roots: paths })) }
  browse(path: string | null) {
    return this.answer('browse', [path], (): DirectoryListing => {
      const at = path ?? '/home/qa'
      const dirs = at === '/home/qa' ? ['exports', 'Documents'] : at === '/home/qa/exports' ? ['april-2024', 'may-2024'] : []
      return {
        path: at, parent: at === '/' ? null : at.slice(0, at.lastIndexOf('/')) || '/',
        here: at.endsWith('may-2024') ? { csvFiles: 1, recordings: 4_781, complete: true } : { csvFiles: 0, recordings: 0, complete: true },
        folders: dirs.map((d) => ({ name: d, path: `${at}/${d}`, counts: d.endsWith('-2024') ? { csvFiles: 1, recordings: d === 'may-2024' ? 4_781 : 4_102, complete: true } : { csvFiles: 0, recordings: 0, complete: true } })),
      }
    })
  }
  pickFolder() { return this.answer('pickFolder', [], () => this.pickedFolder) }
  previewCsv(path: string) { return this.answer('previewCsv', [path], () => ({ ...this.previewResult, path })) }
  checkProfile(path: string, profile: MappingProfile) {
    return this.answer('checkProfile', [path, profile], () => (this.profileFits ? { fits: true, problems: [] } : { fits: false, problems: [`Column “${profile.agentId}” is not in this CSV.`] }))
  }
  convertDateExample(value: string, dateFormat: string, timezone: string) {
    return this.answer('convertDateExample', [value, dateFormat, timezone], (): Result<string> => {
      const m = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d)$/.exec(value)
      const dayFirst = dateFormat.startsWith('dd/MM/yyyy')
      if (!m || !(dayFirst || dateFormat.startsWith('MM/dd/yyyy'))) return fail({ code: 'BAD_ARGUMENT', message: `“${value}” does not match the format ${dateFormat}.` })
      const [day, month] = dayFirst ? [m[1], m[2]] : [m[2], m[1]]
      return ok(`${m[3]}-${month}-${day}T${m[4]}:${m[5]}:00${timezone === 'UTC' ? '+00:00' : '+01:00'}`)
    })
  }
  proposeDateFormat(path: string, column: string) { return this.answer('proposeDateFormat', [path, column], () => ({ ...this.dateProposal })) }
  parseMapping(text: string) {
    return this.answer('parseMapping', [text], (): Result<MappingProfile> => {
      try {
        return ok(JSON.parse(text) as MappingProfile)
      } catch {
        return fail({ code: 'BAD_ARGUMENT', message: 'The mapping file is not a mapping saved by this app (it is not valid JSON). Choose the .json file that "Save mapping" wrote.' })
      }
    })
  }
  saveMapping(profile: MappingProfile) { return this.answer('saveMapping', [profile], () => this.saved(`${DOCUMENTS}/mapping.json`, JSON.stringify(profile))) }
  /** What a save call answers: the native dialog's path (Electron), or a download (`saveAs = 'download'`, the web host). */
  private saved(file: string, text: string): SaveOutcome {
    this.savedFiles.set(file, text)
    return this.saveAs === 'download' ? { kind: 'download', name: file.slice(file.lastIndexOf('/') + 1), mimeType: 'text/csv', text } : { kind: 'saved', path: file }
  }
  validate(spec: Parameters<BulkUploadApi['validate']>[0]) { return this.answer('validate', [spec], () => this.withAgentSetting(spec.destinationId, this.reportFor(spec))) }
  /**
   * As the core: when the destination's unknown agents are errors (strict, with a list loaded),
   * the report's agents say so and their rows are left out.
   */
  private withAgentSetting(dest: string | null | undefined, given: BatchReport): BatchReport {
    const known = dest ? this.knownAgents[dest] : undefined
    const r = this.withoutConfirmed(dest, given)
    if (!r.agents || r.agents.code !== 'UNKNOWN_AGENT' || !known?.strict || !known.list) return r
    const rows = r.agents.concerned.reduce((n, c) => n + c.rows, 0)
    const eligible = Math.max(0, r.eligible - rows)
    return { ...r, checkId: `${r.checkId}-strict`, agents: { ...r.agents, strict: true }, eligible, excluded: r.excluded + (r.eligible - eligible), ready: r.ready && eligible > 0 }
  }
  /** As the core: agents confirmed for the destination are known, so no longer concerned. */
  private withoutConfirmed(dest: string | null | undefined, r: BatchReport): BatchReport {
    const confirmed = dest ? this.confirmedAgents[dest] : undefined
    if (!r.agents || !confirmed || confirmed.size === 0) return r
    const concerned = r.agents.concerned.filter((c) => !confirmed.has(c.agent.toLowerCase()))
    const code = concerned.length > 0 ? r.agents.code : null
    const counts = { ...r.counts }
    if (r.agents.code) {
      const left = concerned.reduce((n, c) => n + c.rows, 0)
      if (left > 0) counts[r.agents.code] = left
      else delete counts[r.agents.code]
    }
    return { ...r, counts, checkId: `${r.checkId}-confirmed${confirmed.size}`, agents: { ...r.agents, concerned, concernedTotal: concerned.length, code, deliveredSize: confirmed.size } }
  }
  /** As the core: rows already delivered to the destination are flagged and left out unless resent; a changed layout is one warning. */
  private reportFor(spec: Parameters<BulkUploadApi['validate']>[0]): BatchReport {
    const dest = spec.destinationId
    const delivered = dest ? this.deliveries[dest] : undefined
    const layout = dest ? this.layoutChanges[dest] : undefined
    if (!delivered && !layout) return this.report
    const r: BatchReport = { ...this.report, counts: { ...this.report.counts }, checkId: `${this.report.checkId}-${dest}${spec.resendDelivered ? '-resend' : ''}-${spec.layoutChoice ?? 'keep'}` }
    const extra: ValidationIssue[] = []
    if (layout) {
      extra.push({ code: 'LAYOUT_CHANGED', severity: 'warning', row: null, file: null, message: `The CSV's columns differ from the layout this destination's platform mapping was set up with: ${layout}. Keep the platform's layout (missing columns are sent empty, new ones left out), or adopt the new one and update the mapping in the platform.` })
      r.counts.LAYOUT_CHANGED = 1
      r.layout = { columns: [], recordedAt: '2024-04-02T08:00:00Z' }
    }
    if (delivered) {
      const latest = delivered.batches[0]
      for (let i = 0; i < Math.min(delivered.rows, 500); i++) {
        extra.push({ code: 'ALREADY_DELIVERED', severity: 'warning', row: i + 1, file: null, message: `Row ${i + 1} has the contact reference "CR-2024-${pad(i + 1)}", already delivered to this destination${latest ? ` (${latest.deliveredAt.slice(0, 10)}, ${latest.csvName})` : ''}. It is left out so the platform does not get it twice; choose to send delivered rows again only on purpose.` })
      }
      r.alreadyDelivered = delivered.rows
      r.deliveredBefore = delivered.batches
      r.counts.ALREADY_DELIVERED = delivered.rows
      if (!spec.resendDelivered) {
        r.eligible = Math.max(0, r.eligible - delivered.rows)
        r.excluded += Math.min(delivered.rows, this.report.eligible)
        r.eligibleBytes = this.report.eligible ? Math.round(this.report.eligibleBytes * (r.eligible / this.report.eligible)) : 0
        r.ready = r.ready && r.eligible > 0
      }
    }
    r.issueTotal = this.report.issueTotal + extra.length - Math.min(delivered?.rows ?? 0, 500) + (delivered?.rows ?? 0)
    this.checkIssues.set(r.checkId, [...extra, ...this.issues])
    return r
  }
  listIssues(checkId: string, q: IssueQuery) {
    return this.answer('listIssues', [checkId, q], () => {
      const all = (this.checkIssues.get(checkId) ?? this.issues).filter((i) => (!q.code || i.code === q.code) && (!q.severity || i.severity === q.severity))
      return { total: all.length, issues: all.slice(q.offset, q.offset + q.limit) }
    })
  }
  exportIssues(checkId: string) { return this.answer('exportIssues', [checkId], () => this.saved(`${DOCUMENTS}/calls-problems.csv`, 'row,contact reference,agent,contact date,file,code,severity,message\r\n')) }
  listRecordings(checkId: string, offset: number, limit: number) {
    return this.answer('listRecordings', [checkId, offset, limit], () => ({ total: this.recordings.length, rows: this.recordings.slice(offset, offset + limit) }))
  }

  listKeys() { return this.answer('listKeys', [], () => [...this.keys]) }
  generateKey(name: string, type: 'ed25519' | 'rsa', passphrase: string | null) {
    return this.answer('generateKey', [name, type, passphrase], () => {
      const key: KeyInfo = {
        name, type, bits: type === 'rsa' ? 4096 : 256, fingerprint: 'SHA256:7s2kQy0bM1eXf4VvR9pA3LwN8cT6hJdU5gZoHiKqE2w',
        publicKey: `ssh-${type} AAAAC3NzaC1lZDI1NTE5AAAAIK9v3d0mQ4Wc8pLxT7sYb2nRf1hJ6uE0aZgD5kVqN3yM ${name}@bulk-upload`, encrypted: !!passphrase, createdAt: '2024-05-31T09:00:00Z',
      }
      this.keys.push(key)
      return key
    })
  }
  importKey(name: string, text: string, passphrase: string | null) {
    return this.answer('importKey', [name, text, passphrase], (): Result<KeyInfo> => {
      if (!text.includes('PRIVATE KEY')) return fail({ code: 'KEY_INVALID', message: 'This is not an SSH key the app can use. Paste or pick an OpenSSH, PEM, RFC 4716 or PuTTY key.' })
      const key: KeyInfo = { name, type: 'ed25519', bits: 256, fingerprint: 'SHA256:importedkeyfingerprint', publicKey: `ssh-ed25519 AAAAimported ${name}`, encrypted: !!passphrase, createdAt: '2024-05-31T09:00:00Z' }
      this.keys.push(key)
      return ok(key)
    })
  }
  listDestinations() { return this.answer('listDestinations', [], () => [...this.destinations]) }
  saveDestination(input: DestinationInput) {
    return this.answer('saveDestination', [input], () => {
      const d: Destination = { ...input, id: input.id ?? `dest-${this.nextId++}`, sandbox: false }
      this.destinations = [...this.destinations.filter((x) => x.id !== d.id), d]
      return d
    })
  }
  removeDestination(id: string) { return this.answer('removeDestination', [id], () => { this.destinations = this.destinations.filter((d) => d.id !== id) }) }
  testConnection(ref: DestinationRef, passphrase: string | null): Promise<Result<ConnectionCheck>> {
    return this.answer('testConnection', [ref, passphrase], () => {
      const d = typeof ref === 'string' ? this.destinations.find((x) => x.id === ref)! : ref
      const id = this.serverOf(ref)
      // As the core, where trust belongs to the server (host:port), whichever destination names it.
      const trusted = this.trusted.has(id) || this.trusted.has(`${d.host}:${d.port}`)
      // As the core: a trusted server is logged in to, which a protected key needs its passphrase for.
      if (trusted && this.keys.find((k) => k.name === d.keyName)?.encrypted && !passphrase) return fail({ code: 'KEY_PASSPHRASE_NEEDED', message: 'This key is protected by a passphrase. Enter it to continue.' })
      if (trusted && (this.refusedLogin.has(id) || this.refusedLogin.has(d.username))) return fail({ code: 'AUTH_REFUSED', message: 'The server refused the key. Check the username, and that the public key shown in this app is the one pasted into the platform.' })
      if (this.hostKeyChanged.has(id)) return fail({ code: 'HOST_KEY_CHANGED', message: 'The server\'s identity key has changed since you last connected. This can mean the server was rebuilt, or that someone is intercepting the connection. Nothing was sent. Ask your platform administrator to confirm the new fingerprint before trusting it.' })
      return { hostKey: { host: d.host, port: d.port, ...this.hostKey }, trusted, canRename: true }
    })
  }
  trustHost(ref: DestinationRef, fingerprint: string) { return this.answer('trustHost', [ref, fingerprint], () => { this.trusted.add(this.serverOf(ref)) }) }

  /** A saved destination by its id; one being added by its server. */
  private serverOf(ref: DestinationRef): string {
    return typeof ref === 'string' ? ref : `${ref.host}:${ref.port}`
  }

  forgetHostKey(id: string) { return this.answer('forgetHostKey', [id], () => { this.trusted.delete(id); this.hostKeyChanged.delete(id) }) }
  listHistory(id: string) { return this.answer('listHistory', [id], () => [...this.history]) }
  writeSampleCsv(id: string, spec: Parameters<BulkUploadApi['writeSampleCsv']>[1]) { return this.answer('writeSampleCsv', [id, spec], () => this.saved(`${DOCUMENTS}/platform-sample.csv`, 'Call ID,Agent,Call Start\r\n')) }

  matchPreviewRecordings(spec: Parameters<BulkUploadApi['matchPreviewRecordings']>[0]): Promise<Result<PreviewRecording[]>> {
    return this.answer('matchPreviewRecordings', [spec], () => {
      const at = (name: string | undefined) => (name ? this.previewResult.headers.indexOf(name) : -1)
      const [ref, agent, audio] = [at(spec.mapping.contactReference), at(spec.mapping.agentId), at(spec.mapping.audioFilename)]
      if (audio < 0) return []
      return this.previewResult.rows.flatMap((r, i) => {
        const file = r[audio] ?? ''
        return file === '' || this.previewMissing.has(file) ? [] : [{ row: i + 1, reference: r[ref] ?? '', agent: r[agent] ?? '', file, media: `preview1.${i}` }]
      })
    })
  }
  getKnownAgents(id: string) { return this.answer('getKnownAgents', [id], () => this.agentsOf(id)) }
  previewAgentList(path: string): Promise<Result<AgentListPreview>> {
    return this.answer('previewAgentList', [path], () => {
      const file = this.agentFiles[path]
      if (!file) return fail({ code: 'OUT_OF_SCOPE', message: 'The app only reads the folders and files you added.' })
      // The core's default (the mapping's Agent ID suggestion), approximated: an agent or e-mail column.
      const suggested = file.headers.length === 1 ? file.headers[0]! : (file.headers.find((h) => /agent|e-?mail/i.test(h)) ?? null)
      return { path, headers: [...file.headers], suggested }
    })
  }
  importAgentList(id: string, path: string, column: string) {
    return this.answer('importAgentList', [id, path, column], () => {
      const file = this.agentFiles[path]!
      const at = file.headers.indexOf(column)
      const ids = [...new Set(file.rows.map((r) => (r[at] ?? '').trim()).filter((v) => v !== ''))]
      return this.setAgents(id, { ids, source: path, column, importedAt: '2024-06-01T09:00:00.000Z' })
    })
  }
  saveAgentList(id: string, ids: string[]) {
    return this.answer('saveAgentList', [id, ids], () => {
      const kept = [...new Set(ids.map((v) => v.trim()).filter((v) => v !== ''))]
      const before = this.agentsOf(id).list
      return this.setAgents(id, kept.length === 0 ? null : { ids: kept, source: before?.source ?? '', column: before?.column ?? '', importedAt: '2024-06-01T09:30:00.000Z' })
    })
  }
  setStrictAgents(id: string, strict: boolean) {
    return this.answer('setStrictAgents', [id, strict], () => (this.knownAgents[id] = { ...this.agentsOf(id), strict }))
  }
  confirmAgents(id: string, ids: string[]) {
    return this.answer('confirmAgents', [id, ids], () => {
      const set = (this.confirmedAgents[id] ??= new Set())
      for (const a of ids) if (a.trim() !== '') set.add(a.trim().toLowerCase())
      return (this.knownAgents[id] = { ...this.agentsOf(id), confirmed: set.size })
    })
  }
  private agentsOf(id: string): KnownAgentsView {
    return this.knownAgents[id] ?? { list: null, confirmed: 0, earlierDeliveries: 0, strict: false }
  }
  private setAgents(id: string, list: KnownAgentsView['list']): KnownAgentsView {
    this.knownAgents[id] = { ...this.agentsOf(id), list }
    return this.knownAgents[id]
  }

  startUpload(spec: Parameters<BulkUploadApi['startUpload']>[0], destinationId: string, passphrase: string | null) {
    return this.answer('startUpload', [spec, destinationId, passphrase], () => {
      const batchId = `batch-${this.nextId++}`
      this.startedBatches.push(batchId)
      return { batchId }
    })
  }
  pauseUpload(batchId: string, paused: boolean) { return this.answer('pauseUpload', [batchId, paused], () => { this.emit({ kind: 'batch-paused', batchId, paused }) }) }
  cancelUpload(batchId: string) { return this.answer('cancelUpload', [batchId], () => undefined) }
  listInterrupted() { return this.answer('listInterrupted', [], () => [...this.interrupted]) }
  resumeInterrupted(batchId: string, passphrase: string | null) { return this.answer('resumeInterrupted', [batchId, passphrase], () => ({ batchId })) }
  discardInterrupted(batchId: string) { return this.answer('discardInterrupted', [batchId], () => { this.interrupted = this.interrupted.filter((b) => b.batchId !== batchId) }) }
  resyncUpload(batchId: string) { return this.answer('resyncUpload', [batchId], () => undefined) }
  openPath(path: string) { return this.answer('openPath', [path], (): OpenOutcome => ({ kind: 'opened' })) }
  getSettings() { return this.answer('getSettings', [], () => ({ ...this.settings })) }
  saveSettings(s: Settings) { return this.answer('saveSettings', [s], () => { this.settings = { ...s }; return { ...s } }) }
  saveJob(input: JobInput) {
    return this.answer('saveJob', [input], () => {
      const job: JobInfo = {
        name: input.name, root: input.root, destination: 'sandbox@127.0.0.1:2222', savedAt: '2024-06-01T09:00:00.000Z', lastRun: null,
        schedule: { scheduler: 'systemd', text: `[Service]\nExecStart=/usr/bin/node /opt/bulk-upload/bin/bulk-upload.js job run ${input.name}` },
      }
      this.jobs = [...this.jobs.filter((j) => j.name !== input.name), job].sort((a, b) => a.name.localeCompare(b.name))
      return job
    })
  }
  listJobs() { return this.answer('listJobs', [], () => [...this.jobs]) }
  removeJob(name: string) { return this.answer('removeJob', [name], () => { this.jobs = this.jobs.filter((j) => j.name !== name) }) }

  onUploadEvent(listener: (e: UploadEvent) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }
}

/** Saved jobs as the Saved jobs dialog shows them: one that ran cleanly, one whose last run had a problem. */
export function sampleJobs(): JobInfo[] {
  const unit = (name: string) => [
    `# ~/.config/systemd/user/bulk-upload-${name}.service`, '[Unit]', `Description=bulk-upload job ${name}`, 'Wants=network-online.target', 'After=network-online.target', '',
    '[Service]', 'Type=oneshot', `ExecStart=/usr/bin/node /opt/bulk-upload/bin/bulk-upload.js job run ${name}`, '',
    `# ~/.config/systemd/user/bulk-upload-${name}.timer`, '[Unit]', `Description=Run bulk-upload job ${name} every night`, '', '[Timer]', 'OnCalendar=*-*-* 02:00:00', 'Persistent=true', '',
    '[Install]', 'WantedBy=timers.target', '', `# then: systemctl --user daemon-reload && systemctl --user enable --now bulk-upload-${name}.timer`,
  ].join('\n')
  return [
    {
      name: 'leeds-nightly', root: '/home/qa/exports', destination: 'acme-leeds@sftp.evaluagent.example:22', savedAt: '2024-05-20T16:02:00.000Z',
      lastRun: { at: '2024-06-01T02:00:04.000Z', exit: 0, batches: 3, uploaded: 2_114, problem: null }, schedule: { scheduler: 'systemd', text: unit('leeds-nightly') },
    },
    {
      name: 'york-weekly', root: '/mnt/share/york-exports', destination: 'acme-york@sftp.evaluagent.example:22', savedAt: '2024-05-27T10:45:00.000Z',
      lastRun: { at: '2024-06-01T02:10:31.000Z', exit: 1, batches: 2, uploaded: 640, problem: 'No recording with this file name: 12 rows were left out (see the report).' }, schedule: { scheduler: 'systemd', text: unit('york-weekly') },
    },
  ]
}
