/**
 * Agents the platform knows (issue 12): lists imported from CSVs in the encodings and
 * delimiters the app reads, a batch naming known, unknown and new agents checked against the
 * destination, and agents made known by `agents confirm` only: a real delivery to the sandbox
 * SFTP server makes none known (issue 22: a slip delivered once would pass every later check).
 * Run as a user does: `bulk-upload` child processes with their own app home.
 */
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from './upload/cli'
import { startServer, type TestServer } from './upload/servers'
import { makeKeyPair } from './upload/support'

const DEST = ['--host', 'sftp.example.com', '--user', 'acme']

let root: string
let home: string
let homes = 0
const run = (args: string[]) => runCli(args, { BULK_UPLOAD_HOME: home })

/** A batch folder: one 1.5 s WAV per row (sox), the CSV naming the rows' agents. */
async function batch(name: string, agents: string[]): Promise<string> {
  const dir = path.join(root, name)
  await mkdir(dir, { recursive: true })
  const lines = ['Call ID,Agent Email,Start Time,Recording']
  for (const [i, agent] of agents.entries()) {
    const file = `${name}-${i + 1}.wav`
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', path.join(dir, file), 'synth', '1.5', 'sine', '440'])
    lines.push(`${name}-C${i + 1},${agent},2024-05-03T09:27:23+00:00,${file}`)
  }
  await writeFile(path.join(dir, 'calls.csv'), lines.join('\r\n') + '\r\n')
  return dir
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'bu-cli-agents-'))
  // The platform's user export as Excel writes it in Western Europe: Windows-1252, semicolons.
  await writeFile(path.join(root, 'users-1252.csv'), Buffer.from('Nom;Courriel;Équipe\r\nJosé Núñez;josé@example.com;Ventes\r\nAna;ANA@example.com ;Support\r\nVide;;Support\r\n', 'latin1'))
  // The user's own list: UTF-8, commas, the agent column found by its name.
  await writeFile(path.join(root, 'team.csv'), 'Name,Email\nBo,bo@example.com\nJosé,josé@example.com\n')
})
beforeEach(() => {
  home = path.join(root, `home-${++homes}`)
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('bulk-upload agents import and list', () => {
  it('imports a Windows-1252, semicolon-separated user export from the column named, accents intact', async () => {
    const r = await run(['agents', 'import', path.join(root, 'users-1252.csv'), ...DEST, '--column', 'Courriel'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Imported 2 agent IDs from column "Courriel"')
    expect(r.stdout).toContain('1 rows had no value')
    const listed = JSON.parse((await run(['agents', 'list', ...DEST, '--json'])).stdout)
    expect(listed.list.ids).toEqual(['josé@example.com', 'ANA@example.com'])
    expect(listed.list.column).toBe('Courriel')
    expect({ confirmed: listed.confirmed, earlierDeliveries: listed.earlierDeliveries }).toEqual({ confirmed: [], earlierDeliveries: [] })
  })

  it('finds the agent column of a UTF-8, comma-separated list by its name, and adds to the list with --add', async () => {
    await run(['agents', 'import', path.join(root, 'users-1252.csv'), ...DEST, '--column', 'Courriel'])
    const r = await run(['agents', 'import', path.join(root, 'team.csv'), ...DEST, '--add'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('from column "Email"')
    expect(r.stdout).toContain('3 now')
    const listed = JSON.parse((await run(['agents', 'list', ...DEST, '--json'])).stdout)
    expect(listed.list.ids).toEqual(['josé@example.com', 'ANA@example.com', 'bo@example.com'])
  })

  it('finds a destination saved in the app by its name, as the same records as its host and user', async () => {
    await mkdir(home, { recursive: true })
    await writeFile(path.join(home, 'destinations.json'), JSON.stringify({ version: 1, destinations: [{ id: 'p-1', name: 'Platform', host: 'sftp.example.com', port: 22, username: 'acme', keyName: 'k', remoteDir: '' }] }))
    expect((await run(['agents', 'import', path.join(root, 'team.csv'), '--destination', 'platform'])).code).toBe(0)
    expect(JSON.parse((await run(['agents', 'list', ...DEST, '--json'])).stdout).list.ids).toEqual(['bo@example.com', 'josé@example.com'])
    const missing = await run(['agents', 'list', '--destination', 'Elsewhere'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('No destination named "Elsewhere" is saved in the app (saved: "Platform")')
  })

  it("says the app's destinations file is damaged, and how to go on without it, when it is not what the app writes", async () => {
    await mkdir(home, { recursive: true })
    await writeFile(path.join(home, 'destinations.json'), '{"version":1,"destinations":[{"name":"Platform"')
    const r = await run(['agents', 'list', '--destination', 'Platform'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`The destinations file ${path.join(home, 'destinations.json')} is damaged`)
    expect(r.stderr).toContain('Or name the server with --host and --user.')
  })

  it('says which columns there are when the one named is missing, and writes nothing', async () => {
    const r = await run(['agents', 'import', path.join(root, 'users-1252.csv'), ...DEST, '--column', 'Email'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('has no column "Email"')
    expect(r.stderr).toContain('"Courriel"')
    expect(JSON.parse((await run(['agents', 'list', ...DEST, '--json'])).stdout).list).toBeNull()
  })
})

describe('check names the agents the platform may not know', () => {
  it('flags rows whose agent is not on the list (UNKNOWN_AGENT), counts them per agent, and says where to map them', async () => {
    await run(['agents', 'import', path.join(root, 'users-1252.csv'), ...DEST, '--column', 'Courriel'])
    // Row 2 differs from the list only in case and spaces: the same agent.
    const dir = await batch('mixed', ['josé@example.com', ' ana@EXAMPLE.com', 'zoe@example.com', 'zoe@example.com', 'max@example.com'])
    const r = await run(['check', dir, ...DEST, '--json'])
    expect(r.code).toBe(0) // warnings only
    const json = JSON.parse(r.stdout)
    expect(json.issues.filter((i: { code: string }) => i.code === 'UNKNOWN_AGENT').map((i: { row: number; severity: string }) => [i.row, i.severity])).toEqual([[3, 'warning'], [4, 'warning'], [5, 'warning']])
    expect(json.agents.code).toBe('UNKNOWN_AGENT')
    expect(json.agents.concerned).toEqual([{ agent: 'zoe@example.com', rows: 2 }, { agent: 'max@example.com', rows: 1 }])
    expect(json.agents.distinct).toBe(4)
    expect(json.eligible).toBe(5)
    const human = await run(['check', dir, ...DEST])
    expect(human.stdout).toMatch(/UNKNOWN_AGENT\s+3\s+Agent not known to the platform/)
    expect(human.stdout).toContain('2 of 4 agents are not on this destination\'s list (2 agents)')
    expect(human.stdout).toMatch(/zoe@example\.com {2}2 rows/)
    expect(human.stdout).toContain('External System User ID')
  })

  it('leaves those rows out when unknown agents are errors (the destination\'s setting or --strict-agents)', async () => {
    await run(['agents', 'import', path.join(root, 'users-1252.csv'), ...DEST, '--column', 'Courriel'])
    const dir = await batch('strict', ['josé@example.com', 'zoe@example.com'])
    const flagged = JSON.parse((await run(['check', dir, ...DEST, '--json', '--strict-agents'])).stdout)
    expect(flagged.issues.filter((i: { code: string }) => i.code === 'UNKNOWN_AGENT').map((i: { row: number; severity: string }) => [i.row, i.severity])).toEqual([[2, 'error']])
    expect(flagged.eligible).toBe(1)
    expect(flagged.toUpload).toBe(1)
    expect((await run(['agents', 'strict', 'on', ...DEST])).code).toBe(0)
    const r = await run(['check', dir, ...DEST])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('their rows are left out')
    expect(r.stdout).toContain('Ready with exclusions: 1 conversations')
  })
})

describe('agents become known by confirmation, not by delivery', () => {
  let server: TestServer
  let work: string
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'bu-agents-sftp-'))
    const key = await makeKeyPair(work)
    server = await startServer('sandbox-posix', work, key.publicKey)
  })
  afterAll(async () => {
    await server.close()
    await rm(work, { recursive: true, force: true })
  })

  const newAgentRows = (json: { issues: Array<{ code: string; row: number; severity: string }> }) =>
    json.issues.filter((i) => i.code === 'NEW_AGENT').map((i) => [i.row, i.severity])

  it('notes agents never confirmed (NEW_AGENT) when no list is loaded, still after their batch was delivered, and not once confirmed', async () => {
    const dest = ['--host', server.host, '--port', String(server.port), '--user', server.username]
    // tom.harriss is a typing slip the platform has no user for.
    const first = await batch('day1', ['ana@example.com', 'tom.harriss@example.com'])
    const before = JSON.parse((await run(['check', first, ...dest, '--json'])).stdout)
    expect(newAgentRows(before)).toEqual([[1, 'notice'], [2, 'notice']])
    const sent = await run(['upload', first, ...dest, '--key', path.join(work, 'id_ed25519'), '--known-hosts', server.knownHostsPath, '--state-dir', path.join(work, 'state')])
    expect(sent.code, sent.stderr).toBe(0)
    const csvName = (await readdir(server.root)).find((n) => n.endsWith('.csv'))!
    expect(await readFile(path.join(server.root, csvName), 'utf8')).toContain('tom.harriss@example.com')

    // Delivered, yet not known: the next batch's check still notes both, the slip included.
    const next = await batch('day2', ['tom.harriss@example.com', 'ana@example.com', 'cy@example.com', 'cy@example.com'])
    const after = JSON.parse((await run(['check', next, ...dest, '--json'])).stdout)
    expect(newAgentRows(after)).toEqual([[1, 'notice'], [2, 'notice'], [3, 'notice'], [4, 'notice']])
    expect(after.agents.deliveredSize).toBe(0)

    // Confirmed (in another letter case and with a space): those rows are no longer noted.
    const confirmed = await run(['agents', 'confirm', 'ANA@example.com ', 'cy@example.com', ...dest])
    expect(confirmed.stderr).toBe('')
    expect(confirmed.code).toBe(0)
    expect(confirmed.stdout).toContain(`Confirmed for ${server.username}@${server.host}:${server.port}: 2 agents`)
    expect(confirmed.stdout).toContain('2 agents confirmed for')
    const r = await run(['check', next, ...dest, '--json'])
    expect(r.code).toBe(0)
    const json = JSON.parse(r.stdout)
    expect(newAgentRows(json)).toEqual([[1, 'notice']])
    expect(json.agents.concerned).toEqual([{ agent: 'tom.harriss@example.com', rows: 1 }])
    expect(json.agents.deliveredSize).toBe(2)
    // Confirming again changes nothing; --forget takes one back and its rows are noted again.
    expect((await run(['agents', 'confirm', 'cy@example.com', ...dest])).stdout).toContain('nothing changed')
    expect((await run(['agents', 'confirm', '--forget', 'cy@example.com', ...dest])).stdout).toContain('No longer confirmed')
    expect(newAgentRows(JSON.parse((await run(['check', next, ...dest, '--json'])).stdout))).toEqual([[1, 'notice'], [3, 'notice'], [4, 'notice']])
  })

  it('beside a list: a confirmed agent is not UNKNOWN_AGENT, nor left out when strict', async () => {
    await run(['agents', 'import', path.join(root, 'users-1252.csv'), ...DEST, '--column', 'Courriel'])
    await run(['agents', 'strict', 'on', ...DEST])
    const dir = await batch('listed', ['josé@example.com', 'zoe@example.com'])
    expect(JSON.parse((await run(['check', dir, ...DEST, '--json'])).stdout).eligible).toBe(1)
    expect((await run(['agents', 'confirm', 'zoe@example.com', ...DEST])).code).toBe(0)
    const json = JSON.parse((await run(['check', dir, ...DEST, '--json'])).stdout)
    expect(json.eligible).toBe(2)
    expect(json.issues.filter((i: { code: string }) => i.code === 'UNKNOWN_AGENT')).toEqual([])
  })

  it('an agents.json from before confirmations: its delivered agents stay notices until confirmed with --earlier-deliveries', async () => {
    // As versions up to issue 22 wrote it: every delivered batch's agents, a slip among them.
    const { agentsPath } = await import('../../src/agents/known-agents-store')
    const file = agentsPath(home, { host: 'sftp.example.com', port: 22, username: 'acme', remoteDir: '' })
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, JSON.stringify({ version: 1, list: null, delivered: ['ana@example.com', 'tom.harriss@example.com'], strict: false }))
    const dir = await batch('old', ['ana@example.com', 'tom.harriss@example.com'])
    expect(newAgentRows(JSON.parse((await run(['check', dir, ...DEST, '--json'])).stdout))).toEqual([[1, 'notice'], [2, 'notice']])
    const r = await run(['agents', 'confirm', '--earlier-deliveries', ...DEST])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Confirmed for acme@sftp.example.com:22: 2 agents')
    expect(newAgentRows(JSON.parse((await run(['check', dir, ...DEST, '--json'])).stdout))).toEqual([])
  })

  it('refuses a confirm naming no agent, saying how to name them', async () => {
    const r = await run(['agents', 'confirm', ...DEST])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Name the agents to confirm')
  })
})
