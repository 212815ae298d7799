/**
 * A server that refuses overwrite (issue 27, item 5): ProFTPD's mod_sftp with its default
 * `AllowOverwrite off` refuses to open an existing file for writing, to replace it or to
 * continue it. An upload killed mid-batch leaves partial recordings this batch wrote; the next
 * run removes each and writes it again from the start, instead of failing those rows forever.
 * Driven through the `bulk-upload` command, killed with SIGKILL as a crash or a closed lid would.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import Papa from 'papaparse'
import { afterEach, describe, expect, it } from 'vitest'
import { proftpdMissing, startProftpd, type ProftpdServer } from '../../helpers/proftpd'
import { runCli } from './cli'
import { checkedFixture, makeKeyPair, sha256File, tempDir } from './support'

const servers: ProftpdServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** Bytes in the server's folder now (files being written included). */
async function bytesOnServer(root: string): Promise<number> {
  let total = 0
  for (const name of await readdir(root)) total += (await stat(path.join(root, name)).catch(() => ({ size: 0 }))).size
  return total
}

describe('ProFTPD mod_sftp, AllowOverwrite off', () => {
  it('an upload killed at about 40% finishes on the next run: partial recordings are removed and written again', async () => {
    const missing = proftpdMissing()
    if (missing) {
      console.warn(`skipped: ${missing}`)
      return
    }
    const work = await tempDir('proftpd')
    const key = await makeKeyPair(work)
    const root = path.join(work, 'root')
    await mkdir(root)
    const server = await startProftpd({ root, authorizedKeys: [key.publicKey] })
    servers.push(server)
    const knownHosts = path.join(work, 'known_hosts')
    await writeFile(knownHosts, server.knownHostsLine + '\n')
    const fixture = await checkedFixture(path.join(work, 'batch'), { rows: 10, recordingBytes: 1_500_000 })
    const recordings = fixture.checked.manifest.recordings
    const total = recordings.reduce((n, r) => n + r.size, 0)
    const args = (extra: string[]) => [
      'upload', fixture.gen.dir, '--host', server.host, '--port', String(server.port), '--user', server.username,
      '--key', path.join(work, 'id_ed25519'), '--known-hosts', knownHosts, '--state-dir', path.join(work, 'state'), ...extra,
    ]
    const env = { BULK_UPLOAD_HOME: path.join(work, 'home') }

    // Slowed so that the kill lands mid-batch, with files complete, partial and not started.
    const killed = await runCli(args(['--concurrency', '4', '--bwlimit', '3M']), env, (pid) => {
      const watch = async () => {
        // Polls what the server holds (an observable condition, not a fixed sleep).
        while ((await bytesOnServer(root)) < total * 0.4) await new Promise((r) => setTimeout(r, 20))
        process.kill(pid, 'SIGKILL')
      }
      void watch()
    })
    expect(killed.signal).toBe('SIGKILL')
    const partial = []
    for (const r of recordings) {
      const size = (await stat(path.join(root, r.remoteName)).catch(() => null))?.size
      if (size !== undefined && size < r.size) partial.push(r.remoteName)
    }
    expect(partial.length, 'the kill left partial recordings').toBeGreaterThan(0)
    expect((await readdir(root)).filter((n) => n.endsWith('.csv'))).toEqual([])

    const rerun = await runCli(args([]), env)
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0)
    for (const r of recordings) expect(await sha256File(path.join(root, r.remoteName)), r.remoteName).toBe(await sha256File(r.localPath))
    const csvs = (await readdir(root)).filter((n) => n.endsWith('.csv'))
    expect(csvs).toHaveLength(1)
    const rows = Papa.parse<string[]>((await readFile(path.join(root, csvs[0]!), 'utf8')).trim()).data
    const audio = rows[0]!.indexOf(fixture.gen.mapping.audioFilename!)
    expect(rows.slice(1).map((row) => row[audio]).sort()).toEqual(recordings.flatMap((r) => r.rows.map(() => r.remoteName)).sort())
  })
})
