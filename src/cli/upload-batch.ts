/**
 * The per-batch pipeline `upload` and `watch` share: the login (key, proxy, bandwidth limit)
 * made once, then for each folder the same checks and the same upload. One place, so a
 * watched folder is sent exactly as `bulk-upload upload <folder>` would send it.
 */
import path from 'node:path'
import { stat } from 'node:fs/promises'
import type { BatchSpec, IssueCode, UploadEvent } from '../api'
import { appHome } from '../app-home'
import { ISSUE_RULES, scanPaths, validateBatch, type CheckedBatch } from '../batch'
import { AppError, isAppError } from '../errors'
import { loadPrivateKeyForSsh } from '../keys'
import { readKnownHostsFile } from '../ssh/known-hosts'
import { proxyFromOptions } from '../ssh/proxy'
import { checkRemoteDir } from '../transfer/remote-dir'
import { parseBandwidthLimit, RateLimiter } from '../ssh/rate-limiter'
import type { ChannelPool } from '../ssh/channel-pool'
import { startUpload, type UploadDestination, type UploadJob } from '../transfer/upload'
import { chooseCsv, chooseMapping, type BatchInputOptions } from './batch-input'
import { EXIT } from './exit-codes'
import { ledgerLocation } from '../ledger/ledger-location'

/** The options `upload`, `watch` and saved jobs share (flag names as on the command line). */
export interface SendOptions extends BatchInputOptions {
  host: string
  port: number
  user: string
  key: string
  passphraseEnv?: string
  knownHosts?: string
  trustNewHost?: boolean
  remoteDir?: string
  /** Files in flight; undefined = chosen from the link's round trip. */
  concurrency?: number
  stateDir?: string
  resendDelivered?: boolean
  adoptLayout?: boolean
  bwlimit?: string
  /** A URL, or false for `--no-proxy` (commander's negatable flag). */
  proxy?: string | false
  /** `--ledger`: the team ledger's PostgreSQL address (else BULK_UPLOAD_LEDGER, else the embedded one). */
  ledger?: string
}

/** Where and how batches go: made once per command, used for every batch. */
export interface Sender {
  destination: UploadDestination
  limiter: RateLimiter | null
}

export async function prepareSender(opts: SendOptions): Promise<Sender> {
  const passphrase = opts.passphraseEnv ? process.env[opts.passphraseEnv] : undefined
  if (opts.passphraseEnv && passphrase === undefined) {
    throw new AppError('KEY_PASSPHRASE_NEEDED', `The environment variable ${opts.passphraseEnv} named by --passphrase-env is not set.`)
  }
  // Bad flags are said before the key is read or anything connects.
  const remoteDir = checkRemoteDir(opts.remoteDir ?? '')
  const limiter = opts.bwlimit ? new RateLimiter(parseBandwidthLimit(opts.bwlimit)) : null
  const proxy = proxyFromOptions(opts)
  // Checked before anything else: a wrong file or passphrase is a sentence, not a failed login.
  // A file path, or the name of a key made by `bulk-upload keygen` (stored in the app data).
  const keyIsFile = Boolean((await stat(opts.key).catch(() => null))?.isFile())
  const privateKey = await loadPrivateKeyForSsh(keyIsFile ? path.resolve(opts.key) : opts.key, passphrase)
  const knownHostsPath = await checkKnownHosts(opts.knownHosts)
  return {
    limiter,
    destination: {
      id: null,
      name: `${opts.user}@${opts.host}`,
      host: opts.host,
      port: opts.port,
      username: opts.user,
      remoteDir,
      privateKey,
      ...(passphrase ? { passphrase } : {}),
      knownHostsPath,
      trustNewHost: Boolean(opts.trustNewHost),
      proxy,
    },
  }
}

/**
 * The known_hosts file, read once before anything connects (size-bounded: `--known-hosts
 * /dev/zero` is refused at once, not read for ever on every connection attempt). A bad
 * `--known-hosts` is a bad flag; a bad file in the app home is damaged local data. Either way
 * running again meets it, so it is exit 2 with the file named, never "interrupted".
 */
async function checkKnownHosts(flag: string | undefined): Promise<string> {
  const file = flag ? path.resolve(flag) : path.join(appHome(), 'known_hosts')
  try {
    await readKnownHostsFile(file)
  } catch (err) {
    if (flag || !isAppError(err, 'BAD_ARGUMENT')) throw err
    throw new AppError('LOCAL_DATA_DAMAGED', err.details, {
      cause: err,
      message: `${file} is damaged: move it away and run again; the server's key must then be confirmed again (its fingerprint with your platform's, then --trust-new-host).`,
    })
  }
  return file
}

/** A folder checked for sending: ready (spec + checked batch), or why not and the exit code. */
export type PreparedBatch =
  | { ready: true; spec: BatchSpec; checked: CheckedBatch }
  | { ready: false; why: string; exit: number; checked: CheckedBatch | null }

/** Scans and checks one folder with the same rules as `check`. Throws for input that cannot be used. */
export async function prepareBatch(folder: string, opts: SendOptions): Promise<PreparedBatch> {
  const scan = await scanPaths([folder])
  const csvPath = await chooseCsv(folder, scan, opts.csv)
  const { mapping } = await chooseMapping(csvPath, opts)
  const spec: BatchSpec = { paths: [folder], csvPath, mapping, resendDelivered: Boolean(opts.resendDelivered), layoutChoice: opts.adoptLayout ? 'adopt' : 'keep' }
  const checked = await validateBatch(spec, { scan })
  const { report } = checked
  if (report.ready) return { ready: true, spec, checked }
  const blocking = (Object.keys(report.counts) as IssueCode[]).filter((c) => ISSUE_RULES[c].blocks)
  const first = checked.issues.find((i) => ISSUE_RULES[i.code].blocks)
  const why = first ? first.message : 'No row can be uploaded: every row has an error.'
  return { ready: false, why, exit: blocking.length > 0 ? EXIT.BAD_INVOCATION : EXIT.PROBLEMS, checked }
}

/** Starts the upload of a prepared batch (resuming it when it was interrupted). */
export function sendBatch(sender: Sender, batch: { spec: BatchSpec; checked: CheckedBatch }, opts: SendOptions, onEvent?: (e: UploadEvent) => void, pool?: ChannelPool): Promise<UploadJob> {
  return startUpload({
    ...(pool ? { pool } : {}),
    spec: batch.spec,
    checked: batch.checked,
    destination: sender.destination,
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    ...(sender.limiter ? { limiter: sender.limiter } : {}),
    ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
    ...(onEvent ? { onEvent } : {}),
    ledger: ledgerLocation(opts.ledger),
  })
}
