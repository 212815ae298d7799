/**
 * Several computers, one platform account (issue 27): app homes that share a team ledger in
 * PostgreSQL (`--ledger`) deliver each conversation once when they send overlapping batches
 * at the same time, and still once the platform has taken the CSVs off the server — where
 * only the ledger remembers. Real PostgreSQL (a private cluster), real sshd, the real command.
 */
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { hasPostgres, startPostgres, type PostgresServer } from '../../helpers/postgres'
import { freePort } from '../../helpers/sshd'
import { hasSshd, skipWithReason } from '../../helpers/system'
import { runCli } from './cli'
import { csvsOnServer, editedCopies, expectEachOnce, overlapSetup, summary } from './overlap-support'
import { listServerRoot, type TestServer } from './servers'

/**
 * Several CLI processes at once, each starting from the TypeScript source: on a busy 2-core
 * machine that can take minutes. A limit against hangs, not a speed bound.
 */
const MANY_PROCESSES_MS = 300_000

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const missing = hasSshd().ok ? hasPostgres() : hasSshd()

describe.skipIf(skipWithReason(missing, 'team ledger through the command line'))('team ledger: several app homes, one account', () => {
  let db: PostgresServer
  beforeAll(async () => {
    db = await startPostgres()
  }, 180_000) // initdb and start-up on a busy machine
  afterAll(async () => {
    await db?.close()
  })

  it('3 homes send overlapping exports at once: each conversation in one CSV; after the platform took the CSVs, a 4th home sends nothing', async () => {
    const ledger = await db.createDatabase('overlap')
    const t = await overlapSetup(servers, 'team', 45, 40_000)
    const copies = await editedCopies(t, 3)
    const runs = await Promise.all(copies.map((csv, i) => t.upload(csv, path.join(t.work, `home-${i + 1}`), ['--ledger', ledger])))
    const summaries = runs.map(summary)
    await expectEachOnce(t)
    expect(summaries.reduce((n, s) => n + s.inCsv, 0)).toBe(45)

    // The platform imported the CSVs and emptied its import folder of them.
    for (const name of (await listServerRoot(t.server.root)).filter((n) => n.endsWith('.csv'))) await rm(path.join(t.server.root, name))
    const fourth = summary(await t.upload(t.fixture.gen.csvPath, path.join(t.work, 'home-4'), ['--ledger', ledger]))
    expect(fourth).toMatchObject({ nothingNew: true, uploaded: 0, alreadyDelivered: 45 })
    expect((await csvsOnServer(t.server, t.fixture.gen.mapping.contactReference)).size).toBe(0)

    // Without the team ledger, that home would have sent them all again: history there says where they went.
    const history = await runCli(['history', '--host', t.server.host, '--port', String(t.server.port), '--user', t.server.username, '--ledger', ledger, '--json'], { BULK_UPLOAD_HOME: path.join(t.work, 'home-4') })
    expect(history.code, history.stderr).toBe(0)
    const listed = (JSON.parse(history.stdout) as { batches: Array<{ rows: number }> }).batches
    expect(listed.reduce((n, b) => n + b.rows, 0)).toBe(45)
  }, MANY_PROCESSES_MS)

  it('a team ledger that cannot be reached: a clear sentence, nothing sent', async () => {
    const t = await overlapSetup(servers, 'team-down', 4, 2_000)
    const nobody = await freePort()
    const run = await t.upload(t.fixture.gen.csvPath, path.join(t.work, 'home'), ['--ledger', `postgresql://qa:s3cret@127.0.0.1:${nobody}/ledger`])
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain('The team ledger (the PostgreSQL database the computers sending to this destination share) could not be reached')
    expect(run.stderr).not.toContain('s3cret')
    expect(await listServerRoot(t.server.root)).toEqual([])
  }, MANY_PROCESSES_MS)
})
