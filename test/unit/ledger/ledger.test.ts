import { spawn } from 'node:child_process'
import { chmod, mkdtemp, stat, writeFile } from 'node:fs/promises'
import { writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { DeliveredBatch } from '../../../src/api'
import { AppError } from '../../../src/errors'
import { destinationDataDir } from '../../../src/ledger/destination-key'
import { DeliveryLedger, LEDGER_FILE, ledgerPath, type LedgerConversation } from '../../../src/ledger/ledger'
import { ledgerError } from '../../../src/ledger/ledger-errors'
import { hashReference } from '../../../src/ledger/ledger-index'

const DEST = { host: 'sftp.example.com', port: 22, username: 'acme', remoteDir: '' }
const LEDGER_MODULE = fileURLToPath(new URL('../../../src/ledger/ledger.ts', import.meta.url))
const REPO = fileURLToPath(new URL('../../../', import.meta.url))

async function tempFile(): Promise<string> {
  return path.join(await mkdtemp(path.join(os.tmpdir(), 'bu-ledger-')), LEDGER_FILE)
}

function delivery(csvName: string, deliveredAt: string, batchId = csvName.replace(/\.csv$/, '')): DeliveredBatch {
  return { batchId, csvName, rows: 0, bytes: 0, deliveredAt, sourceCsv: '/data/export.csv', reportCsv: null, reportJson: null }
}

function rows(refs: string[], sha = 'ab'): LedgerConversation[] {
  return refs.map((reference) => ({ reference, recording: `${reference}.wav`, size: 100, sha256: sha.repeat(32) }))
}

function caught(fn: () => unknown): AppError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected an AppError')
}

describe('delivery ledger', () => {
  it('is created owner-only in the destination folder and keeps its records when reopened', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'bu-ledger-home-'))
    const ledger = await DeliveryLedger.open(home, DEST)
    expect(ledger.file).toBe(path.join(destinationDataDir(home, DEST), LEDGER_FILE))
    expect(ledgerPath(home, DEST)).toBe(ledger.file)
    ledger.recordDelivery(delivery('b1.csv', '2026-01-02T10:00:00+00:00'), rows(['R1']))
    for (const file of [ledger.file, `${ledger.file}-wal`, `${ledger.file}-shm`]) {
      expect(((await stat(file)).mode & 0o777).toString(8), file).toBe('600')
    }
    expect(((await stat(path.dirname(ledger.file))).mode & 0o777).toString(8)).toBe('700')
    expect(((await stat(path.join(home, 'destinations'))).mode & 0o777).toString(8)).toBe('700')
    ledger.close()
    ledger.close()
    const again = await DeliveryLedger.open(home, DEST)
    expect(again.lookup(['R1']).get('R1')?.csvName).toBe('b1.csv')
    expect(again.history().map((d) => d.csvName)).toEqual(['b1.csv'])
    again.close()
  })

  it('finds delivered references among others, across lookup chunks and with unusual characters', async () => {
    const ledger = DeliveryLedger.openFile(await tempFile())
    const odd = ['a "quoted", ref', 'naïve-日本-😀', 'back\\slash', 'line\nbreak', ' spaced ', "it's", '[1]', '{"json":1}']
    const many = Array.from({ length: 25_000 }, (_, i) => `REF-${i}`)
    ledger.recordDelivery(delivery('b1.csv', '2026-01-02T10:00:00+00:00'), rows([...odd, ...many.filter((_, i) => i % 2 === 0)]))
    const asked = [...many, ...odd, 'not delivered', 'REF-0']
    const found = ledger.lookup(asked)
    expect(found.size).toBe(12_500 + odd.length)
    for (const ref of odd) expect(found.has(ref), ref).toBe(true)
    expect(found.has('REF-1')).toBe(false)
    expect(found.has('not delivered')).toBe(false)
    expect(found.get('REF-24998')).toEqual({ csvName: 'b1.csv', batchId: 'b1', deliveredAt: '2026-01-02T10:00:00+00:00' })
    expect(ledger.lookup([]).size).toBe(0)
    ledger.close()
  })

  it('records the same CSV twice as once, and keeps each reference\'s first delivery', async () => {
    const ledger = DeliveryLedger.openFile(await tempFile())
    const first = delivery('b1.csv', '2026-01-02T10:00:00+00:00')
    expect(ledger.recordDelivery(first, rows(['R1', 'R2']))).toEqual({ added: 2 })
    expect(ledger.recordDelivery(first, rows(['R1', 'R2']))).toEqual({ added: 0 })
    expect(ledger.history()).toHaveLength(1)
    // A later export overlapping the first: only R3 is new, R2 still points at b1.csv.
    expect(ledger.recordDelivery(delivery('b2.csv', '2026-01-03T10:00:00+00:00'), rows(['R2', 'R3']))).toEqual({ added: 1 })
    const found = ledger.lookup(['R1', 'R2', 'R3'])
    expect([...found].map(([ref, d]) => `${ref}:${d.csvName}`)).toEqual(['R1:b1.csv', 'R2:b1.csv', 'R3:b2.csv'])
    // Each CSV's rows are kept once: b1.csv's 2 (not 4), b2.csv's 2.
    expect(ledger.recordDelivery(first, rows(['R1', 'R2']))).toEqual({ added: 0 })
    expect(ledger.purge(0, Date.parse('2026-01-02T12:00:00Z'))).toEqual({ conversations: 2, deliveries: 1 })
    expect(ledger.purge(0, Date.parse('2026-01-04T00:00:00Z'))).toEqual({ conversations: 2, deliveries: 1 })
    ledger.close()
    // Nothing left behind by the retry: the file holds no conversation rows any more.
    const raw = new Database(ledger.file, { readonly: true })
    expect(raw.prepare('SELECT count(*) FROM conversation').pluck().get()).toBe(0)
    raw.close()
  })

  it('keeps every CSV of a batch delivered over several runs', async () => {
    const ledger = DeliveryLedger.openFile(await tempFile())
    const part1 = { ...delivery('batch-7-1.csv', '2026-01-02T10:00:00+00:00', 'batch-7'), rows: 2, bytes: 300, reportCsv: '/r/1.csv', reportJson: '/r/1.json' }
    const part2 = { ...delivery('batch-7-2.csv', '2026-01-02T11:00:00+00:00', 'batch-7'), rows: 1, bytes: 150 }
    ledger.recordDelivery(part2, rows(['R3']))
    ledger.recordDelivery(part1, rows(['R1', 'R2']))
    ledger.recordDelivery(delivery('other.csv', '2026-01-02T12:00:00+00:00'), rows(['X']))
    expect(ledger.deliveriesOfBatch('batch-7')).toEqual([part1, part2])
    expect(ledger.delivery('batch-7-1.csv')).toEqual(part1)
    expect(ledger.delivery('never.csv')).toBeNull()
    expect(ledger.deliveriesOfBatch('never')).toEqual([])
    expect(new Set([...ledger.lookup(['R1', 'R2', 'R3']).values()].map((d) => d.batchId))).toEqual(new Set(['batch-7']))
    ledger.close()
  })

  it('lists history newest first, whatever order deliveries were recorded in', async () => {
    const ledger = DeliveryLedger.openFile(await tempFile())
    // Offsets differ: order is by the instant, not by the text.
    ledger.recordDelivery(delivery('b.csv', '2026-01-02T12:00:00+02:00'), rows(['B']))
    ledger.recordDelivery(delivery('c.csv', '2026-01-02T11:00:00Z'), rows(['C']))
    ledger.recordDelivery(delivery('a.csv', '2026-01-01T23:00:00Z'), rows(['A']))
    expect(ledger.history().map((d) => d.csvName)).toEqual(['c.csv', 'b.csv', 'a.csv'])
    expect(ledger.history(2).map((d) => d.csvName)).toEqual(['c.csv', 'b.csv'])
    expect(caught(() => ledger.history(-1)).code).toBe('BAD_ARGUMENT')
    ledger.close()
  })

  it('remembers the size and sha256 a recording name was last delivered with', async () => {
    const ledger = DeliveryLedger.openFile(await tempFile())
    const old = delivery('old.csv', '2026-01-02T10:00:00Z')
    ledger.recordDelivery(old, [{ reference: 'R1', recording: 'call.wav', size: 10, sha256: 'aa'.repeat(32) }, { reference: 'R9', recording: 'nohash.wav', size: 5, sha256: null }])
    // Sent again on purpose with new content: the conversation keeps its first delivery, the
    // recording its last content.
    ledger.recordDelivery(delivery('new.csv', '2026-01-03T10:00:00Z'), [{ reference: 'R1', recording: 'call.wav', size: 20, sha256: 'BB'.repeat(32) }])
    // A retry of the older delivery does not bring its stale content back.
    ledger.recordDelivery(old, [{ reference: 'R1', recording: 'call.wav', size: 10, sha256: 'aa'.repeat(32) }])
    expect(ledger.recording('call.wav')).toEqual({ size: 20, sha256: 'bb'.repeat(32), csvName: 'new.csv' })
    expect(ledger.recording('nohash.wav')).toBeNull()
    expect(ledger.recording('never.wav')).toBeNull()
    expect(ledger.lookup(['R1']).get('R1')?.csvName).toBe('old.csv')
    ledger.close()
  })

  it('records all of a delivery or none of it', async () => {
    const ledger = DeliveryLedger.openFile(await tempFile())
    const bad = [...rows(['R1', 'R2']), { reference: 'R3', recording: 'r3.wav', size: 1, sha256: 'not-a-hash' }]
    const err = caught(() => ledger.recordDelivery(delivery('b1.csv', '2026-01-02T10:00:00Z'), bad))
    expect(err.code).toBe('BAD_ARGUMENT')
    expect(err.details).toBe('Expected `sha256` to be 64 hexadecimal digits, or null, got `not-a-hash`')
    expect(ledger.history()).toEqual([])
    expect(ledger.lookup(['R1', 'R2']).size).toBe(0)
    expect(caught(() => ledger.recordDelivery(delivery('b2.csv', 'yesterday'), [])).details).toMatch(/`deliveredAt`/)
    ledger.close()
  })

  it('forgets deliveries older than the retention, with their conversations and recordings', async () => {
    const ledger = DeliveryLedger.openFile(await tempFile())
    const now = Date.parse('2027-03-01T00:00:00Z')
    ledger.recordDelivery(delivery('old.csv', '2026-01-01T00:00:00Z'), rows(['O1', 'O2']))
    ledger.recordDelivery(delivery('recent.csv', '2027-02-01T00:00:00Z'), rows(['N1']))
    expect(ledger.purge(400, now)).toEqual({ conversations: 2, deliveries: 1 })
    expect(ledger.purge(400, now)).toEqual({ conversations: 0, deliveries: 0 })
    expect([...ledger.lookup(['O1', 'O2', 'N1']).keys()]).toEqual(['N1'])
    expect(ledger.history().map((d) => d.csvName)).toEqual(['recent.csv'])
    expect(ledger.recording('O1.wav')).toBeNull()
    expect(ledger.recording('N1.wav')).not.toBeNull()
    // Forgotten references can be delivered again and are recorded anew.
    expect(ledger.recordDelivery(delivery('again.csv', '2027-02-02T00:00:00Z'), rows(['O1']))).toEqual({ added: 1 })
    expect(caught(() => ledger.purge(-1)).details).toBe('Expected `retentionDays` to be a number from 0 and up, got `-1`')
    ledger.close()
  })
})

describe('delivery ledger seen from two handles', () => {
  it('sees what another handle recorded, purged or added to an earlier delivery since its last lookup', async () => {
    const file = await tempFile()
    const reader = DeliveryLedger.openFile(file)
    const writer = DeliveryLedger.openFile(file)
    expect(reader.lookup(['A1', 'B1']).size).toBe(0)
    writer.recordDelivery(delivery('a.csv', '2026-01-01T00:00:00Z'), rows(['A1']))
    writer.recordDelivery(delivery('b.csv', '2026-03-01T00:00:00Z'), rows(['B1']))
    expect([...reader.lookup(['A1', 'B1', 'A2']).keys()]).toEqual(['A1', 'B1'])
    // A retry of a.csv that brings a reference the first attempt did not record.
    expect(writer.recordDelivery(delivery('a.csv', '2026-01-01T00:00:00Z'), rows(['A1', 'A2']))).toEqual({ added: 1 })
    expect(reader.lookup(['A2']).get('A2')?.csvName).toBe('a.csv')
    writer.purge(30, Date.parse('2026-03-15T00:00:00Z'))
    expect([...reader.lookup(['A1', 'A2', 'B1']).keys()]).toEqual(['B1'])
    // The reader records too: its own index stays right after its own writes.
    expect(reader.recordDelivery(delivery('c.csv', '2026-03-02T00:00:00Z'), rows(['B1', 'C1']))).toEqual({ added: 1 })
    expect([...writer.lookup(['A1', 'B1', 'C1']).values()].map((d) => d.csvName)).toEqual(['b.csv', 'c.csv'])
    reader.close()
    writer.close()
  })

  it('hashes references the same way in every version (ledgers store the hashes)', () => {
    expect([...hashReference('CR-00000001')]).toEqual([3996847635, 1956630939])
    expect([...hashReference('naïve-日本-😀')]).toEqual([2666792644, 860189371])
    expect([...hashReference('a')]).toEqual([3363834046, 703136198])
    const seen = new Set<string>()
    for (let i = 0; i < 200_000; i++) {
      const h = hashReference(`CR-${String(i).padStart(8, '0')}`)
      seen.add(`${h[0]}:${h[1]}`)
    }
    expect(seen.size).toBe(200_000)
  })
})

describe('delivery ledger on a bad disk or file', () => {
  it('says this computer\'s folder is not writable when a file stands where the folder should be', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bu-ledger-'))
    await writeFile(path.join(dir, 'destinations'), 'a file, not a folder')
    const err = caught(() => DeliveryLedger.openFile(path.join(dir, 'destinations', 'abc', LEDGER_FILE)))
    expect(err.code).toBe('LOCAL_NOT_WRITABLE')
    expect(err.message).toMatch(/cannot write to its data folder on this computer/)
    expect(err.details).toContain(path.join(dir, 'destinations'))
  })

  it('says this computer\'s folder is not writable when it is read-only', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bu-ledger-'))
    await chmod(dir, 0o555)
    // Root ignores folder permissions: as root, the attempt runs in a child process as `nobody`.
    const asRoot = process.getuid?.() === 0
    const result = asRoot
      ? JSON.parse(await runScript(OPEN_ONCE, [path.join(dir, LEDGER_FILE)], { uid: NOBODY, gid: NOBODY }))
      : (() => {
          const err = caught(() => DeliveryLedger.openFile(path.join(dir, LEDGER_FILE)))
          return { code: err.code, message: err.message, details: err.details }
        })()
    expect(result.code).toBe('LOCAL_NOT_WRITABLE')
    expect(result.message).toMatch(/cannot write to its data folder on this computer/)
    expect(result.details).toContain(dir)
  })

  it('maps SQLite\'s disk full and read-only errors, and the disk\'s ENOSPC, to this computer\'s codes', async () => {
    const file = await tempFile()
    DeliveryLedger.openFile(file).close()
    const raw = new Database(file)
    raw.pragma('max_page_count = 8') // a real SQLITE_FULL, without filling a real disk
    const full = caught(() => {
      try {
        raw.exec('CREATE TABLE filler (x BLOB); INSERT INTO filler VALUES (zeroblob(1000000))')
      } catch (err) {
        throw ledgerError(err, file, 'record the delivery of b1.csv in')
      }
    })
    raw.close()
    expect(full.code).toBe('LOCAL_DISK_FULL')
    expect(full.message).toMatch(/This computer's disk is full/)
    expect(full.details).toContain(`Could not record the delivery of b1.csv in the delivery ledger ${file}`)
    const readOnly = new Database(file, { readonly: true })
    const ro = caught(() => {
      try {
        readOnly.exec('CREATE TABLE t (x)')
      } catch (err) {
        throw ledgerError(err, file, 'purge')
      }
    })
    readOnly.close()
    expect(ro.code).toBe('LOCAL_NOT_WRITABLE')
    const enospc = caught(() => {
      try {
        writeFileSync('/dev/full', 'x')
      } catch (err) {
        throw ledgerError(err, file, 'open')
      }
    })
    expect(enospc.code).toBe('LOCAL_DISK_FULL')
  })

  it('refuses a damaged file, another program\'s database and a newer version\'s ledger with a clear error', async () => {
    const damaged = await tempFile()
    await writeFile(damaged, 'this is not a database\n'.repeat(500))
    const err = caught(() => DeliveryLedger.openFile(damaged))
    expect(err.code).toBe('LOCAL_DATA_DAMAGED')
    expect(err.message).toBe(`The delivery ledger ${damaged} is damaged: move it away and run again; the app then starts a new, empty ledger for this destination, which knows only the deliveries whose CSVs are still on the server. If the platform has taken earlier CSVs off the server, check in the platform which conversations arrived before you send more.`)
    expect(err.details).toBe(`${damaged} is not a delivery ledger this app can read (file is not a database).`)

    const foreign = await tempFile()
    const other = new Database(foreign)
    other.exec('CREATE TABLE notes (text TEXT)')
    other.close()
    expect(caught(() => DeliveryLedger.openFile(foreign)).details).toMatch(/another program's data/)

    const newer = await tempFile()
    DeliveryLedger.openFile(newer).close()
    const future = new Database(newer)
    future.pragma('user_version = 99')
    future.close()
    const tooNew = caught(() => DeliveryLedger.openFile(newer))
    expect(tooNew.code).toBe('NOT_READABLE')
    expect(tooNew.details).toMatch(/newer version of bulk-upload .*Update the app/)
  })
})

/** A second process recording into the same ledger: waits for "go" on stdin, prints its total added. */
const RECORDER = `
import { DeliveryLedger } from ${JSON.stringify(LEDGER_MODULE)}
const [file, who] = process.argv.slice(-2)
const ledger = DeliveryLedger.openFile(file)
process.stdout.write('ready\\n')
process.stdin.once('data', () => {
  let added = 0
  for (let d = 0; d < 20; d++) {
    // Both processes deliver the same 40,000 references, in different CSVs and orders.
    const refs = Array.from({ length: 2000 }, (_, i) => 'R-' + (who === 'a' ? d * 2000 + i : 39999 - (d * 2000 + i)))
    const delivery = { batchId: who, csvName: who + '-' + d + '.csv', rows: refs.length, bytes: 0, deliveredAt: new Date().toISOString(), sourceCsv: 'x.csv', reportCsv: null, reportJson: null }
    added += ledger.recordDelivery(delivery, refs.map((reference) => ({ reference, recording: null, size: null, sha256: null }))).added
  }
  ledger.close()
  process.stdout.write('added ' + added + '\\n')
})
`

/** Opens a ledger in a child process (as another user) and prints the AppError it met, as JSON. */
const OPEN_ONCE = `
import { DeliveryLedger } from ${JSON.stringify(LEDGER_MODULE)}
try { DeliveryLedger.openFile(process.argv.at(-1)).close(); console.log('{}') }
catch (err) { console.log(JSON.stringify({ code: err.code, message: err.message, details: err.details })) }
`
const NOBODY = 65534

interface Child {
  /** Resolves once the child printed `line`. */
  printed: (line: string) => Promise<void>
  send: (text: string) => void
  /** Everything the child printed, once it exited 0. */
  output: Promise<string>
}

function startScript(script: string, args: string[], as: { uid?: number; gid?: number } = {}): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, ...args], { stdio: ['pipe', 'pipe', 'inherit'], cwd: REPO, ...as })
  let out = ''
  const waiting: Array<{ line: string; resolve: () => void }> = []
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
    for (const w of waiting.filter((w) => out.includes(w.line))) w.resolve()
  })
  const output = new Promise<string>((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${out}`))))
  })
  return {
    printed: (line) => (out.includes(line) ? Promise.resolve() : new Promise((resolve) => waiting.push({ line, resolve }))),
    send: (text) => child.stdin.end(text),
    output,
  }
}

function runScript(script: string, args: string[], as: { uid?: number; gid?: number } = {}): Promise<string> {
  const child = startScript(script, args, as)
  child.send('')
  return child.output
}

describe('delivery ledger shared by two processes', () => {
  it('records every reference exactly once when both record overlapping deliveries at the same time', async () => {
    const file = await tempFile()
    DeliveryLedger.openFile(file).close()
    const a = startScript(RECORDER, [file, 'a'])
    const b = startScript(RECORDER, [file, 'b'])
    await Promise.all([a.printed('ready\n'), b.printed('ready\n')])
    a.send('go\n')
    b.send('go\n')
    const added = (await Promise.all([a.output, b.output])).map((out) => Number(/added (\d+)/.exec(out)?.[1]))
    expect(added[0]! + added[1]!).toBe(40_000)
    const ledger = DeliveryLedger.openFile(file)
    expect(ledger.history()).toHaveLength(40)
    expect(ledger.lookup(Array.from({ length: 40_000 }, (_, i) => `R-${i}`)).size).toBe(40_000)
    ledger.close()
  })
})
