/**
 * Benchmark of the delivery ledger (src/ledger/ledger.ts) at the scale `check` must handle:
 * a ledger of 1,000,000 delivered references, asked about 1,000,000 references (half of them
 * delivered), and deliveries of 100,000 and 1,000,000 conversations recorded in one
 * transaction each. Each step runs in its own child process so its peak RSS is its own (the
 * memory `check` or an upload would add), not the generator's. References are generated
 * lazily, never held whole.
 *
 *   node bin/run-ts.js bench/ledger.ts             (BENCH_LEDGER_REFS=100000 for a quick look)
 *
 * Targets it serves (issue 8): `check` with a 1,000,000-reference ledger within 4x the raw
 * read + list time and under 500 MB, so a lookup of 1,000,000 must cost well under a second
 * or two and little memory.
 */
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { BenchSection } from './run'
import { DEFAULT_LEDGER_RETENTION_DAYS } from '../src/api'
import { DeliveryLedger, LEDGER_FILE, type LedgerConversation } from '../src/ledger/ledger'

const REFS = Number(process.env.BENCH_LEDGER_REFS ?? 1_000_000)
const SELF = fileURLToPath(import.meta.url)
const RUN_TS = fileURLToPath(new URL('../bin/run-ts.js', import.meta.url))
/** The ledger is built from this many deliveries (daily exports), REFS / BUILD_DELIVERIES each. */
const BUILD_DELIVERIES = 100
const LOOKUP_CALL = 10_000

type Order = 'random' | 'sorted'

/**
 * The i-th reference. `random`: a bijective scramble of i, so key order is unrelated to CSV
 * order (UUID-like references); `sorted`: CR-0000001 style, as test/fixtures/generate-batch
 * writes them, where the CSV order is the key order.
 */
function reference(i: number, order: Order): string {
  if (order === 'sorted') return `CR-${String(i).padStart(8, '0')}`
  return `CR-${((i * 2654435761) % 4294967296).toString(16).padStart(8, '0')}-${(i % 1000).toString(36)}`
}

function* conversations(from: number, count: number, order: Order): Generator<LedgerConversation> {
  for (let i = from; i < from + count; i++) {
    // Recording names come in the same order as references: random, or sorted.
    yield { reference: reference(i, order), recording: `rec-${reference(i, order).slice(3)}.wav`, size: 100_000 + i, sha256: i.toString(16).padStart(64, 'a') }
  }
}

function delivery(name: string, rows: number, deliveredAt = new Date()): Parameters<DeliveryLedger['recordDelivery']>[0] {
  return { batchId: name, csvName: `${name}.csv`, rows, bytes: rows * 100_000, deliveredAt: deliveredAt.toISOString(), sourceCsv: '/bench/export.csv', reportCsv: null, reportJson: null }
}

/** Query j: even j a delivered reference, odd j one never delivered (i far past the ledger). */
function* queries(count: number, order: Order): Generator<string> {
  for (let j = 0; j < count; j++) yield reference(j % 2 === 0 ? j / 2 : 50_000_000 + j, order)
}

interface StepResult { seconds: number; inputSeconds: number; rssMB: number; baseMB: number; note: string }

/** Seconds spent only producing a step's input (references, conversations), subtracted from its time. */
function inputTime(name: string, order: Order): number {
  const started = performance.now()
  let n = 0
  if (name.startsWith('record-')) for (const c of conversations(0, Number(name.slice('record-'.length)), order)) n += c.reference.length
  if (name === 'build') for (const c of conversations(0, REFS, order)) n += c.reference.length
  return n >= 0 ? (performance.now() - started) / 1000 : 0
}

/** One step, in this (child) process. */
function step(name: string, file: string, order: Order): StepResult {
  const inputSeconds = inputTime(name, order)
  // Lookups get their references ready beforehand (as check has them from the CSV): the time
  // is the ledger's alone, and the memory it adds is peak RSS less this baseline.
  const asked = name.startsWith('lookup') ? [...queries(REFS, order)] : []
  const baseMB = process.memoryUsage().rss / 2 ** 20
  const started = performance.now()
  let note = ''
  const ledger = DeliveryLedger.openFile(file)
  if (name === 'build') {
    const per = REFS / BUILD_DELIVERIES
    // Dated two years back, so that `purge` with the default 400 days forgets them (and only them).
    const then = new Date(Date.now() - 730 * 86_400_000)
    for (let d = 0; d < BUILD_DELIVERIES; d++) ledger.recordDelivery(delivery(`build-${d}`, per, then), conversations(d * per, per, order))
    note = `${BUILD_DELIVERIES} deliveries of ${per.toLocaleString('en')}`
  } else if (name === 'lookup-chunked') {
    // How check would call it: per 10,000 rows as they stream by.
    let found = 0
    let chunk: string[] = []
    for (const ref of asked) {
      chunk.push(ref)
      if (chunk.length === LOOKUP_CALL) {
        found += ledger.lookup(chunk).size
        chunk = []
      }
    }
    if (chunk.length) found += ledger.lookup(chunk).size
    note = `${found.toLocaleString('en')} found, calls of ${LOOKUP_CALL.toLocaleString('en')}`
  } else if (name === 'lookup-once') {
    note = `${ledger.lookup(asked).size.toLocaleString('en')} found, one call`
  } else if (name.startsWith('record-')) {
    const count = Number(name.slice('record-'.length))
    const { added } = ledger.recordDelivery(delivery(name, count), conversations(100_000_000 + (name === 'record-100000' ? 0 : 1_000_000), count, order))
    note = `${added.toLocaleString('en')} added`
  } else if (name === 'purge') {
    const r = ledger.purge(DEFAULT_LEDGER_RETENTION_DAYS)
    note = `${r.conversations.toLocaleString('en')} conversations, ${r.deliveries} deliveries forgotten`
  }
  ledger.close()
  const seconds = (performance.now() - started) / 1000 - inputSeconds
  return { seconds, inputSeconds, rssMB: process.resourceUsage().maxRSS / 1024, baseMB, note }
}

function inChild(name: string, file: string, order: Order): StepResult {
  const out = execFileSync(process.execPath, [RUN_TS, SELF, '--step', name, file, order], { encoding: 'utf8', env: { ...process.env, BENCH_LEDGER_REFS: String(REFS) } })
  return JSON.parse(out.trim().split('\n').at(-1)!) as StepResult
}

async function runBench(): Promise<string> {
  const n = REFS.toLocaleString('en')
  const lines = [
    '## ledger',
    '',
    `The delivery ledger (SQLite, WAL, synchronous=FULL) with ${n} delivered references; each step is a child process: its time runs from opening the ledger to closing it, less the time the bench itself takes to generate the conversations it records (measured by a dry pass, shown apart; lookups get their references generated beforehand). Peak RSS is the whole process's; "before" is its RSS just before opening the ledger (Node + tsx, and for lookups the 1,000,000 references asked).`,
    '',
    '| reference order | step | ledger time | peak RSS (before) | input generation (excluded) | |',
    '|---|---|---:|---:|---:|---|',
  ]
  for (const order of ['random', 'sorted'] as const) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bu-bench-ledger-'))
    const file = path.join(dir, LEDGER_FILE)
    try {
      const steps: Array<[string, string]> = [
        ['build', `build: record ${n} references`],
        ['lookup-chunked', `lookup ${n} references, half delivered`],
        ['lookup-once', `lookup ${n} references, half delivered`],
        ['record-100000', 'recordDelivery of 100,000 conversations'],
        ['record-1000000', 'recordDelivery of 1,000,000 conversations'],
        ['purge', `purge: the ${BUILD_DELIVERIES} built deliveries, older than ${DEFAULT_LEDGER_RETENTION_DAYS} days, among ${(REFS + 1_100_000).toLocaleString('en')} references`],
      ]
      for (const [name, label] of steps) {
        const r = inChild(name, file, order)
        const size = name === 'build' ? `; file ${((await stat(file)).size / 1e6).toFixed(0)} MB` : ''
        lines.push(`| ${order} | ${label} | ${r.seconds.toFixed(2)} s | ${r.rssMB.toFixed(0)} MB (${r.baseMB.toFixed(0)}) | ${r.inputSeconds.toFixed(2)} s | ${r.note}${size} |`)
        console.log(lines.at(-1))
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
  lines.push('', `1-minute load average at the end: ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores.`)
  return lines.join('\n')
}

/** For bench/run.ts, should the ledger become one of its sections. */
export const ledgerBench: BenchSection = { name: 'ledger', run: runBench }

const args = process.argv.slice(2)
if (process.argv[1] === SELF) {
  if (args[0] === '--step') {
    const [, name, file, order] = args
    process.stdout.write(JSON.stringify(step(name!, file!, order as Order)) + '\n')
  } else {
    console.log(await runBench())
  }
}
