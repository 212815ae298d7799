/**
 * Uploads one folder with the engine, in its own process (as the CLI would), and prints one
 * JSON line: bytes sent, seconds, peak RSS. The benchmark measures it beside the peer tools.
 * Usage: engine-runner.ts JSON_OPTIONS
 */
import { readFile, readdir, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pinnedTarget } from '../../src/ssh/connection'
import { Journal } from '../../src/transfer/journal'
import { listRemoteSizes } from '../../src/transfer/remote-state'
import { timeRoundTrip } from '../../src/transfer/sftp-ops'
import { createPool, runEngine, type PlannedFile } from '../../src/transfer/upload-engine'
import type { Target } from './tools'

interface RunnerOptions extends Pick<Target, 'host' | 'port' | 'username' | 'keyFile' | 'knownHosts' | 'remoteDir'> {
  dir: string
  stateDir: string
  /** Files in flight; null: chosen from the link's round trip, as the CLI does. */
  concurrency: number | null
  channelsPerConnection?: number
}

const opts = JSON.parse(process.argv[2] ?? '{}') as RunnerOptions
const files: PlannedFile[] = []
for (const name of (await readdir(opts.dir)).sort()) {
  // A batch folder's CSV is not a recording: the engine sends its own CSV last.
  if (name.endsWith('.csv')) continue
  const localPath = path.join(opts.dir, name)
  const st = await stat(localPath)
  if (st.isFile()) files.push({ localPath, remoteName: name, size: st.size, mtimeMs: st.mtimeMs })
}
const journal = await Journal.open(opts.stateDir)
const { target } = pinnedTarget({ ...opts, privateKey: await readFile(opts.keyFile, 'utf8'), knownHostsPath: opts.knownHosts })
const started = process.hrtime.bigint()
const cpuAtStart = process.cpuUsage()
const pool = createPool(target, opts.concurrency ?? undefined, opts.channelsPerConnection)
await pool.connectFirst()
const first = await pool.acquire(0)
const [roundTripMs, remoteSizes] = await Promise.all([timeRoundTrip(first), listRemoteSizes(first, opts.remoteDir)])
const outcome = await runEngine({
  plan: {
    batchId: 'bench',
    files,
    csvName: 'bench.csv',
    writeCsv: async (p) => {
      await writeFile(p, 'Contact Reference\r\nbench\r\n')
      return { rows: 1, conversations: [] }
    },
    recordDelivery: () => undefined,
  },
  pool,
  remoteSizes,
  remoteDir: opts.remoteDir,
  journal,
  workDir: opts.stateDir,
  concurrency: opts.concurrency ?? undefined,
  roundTripMs,
})
pool.closeAll()
journal.close()
const seconds = Number(process.hrtime.bigint() - started) / 1e9
// The engine's CPU over the same span as `seconds` (all its threads), start-up and key loading left out.
const cpu = process.cpuUsage(cpuAtStart)
console.log(JSON.stringify({ ok: outcome.stoppedBy === null, error: outcome.stoppedBy?.message ?? null, bytes: outcome.bytesSent, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssKiB: process.resourceUsage().maxRSS }))
