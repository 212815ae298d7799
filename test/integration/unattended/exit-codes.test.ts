/**
 * Exit 3 means "interrupted: run the same command again", so a scheduler may retry it; what a
 * rerun cannot fix is exit 2 with the file named and what to do. Through the real command
 * against the sandbox: a damaged layout.json, agents.json or ledger.sqlite in the app home,
 * `--known-hosts /dev/zero` (refused at once, never read) and a known_hosts in the app home
 * that is not a file each give exit 2 and stop the pass (every batch would meet them); the
 * running `watch` stops too instead of retrying; a connection cut still gives 3.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { AGENTS_FILE } from '../../../src/agents/known-agents-store'
import { destinationDataDir } from '../../../src/ledger/destination-key'
import { LAYOUT_FILE } from '../../../src/ledger/layout-store'
import { startCuttableRelay } from '../../helpers/cuttable-relay'
import { runCli } from '../upload/cli'
import { startServer, type TestServer } from '../upload/servers'
import { checkedFixture, makeKeyPair, tempDir } from '../upload/support'
import { setFileTimes } from './file-times'

const running: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()))
})

/** A sandbox, two settled day folders, and the watch command's arguments for them. */
async function setup(prefix: string) {
  const work = await tempDir(prefix)
  const key = await makeKeyPair(work)
  const server: TestServer = await startServer('sandbox-posix', work, key.publicKey)
  running.push(server)
  const root = path.join(work, 'exports')
  for (const day of ['2026-12-01', '2026-12-02']) {
    const { gen } = await checkedFixture(path.join(root, day), { rows: 3, recordingBytes: 4_000 })
    await writeFile(gen.csvPath, (await readFile(gen.csvPath, 'utf8')).replace(/^CR-/gm, `${day}-`))
  }
  await setFileTimes(root, 120)
  const home = path.join(work, 'home')
  const destDir = destinationDataDir(home, { host: server.host, port: server.port, username: server.username, remoteDir: '' })
  const login = (port = server.port, knownHosts = server.knownHostsPath) => [
    '--host', server.host, '--port', String(port), '--user', server.username, '--key', path.join(work, 'id_ed25519'), '--known-hosts', knownHosts,
  ]
  const watch = (...extra: string[]) => ['watch', root, '--once', ...login(), '--state-dir', path.join(work, 'state'), ...extra]
  const env = { BULK_UPLOAD_HOME: home, ALL_PROXY: '', HTTPS_PROXY: '' }
  return { work, server, root, home, destDir, login, watch, env }
}

/** The folders a pass reported, in order, from its human output. */
const reported = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => l.split(':')[0])

describe('exit codes that tell the truth', () => {
  it('a damaged layout.json: exit 2 naming the file, the pass stops at the first folder; `job run` records it; the running watch stops instead of retrying', async () => {
    const t = await setup('exit-layout')
    await mkdir(t.destDir, { recursive: true })
    const file = path.join(t.destDir, LAYOUT_FILE)
    await writeFile(file, '{"columns": [')
    const sentence = `${file} is damaged: move it away and run again; the next batch records the layout anew`

    const once = await runCli(t.watch(), t.env)
    expect(once.code, once.stdout + once.stderr).toBe(2)
    expect(once.stdout).toContain(sentence)
    expect(reported(once.stdout)).toEqual([`Stopped ${path.join(t.root, '2026-12-01')}`])

    const save = await runCli(['job', 'save', 'nightly', t.root, ...t.login()], t.env)
    expect(save.code, save.stderr).toBe(0)
    const job = await runCli(['job', 'run', 'nightly'], t.env)
    expect(job.code).toBe(2)
    expect(job.stdout).toContain(sentence)
    const list = JSON.parse((await runCli(['job', 'list', '--json'], t.env)).stdout) as Array<{ lastRun: { exit: number; problem: string } }>
    expect(list[0]!.lastRun.exit).toBe(2)
    expect(list[0]!.lastRun.problem).toContain(sentence)

    // Without --once: it says so once and exits 2 by itself, rather than trying again every interval.
    const watching = await runCli(t.watch('--interval', '0.2').filter((a) => a !== '--once'), t.env)
    expect(watching.code).toBe(2)
    expect(watching.stdout).toContain(sentence)
    expect(reported(watching.stdout)).toHaveLength(1)

    // Moved away, as the sentence says: the same command now sends both folders.
    await rm(file)
    const fixed = await runCli(t.watch(), t.env)
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0)
  })

  it('a damaged agents.json: exit 2 naming the file and what to do', async () => {
    const t = await setup('exit-agents')
    await mkdir(t.destDir, { recursive: true })
    const file = path.join(t.destDir, AGENTS_FILE)
    await writeFile(file, 'not json at all')
    const run = await runCli(t.watch(), t.env)
    expect(run.code, run.stdout + run.stderr).toBe(2)
    expect(run.stdout).toContain(`${file} is damaged: move it away and run again`)
    expect(run.stdout).toContain('bulk-upload agents import')
    expect(reported(run.stdout)).toHaveLength(1)
  })

  it('a ledger.sqlite holding garbage: exit 2 naming the file and what to do', async () => {
    const t = await setup('exit-ledger')
    await mkdir(t.destDir, { recursive: true })
    const file = path.join(t.destDir, 'ledger.sqlite')
    await writeFile(file, Buffer.alloc(64 * 1024, 0x5a))
    const run = await runCli(t.watch('--json'), t.env)
    expect(run.code, run.stdout + run.stderr).toBe(2)
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { result: string; error: { code: string; message: string } })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ result: 'stopped', error: { code: 'LOCAL_DATA_DAMAGED' } })
    expect(lines[0]!.error.message).toBe(`The delivery ledger ${file} is damaged: move it away and run again; the app then starts a new, empty ledger for this destination, which knows only the deliveries whose CSVs are still on the server. If the platform has taken earlier CSVs off the server, check in the platform which conversations arrived before you send more.`)
  })

  it('--known-hosts /dev/zero is refused at once (never read), exit 2; a known_hosts in the app home that is a folder is exit 2 naming it', async () => {
    const t = await setup('exit-known-hosts')
    const zero = await runCli(['watch', t.root, '--once', ...t.login(t.server.port, '/dev/zero')], t.env)
    expect(zero.code).toBe(2)
    expect(zero.stderr).toContain('/dev/zero is not a known_hosts file (it is a device): give the path of a known_hosts file')
    const job = await runCli(['job', 'save', 'zero', t.root, ...t.login(t.server.port, '/dev/zero')], t.env)
    expect(job.code).toBe(0)
    const ran = await runCli(['job', 'run', 'zero'], t.env)
    expect(ran.code).toBe(2)
    expect(ran.stderr).toContain('/dev/zero is not a known_hosts file')

    const inHome = path.join(t.home, 'known_hosts')
    await mkdir(inHome, { recursive: true })
    const args = ['watch', t.root, '--once', ...t.login()].filter((a, i, all) => a !== '--known-hosts' && all[i - 1] !== '--known-hosts')
    const folder = await runCli(args, t.env)
    expect(folder.code).toBe(2)
    expect(folder.stderr).toContain(`${inHome} is damaged: move it away and run again`)
  })

  it('a connection cut still gives exit 3: running again finishes', async () => {
    const t = await setup('exit-cut')
    // The link drops during the first login (a few hundred bytes in), then carries the rest.
    const relay = await startCuttableRelay(t.server.port, 200)
    running.push(relay)
    const knownHosts = path.join(t.work, 'relay_known_hosts')
    const line = (await readFile(t.server.knownHostsPath, 'utf8')).replace(`[${t.server.host}]:${t.server.port}`, `[${t.server.host}]:${relay.port}`)
    await writeFile(knownHosts, line)
    const watch = ['watch', t.root, '--once', ...t.login(relay.port, knownHosts), '--json']
    const cut = await runCli(watch, t.env)
    expect(cut.code, cut.stdout + cut.stderr).toBe(3)
    const first = JSON.parse(cut.stdout.split('\n')[0]!) as { result: string; error: { code: string } }
    expect(first).toMatchObject({ result: 'stopped', error: { code: 'CONNECTION_LOST' } })
    await relay.cut
    const again = await runCli(watch, t.env)
    expect(again.code, again.stdout + again.stderr).toBe(0)
  })
})
