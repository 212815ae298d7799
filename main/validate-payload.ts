/**
 * Payloads crossing a transport (Electron IPC, the web host's WebSocket) are checked here
 * before they reach the core: the other end is a renderer, which we treat as untrusted input.
 * Each call has one validator that returns a fresh, typed argument tuple holding only the
 * fields the contract declares; anything else is refused with BAD_ARGUMENT and a message in
 * one shape: "Expected `port` to be an integer from 1 to 65535, got `0`".
 */
import { AppError } from '../src/errors'
import { ISSUE_CODES, PROXY_MODES, type ApiCall, type BatchSpec, type BulkUploadApi, type DestinationInput, type DestinationRef, type IssueQuery, type JobInput, type MappingProfile, type Settings } from '../src/api'
import { CALL_ARITY, isApiCall } from '../src/api-calls'
import { checkJobName } from '../src/jobs/job-store'
import { parseProxyUrl } from '../src/ssh/proxy'
import { parseBandwidthLimit } from '../src/ssh/rate-limiter'
import { checkLedgerAddress, redactLedger } from '../src/ledger/ledger-location'

/** Longest path or name accepted; longer values are certainly not real paths. */
const MAX_PATH = 4096
/** Longest pasted key text (an RSA 16384 private key in PEM is under 13 kB). */
const MAX_KEY_TEXT = 64 * 1024
/** Largest mapping profile file accepted (a real one is a few hundred bytes). */
const MAX_MAPPING_TEXT = 64 * 1024
/** Most dropped items in one scan call. */
const MAX_PATHS = 10_000
/** Largest page of issues the UI may ask for at once. */
const MAX_PAGE = 10_000
/** Longest team ledger address (a PostgreSQL URL with options is well under 1 kB). */
const MAX_LEDGER_ADDRESS = 2048

function show(value: unknown): string {
  let text: string
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value))
  } catch {
    text = String(value)
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** Fields whose values are secrets or key material: an error names the field, never the value. */
const SECRET_FIELDS = new Set(['passphrase', 'text', 'token', 'secret'])

function fail(name: string, expected: string, value: unknown): never {
  if (SECRET_FIELDS.has(name)) throw new AppError('BAD_ARGUMENT', `Expected \`${name}\` to be ${expected} (the value given is not shown: it is secret)`)
  throw new AppError('BAD_ARGUMENT', `Expected \`${name}\` to be ${expected}, got \`${show(value)}\``)
}

function str(value: unknown, name: string, opts: { max?: number; allowEmpty?: boolean } = {}): string {
  const max = opts.max ?? MAX_PATH
  if (typeof value !== 'string' || value.length > max || (!opts.allowEmpty && value.length === 0) || value.includes('\0')) {
    fail(name, `${opts.allowEmpty ? 'a' : 'a non-empty'} string of at most ${max} characters without NUL`, value)
  }
  return value
}

function optStr(value: unknown, name: string): string | undefined {
  return value === undefined ? undefined : str(value, name, { max: 256 })
}

function nullableStr(value: unknown, name: string, max = MAX_PATH): string | null {
  return value === null ? null : str(value, name, { max, allowEmpty: true })
}

function int(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(name, `an integer from ${min} to ${max}`, value)
  }
  return value
}

function bool(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') fail(name, 'true or false', value)
  return value
}

function record(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(name, 'an object', value)
  return value as Record<string, unknown>
}

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(name, `one of ${allowed.map((a) => `\`${a}\``).join(', ')}`, value)
  }
  return value as T
}

function paths(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_PATHS) {
    fail(name, `an array of 1 to ${MAX_PATHS} paths`, value)
  }
  return value.map((p, i) => str(p, `${name}[${i}]`))
}

export function mappingProfile(value: unknown, name = 'profile'): MappingProfile {
  const v = record(value, name)
  const profile: MappingProfile = {
    contactReference: str(v.contactReference, `${name}.contactReference`, { max: 256 }),
    agentId: str(v.agentId, `${name}.agentId`, { max: 256 }),
    contactDate: str(v.contactDate, `${name}.contactDate`, { max: 256 }),
  }
  const audioFilename = optStr(v.audioFilename, `${name}.audioFilename`)
  const dateFormat = optStr(v.dateFormat, `${name}.dateFormat`)
  const timezone = optStr(v.timezone, `${name}.timezone`)
  const duration = optStr(v.duration, `${name}.duration`)
  if (audioFilename !== undefined) profile.audioFilename = audioFilename
  if (duration !== undefined) profile.duration = duration
  if (dateFormat !== undefined) profile.dateFormat = dateFormat
  if (timezone !== undefined) profile.timezone = timezone
  return profile
}

function batchSpec(value: unknown, name = 'spec'): BatchSpec {
  const v = record(value, name)
  const spec: BatchSpec = { paths: paths(v.paths, `${name}.paths`), csvPath: str(v.csvPath, `${name}.csvPath`), mapping: mappingProfile(v.mapping, `${name}.mapping`) }
  if (v.destinationId !== undefined) spec.destinationId = id(v.destinationId, `${name}.destinationId`)
  if (v.resendDelivered !== undefined) spec.resendDelivered = bool(v.resendDelivered, `${name}.resendDelivered`)
  if (v.layoutChoice !== undefined) spec.layoutChoice = oneOf(v.layoutChoice, `${name}.layoutChoice`, ['keep', 'adopt'] as const)
  return spec
}

function issueQuery(value: unknown, name = 'query'): IssueQuery {
  const v = record(value, name)
  const query: IssueQuery = { offset: int(v.offset, `${name}.offset`, 0, Number.MAX_SAFE_INTEGER), limit: int(v.limit, `${name}.limit`, 1, MAX_PAGE) }
  if (v.code !== undefined) query.code = oneOf(v.code, `${name}.code`, ISSUE_CODES)
  if (v.severity !== undefined) query.severity = oneOf(v.severity, `${name}.severity`, ['error', 'warning', 'notice'] as const)
  return query
}

function destinationInput(value: unknown, name = 'destination'): DestinationInput {
  const v = record(value, name)
  const input: DestinationInput = {
    name: str(v.name, `${name}.name`, { max: 200 }),
    host: str(v.host, `${name}.host`, { max: 253 }),
    port: int(v.port, `${name}.port`, 1, 65535),
    username: str(v.username, `${name}.username`, { max: 256 }),
    keyName: str(v.keyName, `${name}.keyName`, { max: 200 }),
    remoteDir: str(v.remoteDir ?? '', `${name}.remoteDir`, { allowEmpty: true }),
  }
  if (/\s/.test(input.host)) fail(`${name}.host`, 'a host name or address without spaces', v.host)
  if (v.id !== undefined) input.id = str(v.id, `${name}.id`, { max: 200 })
  return input
}

export function settings(value: unknown, name = 'settings'): Settings {
  const v = record(value, name)
  const checked: Settings = {
    concurrency: v.concurrency === null ? null : int(v.concurrency, `${name}.concurrency`, 1, 32),
    retentionDays: int(v.retentionDays, `${name}.retentionDays`, 1, 3650),
    ledgerRetentionDays: int(v.ledgerRetentionDays, `${name}.ledgerRetentionDays`, 1, 3650),
    bandwidthLimit: str(v.bandwidthLimit, `${name}.bandwidthLimit`, { max: 256, allowEmpty: true }).trim(),
    proxy: oneOf(v.proxy, `${name}.proxy`, PROXY_MODES),
    proxyUrl: str(v.proxyUrl, `${name}.proxyUrl`, { max: 2048, allowEmpty: true }).trim(),
    teamLedger: teamLedger(v.teamLedger, `${name}.teamLedger`),
  }
  // The CLI's own parsers: the setting accepts exactly what `--bwlimit` and `--proxy` do.
  if (checked.bandwidthLimit !== '') parseBandwidthLimit(checked.bandwidthLimit, `${name}.bandwidthLimit`)
  if (checked.proxy === 'url' || checked.proxyUrl !== '') parseProxyUrl(checked.proxyUrl, `${name}.proxyUrl`)
  return checked
}

/**
 * '' (this computer's own ledger) or a PostgreSQL address, checked as `--ledger` is: a bad one
 * is TEAM_LEDGER_INVALID with what was wrong. A refusal never repeats the address's password.
 */
function teamLedger(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length > MAX_LEDGER_ADDRESS || value.includes('\0')) {
    fail(name, `'' or a postgresql:// address of at most ${MAX_LEDGER_ADDRESS} characters without NUL`, typeof value === 'string' ? redactLedger(value) : value)
  }
  const address = value.trim()
  return address === '' ? '' : checkLedgerAddress(address)
}

function jobInput(value: unknown, name = 'job'): JobInput {
  const v = record(value, name)
  return {
    name: checkJobName(str(v.name, `${name}.name`, { max: 64 })),
    root: str(v.root, `${name}.root`),
    spec: batchSpec(v.spec, `${name}.spec`),
    destinationId: id(v.destinationId, `${name}.destinationId`),
  }
}

const id = (value: unknown, name: string): string => str(value, name, { max: 200 })
const destinationRef = (value: unknown): DestinationRef => (typeof value === 'string' ? id(value, 'destinationId') : destinationInput(value, 'destination'))
const passphrase = (value: unknown): string | null => nullableStr(value, 'passphrase', 1024)

/** Most IDs a hand-edited agent list may hold (a platform's whole user export fits). */
const MAX_AGENT_IDS = 200_000

/** An agent list edited in the settings: IDs of at most 320 characters (an e-mail address's limit). */
function agentIds(value: unknown, name = 'ids'): string[] {
  if (!Array.isArray(value) || value.length > MAX_AGENT_IDS) fail(name, `an array of at most ${MAX_AGENT_IDS} agent IDs`, value)
  return value.map((v, i) => str(v, `${name}[${i}]`, { max: 320 }))
}

type Validators = { readonly [K in ApiCall]: (a: unknown[]) => Parameters<BulkUploadApi[K]> }

const VALIDATORS: Validators = {
  capabilities: () => [],
  scan: (a) => [paths(a[0], 'paths')],
  browse: (a) => [a[0] === null ? null : str(a[0], 'path')],
  pickFolder: () => [],
  previewCsv: (a) => [str(a[0], 'path')],
  checkProfile: (a) => [str(a[0], 'path'), mappingProfile(a[1])],
  convertDateExample: (a) => [str(a[0], 'value', { max: 256, allowEmpty: true }), str(a[1], 'dateFormat', { max: 256, allowEmpty: true }), str(a[2], 'timezone', { max: 256 })],
  proposeDateFormat: (a) => [str(a[0], 'path'), str(a[1], 'column', { max: 1024 })],
  parseMapping: (a) => [str(a[0], 'text', { max: MAX_MAPPING_TEXT })],
  saveMapping: (a) => [mappingProfile(a[0])],
  validate: (a) => [batchSpec(a[0])],
  listIssues: (a) => [id(a[0], 'checkId'), issueQuery(a[1])],
  exportIssues: (a) => [id(a[0], 'checkId')],
  listRecordings: (a) => [id(a[0], 'checkId'), int(a[1], 'offset', 0, 100_000_000), int(a[2], 'limit', 1, 500)],
  listKeys: () => [],
  generateKey: (a) => [id(a[0], 'name'), oneOf(a[1], 'type', ['ed25519', 'rsa'] as const), passphrase(a[2])],
  importKey: (a) => [id(a[0], 'name'), str(a[1], 'text', { max: MAX_KEY_TEXT }), passphrase(a[2])],
  listDestinations: () => [],
  saveDestination: (a) => [destinationInput(a[0])],
  removeDestination: (a) => [id(a[0], 'destinationId')],
  testConnection: (a) => [destinationRef(a[0]), passphrase(a[1])],
  trustHost: (a) => [destinationRef(a[0]), str(a[1], 'fingerprint', { max: 256 })],
  forgetHostKey: (a) => [id(a[0], 'destinationId')],
  listHistory: (a) => [id(a[0], 'destinationId')],
  writeSampleCsv: (a) => [id(a[0], 'destinationId'), a[1] === null ? null : batchSpec(a[1])],
  startUpload: (a) => [batchSpec(a[0]), id(a[1], 'destinationId'), passphrase(a[2])],
  pauseUpload: (a) => [id(a[0], 'batchId'), bool(a[1], 'paused')],
  cancelUpload: (a) => [id(a[0], 'batchId')],
  listInterrupted: () => [],
  resumeInterrupted: (a) => [id(a[0], 'batchId'), passphrase(a[1])],
  discardInterrupted: (a) => [id(a[0], 'batchId')],
  resyncUpload: (a) => [id(a[0], 'batchId')],
  openPath: (a) => [str(a[0], 'path')],
  getSettings: () => [],
  saveSettings: (a) => [settings(a[0])],
  saveJob: (a) => [jobInput(a[0])],
  listJobs: () => [],
  removeJob: (a) => [checkJobName(str(a[0], 'name', { max: 64 }))],
  getKnownAgents: (a) => [id(a[0], 'destinationId')],
  previewAgentList: (a) => [str(a[0], 'path')],
  importAgentList: (a) => [id(a[0], 'destinationId'), str(a[1], 'path'), str(a[2], 'column', { max: 1024 })],
  saveAgentList: (a) => [id(a[0], 'destinationId'), agentIds(a[1])],
  setStrictAgents: (a) => [id(a[0], 'destinationId'), bool(a[1], 'strict')],
  confirmAgents: (a) => [id(a[0], 'destinationId'), agentIds(a[1])],
  matchPreviewRecordings: (a) => {
    const { paths, csvPath, mapping } = batchSpec(a[0])
    return [{ paths, csvPath, mapping }]
  },
}

/** A checked call: its name and its arguments, typed for `api[call](...args)`. */
export interface CheckedCall {
  call: ApiCall
  args: unknown[]
}

/**
 * Checks a call that arrived from a transport. Throws AppError BAD_ARGUMENT when the name is
 * not a call of the contract, the argument count is wrong, or an argument has the wrong shape.
 */
export function validateCall(call: unknown, args: unknown): CheckedCall {
  if (!isApiCall(call)) fail('call', 'the name of a call of the contract', call)
  if (!Array.isArray(args)) fail('args', 'an array of arguments', args)
  const arity = CALL_ARITY[call]
  if (args.length !== arity) fail(`${call} arguments`, `${arity} argument${arity === 1 ? '' : 's'}`, args.length)
  return { call, args: VALIDATORS[call](args) }
}
