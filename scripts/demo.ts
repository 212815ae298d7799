/**
 * `npm run demo`: the whole job on this computer, no credentials needed. Makes a sample batch
 * (a few hundred short recordings and a CSV with a few deliberate problems), starts the
 * built-in sandbox SFTP server on a free port, uploads with `bulk-upload upload` (progress bar
 * and all), then shows the report and where the files landed.
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { generatePair } from '../src/keys'
import { startSandbox, S3_STAGING_NAME } from '../src/sandbox'
import { generateBatch } from '../test/fixtures/generate-batch'

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const work = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-demo-'))
const batchDir = path.join(work, 'my-recordings')
const serverRoot = path.join(work, 'sandbox-server')
const home = path.join(work, 'app-data')
await mkdir(home, { recursive: true, mode: 0o700 })

console.log('1. Making a sample batch: 300 conversations, their recordings, and a few deliberate problems...')
const batch = await generateBatch(batchDir, {
  rows: 300,
  recordingBytes: 48_000,
  format: 'mixed',
  csvName: 'conversations.csv',
  faults: { missingRecording: 3, invalidDate: 2, duplicateReference: 1, noUtcOffset: 2, orphanRecording: 2, caseMismatch: 1 },
})
console.log(`   ${batch.csvPath}\n   ${batch.recordingFiles} recordings in ${batchDir}`)

console.log('2. Making a demo key and starting the sandbox SFTP server on 127.0.0.1...')
const pair = generatePair('ed25519', { comment: 'bulk-upload demo' })
const keyFile = path.join(home, 'demo_ed25519')
await writeFile(keyFile, pair.privateKey, { mode: 0o600 })
const sandbox = await startSandbox({ root: serverRoot, authorizedKeys: [pair.publicKey], hostKeyPath: path.join(home, 'sandbox_host_key') })
// We started this server ourselves, so its host key is known for certain: pin it.
const knownHosts = path.join(home, 'known_hosts')
await writeFile(knownHosts, sandbox.knownHostsLine + '\n', { mode: 0o600 })
console.log(`   sftp://${sandbox.username}@${sandbox.host}:${sandbox.port}  host key ${sandbox.hostKeyFingerprint}`)

const args = [
  'upload', batchDir,
  '--host', sandbox.host, '--port', String(sandbox.port), '--user', sandbox.username,
  '--key', keyFile, '--known-hosts', knownHosts,
]
console.log(`3. Uploading:\n   bulk-upload ${args.join(' ')}\n`)
const code = await new Promise<number>((resolve) => {
  const child = spawn(process.execPath, [path.join(repo, 'bin/bulk-upload.js'), ...args], {
    stdio: 'inherit',
    env: { ...process.env, BULK_UPLOAD_HOME: home },
  })
  child.on('close', (c) => resolve(c ?? 1))
})
await sandbox.close()

const landed = (await readdir(serverRoot)).filter((n) => n !== S3_STAGING_NAME)
const csv = landed.find((n) => n.endsWith('.csv'))
console.log(`\n4. On the server (${serverRoot}): ${landed.length - (csv ? 1 : 0)} recordings and ${csv ? `the CSV ${csv}` : 'no CSV'}.`)
if (csv) {
  const lines = (await readFile(path.join(serverRoot, csv), 'utf8')).split('\r\n')
  console.log(`   First rows of the uploaded CSV:\n${lines.slice(0, 3).map((l) => `     ${l}`).join('\n')}`)
}
console.log(`\nThe rows left out are the deliberate problems: run \`npx bulk-upload check ${batchDir}\` to see why.`)
console.log(`Everything the demo made is in ${work} (delete it when done).`)
// Exit 1 from upload means "finished, some rows excluded": expected here.
process.exitCode = code === 0 || code === 1 ? 0 : code
