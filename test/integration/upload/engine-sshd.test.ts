import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { UploadEvent } from '../../../src/api'
import { pinnedTarget } from '../../../src/ssh/connection'
import { Journal } from '../../../src/transfer/journal'
import type { PlannedFile } from '../../../src/transfer/upload-engine'
import { startSshd, type SshdServer } from '../../helpers/sshd'
import { hasSshd, skipWithReason } from '../../helpers/system'
import { findSsh, type TransportChoice } from '../../../src/ssh/openssh-transport'
import { hashesIn, makeKeyPair, makeRecordings, runEngineOn, sha256File, simplePlan, tempDir } from './support'

// Every test on each transport kept: ssh2, and the system's ssh where it exists.
const transports: TransportChoice[] = findSsh() ? ['ssh2', 'openssh'] : ['ssh2']

describe.skipIf(skipWithReason(hasSshd(), 'upload engine against OpenSSH sshd')).each(transports)('upload engine against OpenSSH sshd (%s transport)', (transport) => {
  let sshd: SshdServer
  let work: string
  let key: { privateKey: string; publicKey: string }
  let knownHosts: string

  beforeAll(async () => {
    work = await tempDir('engine-sshd')
    key = await makeKeyPair(work)
    const root = path.join(work, 'server-root')
    await mkdir(root)
    sshd = await startSshd({ root, authorizedKeys: [key.publicKey] })
    knownHosts = path.join(work, 'known_hosts')
    await writeFile(knownHosts, sshd.knownHostsLine + '\n')
  })
  afterAll(async () => {
    await sshd?.close()
  })

  async function freshRemote(name: string): Promise<string> {
    const dir = path.join(sshd.root, name)
    await mkdir(dir)
    return name
  }

  function engineRun(opts: { batchId: string; files: PlannedFile[]; remoteDir: string; stateDir: string; events?: UploadEvent[]; onEvent?: (e: UploadEvent) => void }) {
    return Journal.open(opts.stateDir).then(async (journal) => {
      const { target } = pinnedTarget({ host: '127.0.0.1', port: sshd.port, username: sshd.username, privateKey: key.privateKey, knownHostsPath: knownHosts, transport })
      expect(Boolean(target.openssh)).toBe(transport === 'openssh')
      try {
        return await runEngineOn(target, {
          plan: simplePlan(opts.batchId, opts.files),
          remoteDir: opts.remoteDir,
          journal,
          workDir: opts.stateDir,
          concurrency: 4,
          retryDelaysMs: [50, 100, 200],
          onEvent: (e) => {
            if (process.env.DEBUG_ENGINE && e.kind !== 'batch-progress' && e.kind !== 'file-progress') console.log(JSON.stringify(e).slice(0, 200))
            opts.events?.push(e)
            opts.onEvent?.(e)
          },
        })
      } finally {
        journal.close()
      }
    })
  }

  it('uploads every recording byte for byte, then exactly one CSV, and skips every recording on a second run', async () => {
    const local = path.join(work, 'batch1')
    await mkdir(local)
    const files = await makeRecordings(local, 24, [1, 1000, 70_000, 300_000, 2_500_000])
    const remoteDir = await freshRemote('r1')
    const stateDir = await tempDir('state1')
    const events: UploadEvent[] = []

    const first = await engineRun({ batchId: 'b1', files, remoteDir, stateDir, events })
    expect(first.stoppedBy).toBeNull()
    expect(first.files.map((f) => f.status)).toEqual(files.map(() => 'uploaded'))
    const remote = await hashesIn(path.join(sshd.root, remoteDir))
    for (const f of files) expect(remote.get(f.remoteName)).toBe(await sha256File(f.localPath))
    const names = [...remote.keys()]
    expect(names.filter((n) => n.endsWith('.csv'))).toEqual(['batch-b1.csv'])
    expect(names.filter((n) => n.endsWith('.part'))).toEqual([])
    const csvText = await readFile(path.join(sshd.root, remoteDir, 'batch-b1.csv'), 'utf8')
    expect(csvText.trim().split('\r\n')).toHaveLength(files.length + 1)
    // The CSV is written after every recording is confirmed.
    const csvMtime = (await stat(path.join(sshd.root, remoteDir, 'batch-b1.csv'))).mtimeMs
    for (const f of files) expect((await stat(path.join(sshd.root, remoteDir, f.remoteName))).mtimeMs).toBeLessThanOrEqual(csvMtime)
    expect(events.some((e) => e.kind === 'batch-progress')).toBe(true)

    // The engine alone: recordings are skipped from the journal (whether a CSV goes again is
    // the delivery ledger's call, one level up, tested in upload-servers and exactly-once).
    const second = await engineRun({ batchId: 'b1', files, remoteDir, stateDir })
    expect(second.files.map((f) => f.status)).toEqual(files.map(() => 'skipped'))
    expect(second.bytesSent).toBe(0)
    expect(second.files.map((f) => f.sent?.sha256)).toEqual(await Promise.all(files.map((f) => sha256File(f.localPath))))
  })

  it('continues a partial file at its offset when its last bytes match, and rewrites one that does not', async () => {
    const local = path.join(work, 'batch2')
    await mkdir(local)
    const files = await makeRecordings(local, 2, [1_000_000])
    const remoteDir = await freshRemote('r2')
    const good = await readFile(files[0]!.localPath)
    await writeFile(path.join(sshd.root, remoteDir, files[0]!.remoteName), good.subarray(0, 400_000))
    const other = Buffer.from(await readFile(files[1]!.localPath)).subarray(0, 400_000)
    other[399_999] ^= 0xff
    await writeFile(path.join(sshd.root, remoteDir, files[1]!.remoteName), other)

    const outcome = await engineRun({ batchId: 'b2', files, remoteDir, stateDir: await tempDir('state2') })
    expect(outcome.stoppedBy).toBeNull()
    expect(outcome.bytesSent).toBe(600_000 + 1_000_000)
    for (const f of files) expect(await sha256File(path.join(sshd.root, remoteDir, f.remoteName))).toBe(await sha256File(f.localPath))
  })

  it('survives the server session being killed mid-file: reconnects and finishes with identical bytes', async () => {
    const local = path.join(work, 'batch3')
    await mkdir(local)
    const files = await makeRecordings(local, 6, [4_000_000])
    const remoteDir = await freshRemote('r3')
    let killed = false
    const events: UploadEvent[] = []
    const outcome = await engineRun({
      batchId: 'b3', files, remoteDir, stateDir: await tempDir('state3'), events,
      onEvent: (e) => {
        // The first completion comes while the other slots are mid-file.
        if (!killed && e.kind === 'file-done') {
          killed = true
          sshd.killSessions()
        }
      },
    })
    expect(killed).toBe(true)
    expect(outcome.stoppedBy).toBeNull()
    expect(events.some((e) => e.kind === 'file-retrying')).toBe(true)
    const remote = await hashesIn(path.join(sshd.root, remoteDir))
    for (const f of files) expect(remote.get(f.remoteName)).toBe(await sha256File(f.localPath))
    expect([...remote.keys()].filter((n) => n.endsWith('.csv'))).toHaveLength(1)
    expect([...remote.keys()].filter((n) => n.endsWith('.part'))).toEqual([])
    expect(await readdir(path.join(sshd.root, remoteDir))).toHaveLength(files.length + 1)
  })
})
