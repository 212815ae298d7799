/**
 * The system's OpenSSH client as the transport (src/ssh/openssh-transport.ts), against real
 * servers: sshd with its own SFTP server and with gesftpserver, and the sandbox in s3 mode.
 * Host trust and the key stay the app's: a host not pinned, or pinned with another key, is
 * answered by ssh2 with the app's own coded error; nothing secret is on ssh's command line
 * and its private files are gone once the session is up; a cancel ends the ssh processes.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generatePair } from '../../../src/keys'
import { pinnedTarget } from '../../../src/ssh/connection'
import { findSsh } from '../../../src/ssh/openssh-transport'
import { Journal } from '../../../src/transfer/journal'
import { listRemoteSizes } from '../../../src/transfer/remote-state'
import { createPool, runEngine } from '../../../src/transfer/upload-engine'
import { hasSshd, skipWithReason } from '../../helpers/system'
import { startServer, type ServerKind, type TestServer } from './servers'
import { hashesIn, makeKeyPair, makeRecordings, sha256File, simplePlan, tempDir } from './support'

/** This process's ssh children: pid and command line (Linux /proc). */
function sshChildren(): Array<{ pid: number; args: string[] }> {
  const out: Array<{ pid: number; args: string[] }> = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid !== process.pid) continue
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean)
      if (path.basename(args[0] ?? '') === 'ssh') out.push({ pid: Number(entry), args })
    } catch {
      // gone meanwhile
    }
  }
  return out
}

const haveSsh = findSsh() !== null && process.platform === 'linux'

describe.skipIf(skipWithReason(hasSshd(), 'OpenSSH transport') || !haveSsh)('the OpenSSH transport', () => {
  let work: string
  let key: { privateKey: string; publicKey: string }
  const servers = new Map<ServerKind, TestServer>()

  beforeAll(async () => {
    work = await tempDir('openssh-transport')
    key = await makeKeyPair(work)
    for (const kind of ['sshd', 'gesftpserver', 'sandbox-s3'] as const) servers.set(kind, await startServer(kind, work, key.publicKey))
  })
  afterAll(async () => {
    for (const s of servers.values()) await s.close()
  })

  const login = (server: TestServer, knownHostsPath = server.knownHostsPath) => ({
    host: server.host, port: server.port, username: server.username, privateKey: key.privateKey, knownHostsPath, transport: 'openssh' as const,
  })

  for (const kind of ['sshd', 'gesftpserver', 'sandbox-s3'] as const) {
    it(`carries a batch to ${kind}: every recording byte for byte, then the CSV`, async () => {
      const server = servers.get(kind)!
      const local = path.join(work, `batch-${kind}`)
      await mkdir(local)
      const files = await makeRecordings(local, 12, [1, 70_000, 300_000, 1_500_000])
      const remoteDir = `r-${kind}`
      await mkdir(path.join(server.root, remoteDir))
      const stateDir = await tempDir(`state-${kind}`)
      const journal = await Journal.open(stateDir)
      const pool = createPool(pinnedTarget(login(server)).target, 4)
      try {
        await pool.connectFirst()
        expect(pool.transport).toBe('openssh')
        const remoteSizes = await listRemoteSizes(await pool.acquire(0), remoteDir)
        const outcome = await runEngine({ plan: simplePlan(kind, files), pool, remoteSizes, remoteDir, journal, workDir: stateDir, concurrency: 4 })
        expect(outcome.stoppedBy).toBeNull()
        expect(outcome.files.map((f) => f.status)).toEqual(files.map(() => 'uploaded'))
        expect(outcome.files.map((f) => f.sent?.sha256)).toEqual(await Promise.all(files.map((f) => sha256File(f.localPath))))
      } finally {
        pool.closeAll()
        journal.close()
      }
      const landed = await hashesIn(path.join(server.root, remoteDir))
      for (const f of files) expect(landed.get(f.remoteName)).toBe(await sha256File(f.localPath))
      expect([...landed.keys()].filter((n) => n.endsWith('.csv'))).toEqual([`batch-${kind}.csv`])
    })
  }

  it('puts nothing secret on ssh\'s command line and removes its private key file once the session is up; a cancel ends ssh', async () => {
    const server = servers.get('sshd')!
    const pool = createPool(pinnedTarget(login(server)).target, 16)
    try {
      await Promise.all([pool.acquire(0), pool.acquire(8)]) // two connections: two ssh processes
      const children = sshChildren()
      expect(children).toHaveLength(2)
      const body = key.privateKey.split('\n').filter((l) => l && !l.startsWith('-----'))
      for (const { args } of children) {
        const line = args.join(' ')
        for (const part of body) expect(line).not.toContain(part)
        expect(line).toContain('StrictHostKeyChecking=yes')
        const identity = args.find((a) => a.startsWith('IdentityFile='))!.slice('IdentityFile='.length).replace(/^"|"$/g, '')
        expect(existsSync(identity)).toBe(false)
        expect(existsSync(path.dirname(identity))).toBe(false)
      }
      pool.abort()
      // SIGKILLed: reaped by Node soon after; poll for it rather than sleep a fixed time.
      while (sshChildren().length > 0) await new Promise((r) => setTimeout(r, 20))
    } finally {
      pool.closeAll()
    }
  })

  it('a host not pinned yet goes through ssh2, which refuses it with the app\'s HOST_KEY_UNKNOWN', async () => {
    const server = servers.get('sshd')!
    const empty = path.join(work, 'empty_known_hosts')
    await writeFile(empty, '')
    const pool = createPool(pinnedTarget(login(server, empty)).target, 1)
    try {
      await expect(pool.connectFirst()).rejects.toMatchObject({ code: 'HOST_KEY_UNKNOWN' })
      expect(pool.openSshFallback).toMatch(/not pinned/)
    } finally {
      pool.closeAll()
    }
  })

  it('a host pinned with another key is refused by ssh, then by ssh2 with the app\'s HOST_KEY_CHANGED', async () => {
    const server = servers.get('sshd')!
    const other = path.join(work, 'other_known_hosts')
    const otherKey = generatePair('ed25519').publicKey.split(' ').slice(0, 2).join(' ')
    await writeFile(other, `[${server.host}]:${server.port} ${otherKey}\n`)
    const pool = createPool(pinnedTarget(login(server, other)).target, 1)
    try {
      await expect(pool.connectFirst()).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED' })
      expect(pool.openSshFallback).toMatch(/Host key verification failed|REMOTE HOST IDENTIFICATION/i)
    } finally {
      pool.closeAll()
    }
  })

  it('keeps ssh2 for a passphrase-protected key and for a proxy (the app runs those itself)', () => {
    const server = servers.get('sshd')!
    expect(pinnedTarget({ ...login(server), passphrase: 'secret' }).target.openssh).toBeUndefined()
    expect(pinnedTarget({ ...login(server), proxy: { kind: 'socks5', host: '127.0.0.1', port: 1 } as never }).target.openssh).toBeUndefined()
    expect(pinnedTarget({ ...login(server), transport: 'ssh2' }).target.openssh).toBeUndefined()
  })
})
