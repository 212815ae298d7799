/**
 * `bulk-upload sample-csv` and `bulk-upload layout ...` run for real: child processes with
 * their own app home (BULK_UPLOAD_HOME), asserting the files, output and exit codes a user sees.
 */
import os from 'node:os'
import path from 'node:path'
import { execFile } from 'node:child_process'
import { lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Papa from 'papaparse'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../../bin/bulk-upload.js', import.meta.url))
const DEST = ['--host', 'sftp.example.com', '--user', 'acme']
const PLATFORM_MAP = ['--map', 'contactReference=Reference', '--map', 'agentId=Agent', '--map', 'contactDate=Date']

let root: string
/** The app home of the test running: each test starts with a fresh one (no layouts). */
let home: string
let homes = 0
const freshHome = (): void => {
  home = path.join(root, `home-${++homes}`)
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1', BULK_UPLOAD_HOME: home } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

const parse = (text: string): string[][] => Papa.parse<string[]>(text, { skipEmptyLines: true }).data

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'bu-cli-sample-'))
  await mkdir(path.join(root, 'batch'))
  await writeFile(path.join(root, 'batch', 'calls.csv'), 'Call ID,Agent Email,Start Time,Recording,Queue\r\nC-1,a@x.com,2019-05-03T09:27:23Z,c1.wav,Sales\r\n')
  await writeFile(path.join(root, 'platform-sample.csv'), 'Reference,Agent,Date,Direction\r\nR1,a@x.com,2019-05-03T09:27:23+00:00,inbound\r\n')
})
beforeEach(freshHome)
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('bulk-upload sample-csv and layout', () => {
  it('explains what to do when the destination has no layout yet, and writes nothing', async () => {
    const r = await run(['sample-csv', 'sample.csv', ...DEST])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('No platform layout is recorded for acme@sftp.example.com:22 yet')
    expect(r.stderr).toContain('--from')
    expect(r.stderr).toContain('bulk-upload layout import')
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(existsSync(path.join(root, 'sample.csv'))).toBe(false)
    expect((await run(['layout', 'show', ...DEST, '--json'])).stdout).toBe('{"destination":{"host":"sftp.example.com","port":22,"user":"acme","remoteDir":""},"layout":null}\n')
  })

  it('builds the sample from a batch folder, records it with --record, and writes it again from the record alone', async () => {
    const first = await run(['sample-csv', 'sample.csv', ...DEST, '--from', 'batch', '--record'])
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('Recorded as the platform layout of acme@sftp.example.com:22')
    const rows = parse(await readFile(path.join(root, 'sample.csv'), 'utf8'))
    expect(rows[0]).toEqual(['Call ID', 'Agent Email', 'Start Time', 'Recording', 'Queue'])
    expect(rows).toHaveLength(4)
    expect(rows[1]![2]).toBe('2019-05-03T09:27:23+00:00')

    const shown = JSON.parse((await run(['layout', 'show', ...DEST, '--json'])).stdout)
    expect(shown.layout.columns.map((c: { name: string; field: string | null }) => [c.name, c.field])).toEqual([
      ['Call ID', 'contactReference'],
      ['Agent Email', 'agentId'],
      ['Start Time', 'contactDate'],
      ['Recording', 'audioFilename'],
      ['Queue', null],
    ])

    const again = await run(['sample-csv', path.join(root, 'again.csv'), '--host', 'SFTP.example.com', '--user', 'acme'])
    expect(again.code).toBe(0)
    expect(await readFile(path.join(root, 'again.csv'), 'utf8')).toBe(await readFile(path.join(root, 'sample.csv'), 'utf8'))
  })

  it('imports the sample CSV given to the platform as the layout, and says how a source differs from it', async () => {
    const imported = await run(['layout', 'import', 'platform-sample.csv', ...DEST, ...PLATFORM_MAP])
    expect(imported.code).toBe(0)
    expect(imported.stdout).toContain('Recorded the platform layout of acme@sftp.example.com:22:')
    const again = await run(['layout', 'import', 'platform-sample.csv', ...DEST, ...PLATFORM_MAP])
    expect(again.stdout).toContain('already has this layout')
    const shown = await run(['layout', 'show', ...DEST])
    expect(shown.stdout).toMatch(/1\s+Reference\s+Contact Reference/)
    expect(shown.stdout).toMatch(/4\s+Direction\s+\(extra column\)/)

    const fromSource = await run(['sample-csv', 'other.csv', ...DEST, '--from', path.join('batch', 'calls.csv')])
    expect(fromSource.code).toBe(0)
    expect(fromSource.stderr).toContain('differs from this CSV\'s: new columns "Recording", "Queue"; missing "Direction"')
    const kept = JSON.parse((await run(['layout', 'show', ...DEST, '--json'])).stdout)
    expect(kept.layout.columns.map((c: { name: string }) => c.name)).toEqual(['Reference', 'Agent', 'Date', 'Direction'])
  })

  it('refuses bad input with a sentence and exit 2: a missing source, a bad port, replacing the source, a damaged record', async () => {
    const missing = await run(['sample-csv', 'x.csv', ...DEST, '--from', 'nowhere'])
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('nowhere does not exist')])
    const port = await run(['layout', 'show', ...DEST, '--port', '0'])
    expect([port.code, port.stderr]).toEqual([2, expect.stringContaining('Expected `port` to be a whole number from 1 to 65535, got `0`.')])
    const source = path.join(root, 'batch', 'calls.csv')
    const over = await run(['sample-csv', source, ...DEST, '--from', source])
    expect([over.code, over.stderr]).toEqual([2, expect.stringContaining('would replace the source CSV')])
    expect(await readFile(source, 'utf8')).toContain('C-1,a@x.com')

    expect((await run(['layout', 'import', 'platform-sample.csv', ...DEST, ...PLATFORM_MAP])).code).toBe(0)
    const { stdout } = await run(['layout', 'show', ...DEST])
    const file = /Kept in (.+)/.exec(stdout)![1]!
    await writeFile(file, '{"columns": [')
    const damaged = await run(['sample-csv', 'x.csv', ...DEST])
    expect(damaged.code).toBe(2)
    expect(damaged.stderr).toContain(`The platform layout kept in ${file} is damaged`)
    expect(damaged.stderr).not.toMatch(/\n\s+at /)
    const forgot = await run(['layout', 'forget', ...DEST])
    expect(forgot.code).toBe(0)
    expect((await run(['layout', 'show', ...DEST])).stdout).toContain('No platform layout is recorded for acme@sftp.example.com:22 yet')
  })

  it('replaces a symbolic link at OUT with a new owner-only file, leaving the file it pointed to as it was', async () => {
    expect((await run(['layout', 'import', 'platform-sample.csv', ...DEST, ...PLATFORM_MAP])).code).toBe(0)
    const victim = path.join(root, 'victim.txt')
    await writeFile(victim, 'keep me\n', { mode: 0o644 })
    const out = path.join(root, 'linked-sample.csv')
    await symlink(victim, out)
    const r = await run(['sample-csv', out, ...DEST])
    expect([r.code, r.stderr]).toEqual([0, ''])
    expect(await readFile(victim, 'utf8')).toBe('keep me\n')
    expect((await stat(victim)).mode & 0o777).toBe(0o644)
    const written = await lstat(out)
    expect(written.isSymbolicLink()).toBe(false)
    expect(written.mode & 0o777).toBe(0o600)
    expect(parse(await readFile(out, 'utf8'))[0]).toEqual(['Reference', 'Agent', 'Date', 'Direction'])
    // A folder at OUT is refused with a sentence, not replaced.
    await mkdir(path.join(root, 'a-folder.csv'))
    const folder = await run(['sample-csv', 'a-folder.csv', ...DEST])
    expect([folder.code, folder.stderr]).toEqual([2, expect.stringContaining('Choose a file in a folder you can write to')])
  })
})
