/**
 * The team ledger against a real PostgreSQL server (a private cluster started here): what one
 * computer records, another sees; a retried CSV is not doubled; the commit point is one
 * holder at a time across processes and is freed when its holder is killed; an unreachable
 * database is a sentence without the password.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { DeliveredBatch } from '../../src/api'
import type { HeldLock } from '../../src/file-lock'
import { TeamLedger } from '../../src/ledger/team-ledger'
import { hasPostgres, startPostgres, type PostgresServer } from '../helpers/postgres'
import { freePort } from '../helpers/sshd'
import { skipWithReason } from '../helpers/system'

const DEST = '0123456789abcdef'

function delivery(csvName: string, rows: number, deliveredAt = new Date().toISOString()): DeliveredBatch {
  return { batchId: 'b1', csvName, rows, bytes: 10 * rows, deliveredAt, sourceCsv: '/exports/monday.csv', reportCsv: null, reportJson: null }
}
const conversations = (refs: string[]) => refs.map((reference, i) => ({ reference, recording: `${reference}.wav`, size: 100 + i, sha256: 'ab'.repeat(32) }))

describe.skipIf(skipWithReason(hasPostgres(), 'team ledger against PostgreSQL'))('team ledger (PostgreSQL)', () => {
  let server: PostgresServer
  let url: string
  const open: TeamLedger[] = []
  const children: ChildProcess[] = []
  const held: HeldLock[] = []
  let dbs = 0

  beforeAll(async () => {
    server = await startPostgres()
  }, 180_000) // initdb and start-up on a busy machine
  afterAll(async () => {
    await server?.close()
  })
  afterEach(async () => {
    for (const l of held.splice(0)) l.release()
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    await Promise.all(open.splice(0).map((l) => l.close()))
  })

  async function ledger(destination = DEST): Promise<TeamLedger> {
    const l = await TeamLedger.open(url, destination)
    open.push(l)
    return l
  }

  it('what one computer records, another sees: at open, and after refresh', async () => {
    url = await server.createDatabase(`t${++dbs}`)
    const first = await ledger()
    const second = await ledger()
    expect(await first.recordDelivery(delivery('a.csv', 2), conversations(['r1', 'r2']))).toEqual({ added: 2 })
    expect(second.records.lookup(['r1']).size).toBe(0)
    await second.refresh()
    expect(second.records.lookup(['r1', 'r2', 'r3']).get('r2')).toMatchObject({ csvName: 'a.csv' })
    expect(second.records.recording('r1.wav')).toEqual({ size: 100, sha256: 'ab'.repeat(32), csvName: 'a.csv' })
    // A third computer starting now gets everything at open; another destination sees nothing.
    const third = await ledger()
    expect(third.records.history().map((d) => d.csvName)).toEqual(['a.csv'])
    expect((await ledger('fedcba9876543210')).records.history()).toEqual([])
  })

  it('the same CSV recorded again (a retry) rewrites its rows instead of doubling them', async () => {
    url = await server.createDatabase(`t${++dbs}`)
    const first = await ledger()
    await first.recordDelivery(delivery('a.csv', 2), conversations(['r1', 'r2']))
    await first.recordDelivery(delivery('a.csv', 3), conversations(['r1', 'r2', 'r3']))
    const other = await ledger()
    expect(other.records.delivery('a.csv')).toMatchObject({ rows: 3 })
    expect(other.records.lookup(['r1', 'r2', 'r3']).size).toBe(3)
  })

  it('purge forgets deliveries older than the retention, for every computer', async () => {
    url = await server.createDatabase(`t${++dbs}`)
    const first = await ledger()
    await first.recordDelivery(delivery('old.csv', 1, '2025-01-01T00:00:00Z'), conversations(['old']))
    await first.recordDelivery(delivery('new.csv', 1), conversations(['new']))
    expect(await first.purge(30)).toEqual({ deliveries: 1, conversations: 1 })
    const later = await ledger()
    expect(later.records.history().map((d) => d.csvName)).toEqual(['new.csv'])
    expect(later.records.lookup(['old']).size).toBe(0)
  })

  it('the commit point has one holder across processes, and is free once that process is killed', async () => {
    url = await server.createDatabase(`t${++dbs}`)
    const script = `import { TeamLedger } from ${JSON.stringify(path.resolve('src/ledger/team-ledger.ts'))}
      const l = await TeamLedger.open(${JSON.stringify(url)}, ${JSON.stringify(DEST)}); await l.commitPoint(); console.log('held'); setInterval(() => {}, 1000)`
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    children.push(child)
    expect(await new Promise((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(String(d).trim())))).toBe('held')

    const mine = await ledger()
    const abort = new AbortController()
    let waited = false
    // Held by the other process: the wait is told so, and an abort ends it.
    await expect(mine.commitPoint({ signal: abort.signal, onWait: () => ((waited = true), abort.abort()) })).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(waited).toBe(true)

    const gone = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await gone
    // The server ends the killed process's session, and its lock with it.
    held.push(await mine.commitPoint())
    // Same process, second handle: waits as well (session locks are per connection).
    const again = new AbortController()
    await expect((await ledger()).commitPoint({ signal: again.signal, onWait: () => again.abort() })).rejects.toMatchObject({ code: 'CANCELLED' })
  })

  it('a database that does not answer: TEAM_LEDGER_UNREACHABLE naming the address without its password', async () => {
    const nobody = await freePort()
    const err = await TeamLedger.open(`postgresql://qa:s3cret@127.0.0.1:${nobody}/ledger`, DEST).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'TEAM_LEDGER_UNREACHABLE' })
    const text = JSON.stringify((err as { toPayload(): unknown }).toPayload())
    expect(text).toContain(`127.0.0.1:${nobody}`)
    expect(text).not.toContain('s3cret')
  })
})
