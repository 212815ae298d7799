/**
 * A/B of an engine change, measured as the whole engine process: this tree's engine against
 * another commit's, alternately, to the same sshd, in one run, on loopback and the 40 ms relay.
 * Usage: node bin/run-ts.js bench/upload/ab.ts BASE_COMMIT [RUNS]
 * Prints each run and the medians. Keeps nothing: for deciding whether a lever stays.
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { generatePair } from '../../src/keys'
import { DEFAULT_CONCURRENCY } from '../../src/transfer/upload-engine'
import { startSshd } from '../../test/helpers/sshd'
import { makeBatchFolder, type DataSet } from './batch-folder'
import { warm } from './plain-sets'
import { engineTool, type Tool } from './tools'

const [base, runsArg] = process.argv.slice(2)
if (!base) {
  console.error('usage: ab.ts BASE_COMMIT [RUNS]')
  process.exit(2)
}
const RUNS = Number(runsArg ?? 5)
const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.join(here, '../..')
const work = path.join(os.tmpdir(), 'bulk-upload-bench')
const KiB = 1024

const baseTree = path.join(work, `ab-${base}`)
try {
  execFileSync('git', ['-C', repo, 'worktree', 'remove', '--force', baseTree], { stdio: 'ignore' })
} catch {
  // none left from an earlier run
}
await rm(baseTree, { recursive: true, force: true })
execFileSync('git', ['-C', repo, 'worktree', 'add', '--detach', baseTree, base], { stdio: 'ignore' })
await symlink(path.join(repo, 'node_modules'), path.join(baseTree, 'node_modules'))

const pair = generatePair('ed25519')
const keyFile = path.join(work, 'ab_ed25519')
await writeFile(keyFile, pair.privateKey, { mode: 0o600 })
const serverRoot = path.join(work, 'ab-root')
await rm(serverRoot, { recursive: true, force: true })
await mkdir(serverRoot, { recursive: true })
const sshd = await startSshd({ root: serverRoot, authorizedKeys: [pair.publicKey] })
const relay = spawn(process.execPath, [path.join(repo, 'bin/run-ts.js'), path.join(here, 'relay.ts'), String(sshd.port), '20'], { stdio: ['ignore', 'pipe', 'inherit'] })
const relayPort = await new Promise<number>((resolve) => relay.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))))
const knownHosts = path.join(work, 'ab_known_hosts')
const keyPart = sshd.knownHostsLine.split(' ').slice(1).join(' ')
await writeFile(knownHosts, `[127.0.0.1]:${sshd.port} ${keyPart}\n[127.0.0.1]:${relayPort} ${keyPart}\n`)

const tools: Tool[] = [engineTool(DEFAULT_CONCURRENCY, undefined, { root: baseTree, label: base }), engineTool(DEFAULT_CONCURRENCY)]
const cases: Array<{ link: string; port: number; set: DataSet }> = [
  { link: 'loopback', port: sshd.port, set: { name: '2,000 x 128 KiB', count: 2000, size: 128 * KiB } },
  { link: 'loopback', port: sshd.port, set: { name: '200 x 2 MiB', count: 200, size: 2048 * KiB } },
  { link: '40 ms', port: relayPort, set: { name: '400 x 256 KiB', count: 400, size: 256 * KiB } },
]
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
let n = 0
try {
  for (const c of cases) {
    const localDir = await warm(await makeBatchFolder(path.join(work, 'sets'), c.set))
    const times = tools.map(() => [] as number[])
    for (let r = 0; r < RUNS; r++) {
      for (const k of r % 2 === 0 ? [0, 1] : [1, 0]) {
        const remoteDir = `ab-${++n}`
        await mkdir(path.join(serverRoot, remoteDir))
        const { seconds } = await tools[k]!.run({ host: '127.0.0.1', port: c.port, username: sshd.username, keyFile, knownHosts, remoteDir, localDir, work }, 600_000)
        times[k]!.push(seconds)
        await rm(path.join(serverRoot, remoteDir), { recursive: true, force: true })
      }
    }
    console.log(`${c.link}, ${c.set.name}: base ${base} median ${median(times[0]!).toFixed(2)} s (${times[0]!.map((t) => t.toFixed(2)).join(' ')}); this tree median ${median(times[1]!).toFixed(2)} s (${times[1]!.map((t) => t.toFixed(2)).join(' ')}); load ${os.loadavg()[0]!.toFixed(1)}`)
  }
} finally {
  relay.kill('SIGTERM')
  await sshd.close()
  execFileSync('git', ['-C', repo, 'worktree', 'remove', '--force', baseTree], { stdio: 'ignore' })
}
