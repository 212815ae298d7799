/**
 * `npm run bench`: runs every benchmark section and writes bench/RESULTS.md with the machine,
 * the date and each section's figures (peer tools are measured inside the sections, in the
 * same run). `npm run bench -- check` runs only the named sections.
 */
import os from 'node:os'
import { readFile, writeFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'

/** One benchmark area: returns its markdown (a heading, a table and notes). */
export interface BenchSection {
  name: string
  run(): Promise<string>
}

const SECTIONS: Array<() => Promise<BenchSection>> = [
  async () => (await import('./check')).checkBench,
  async () => (await import('./upload')).uploadBench,
  async () => (await import('./ledger')).ledgerBench,
  async () => (await import('./hashing')).hashingBench,
  async () => (await import('./ui')).uiBench,
  async () => (await import('./unattended')).unattendedBench,
]

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  let distro: string
  try {
    distro = execFileSync('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"']).toString().trim()
  } catch {
    distro = os.type()
  }
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${distro}, Node ${process.version}`
}

const wanted = process.argv.slice(2)
// A user's command runs the compiled build; bin/bulk-upload.js falls back to transpiling the
// source when the build is older than it, which would time tsx instead: build it first.
execFileSync(process.execPath, [new URL('../scripts/build-cli.js', import.meta.url).pathname], { stdio: 'inherit' })
const parts: string[] = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString()}.`,
  '',
  `Machine: ${machine()}.`,
  '',
]
for (const load of SECTIONS) {
  const section = await load()
  if (wanted.length > 0 && !wanted.includes(section.name)) continue
  console.log(`bench: ${section.name}...`)
  // Other work on the machine skews timings: say how busy it was around each section.
  const before = os.loadavg()[0]!.toFixed(1)
  const markdown = await section.run()
  parts.push(markdown, '', `_Measured ${new Date().toISOString().slice(0, 16)}Z on the machine above; load average (1 min) before / after this section: ${before} / ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores._`, '')
}
const out = new URL('./RESULTS.md', import.meta.url)
// Running some sections keeps the others' last figures (each section says when it ran).
if (wanted.length > 0) {
  const earlier = await readFile(out, 'utf8').catch(() => '')
  for (const kept of earlier.split(/^(?=## )/m).slice(1)) {
    const name = /^## (\S+)/.exec(kept)?.[1]
    if (name && !wanted.includes(name)) parts.push(kept.trimEnd(), '')
  }
}
await writeFile(out, parts.join('\n'))
console.log(`bench: wrote ${out.pathname}`)
