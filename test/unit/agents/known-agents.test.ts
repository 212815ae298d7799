/**
 * Known agents come from the user's word only (issue 22, item 5): an imported list or a
 * confirmation. The store keeps confirmations beside the list, reads agents.json files written
 * before confirmations existed (their `delivered` list, grown by every delivery, is kept but not
 * trusted), and the agent check counts confirmed agents as known and those old deliveries not.
 */
import path from 'node:path'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { validateBatch } from '../../../src/batch'
import { checkAgents } from '../../../src/agents/agent-checks'
import { agentsPath, confirmAgents, forgetConfirmedAgents, NO_AGENTS, readKnownAgents, saveKnownAgents } from '../../../src/agents/known-agents-store'
import { wavBytes } from '../../fixtures/audio-bytes'
import { tempDir, writeFiles } from '../batch/helpers'

const DEST = { host: 'sftp.example.com', port: 22, username: 'acme', remoteDir: '' }

/** An agents.json as versions before confirmations wrote it: `delivered` grown by each delivery, a slip among them. */
const OLD_FILE = { version: 1, list: null, delivered: ['ana@example.com', 'tom.harriss@example.com'], strict: false }

async function home(): Promise<string> {
  return path.join(await tempDir(), 'home')
}

async function writeOld(h: string, file: object): Promise<void> {
  await mkdir(path.dirname(agentsPath(h, DEST)), { recursive: true })
  await writeFile(agentsPath(h, DEST), JSON.stringify(file))
}

describe('the known-agents store', () => {
  it('confirms agents once each (letter case and spaces are the same agent), first spelling kept, and says which were new', async () => {
    const h = await home()
    const first = await confirmAgents(h, DEST, ['Ana@Example.com ', 'bo@example.com', 'ANA@example.com'])
    expect(first.added).toEqual(['Ana@Example.com', 'bo@example.com'])
    const again = await confirmAgents(h, DEST, [' bo@EXAMPLE.com', 'cy@example.com', ''])
    expect(again.added).toEqual(['cy@example.com'])
    expect((await readKnownAgents(h, DEST)).confirmed).toEqual(['Ana@Example.com', 'bo@example.com', 'cy@example.com'])
    // Nothing new: the file is not rewritten (a read-only folder would refuse a write).
    await chmod(path.dirname(agentsPath(h, DEST)), 0o500)
    try {
      expect((await confirmAgents(h, DEST, ['ana@example.com'])).added).toEqual([])
    } finally {
      await chmod(path.dirname(agentsPath(h, DEST)), 0o700)
    }
  })

  it('takes a confirmation back', async () => {
    const h = await home()
    await confirmAgents(h, DEST, ['ana@example.com', 'tom.harriss@example.com'])
    const r = await forgetConfirmedAgents(h, DEST, ['TOM.harriss@example.com', 'nobody@example.com'])
    expect(r.removed).toEqual(['tom.harriss@example.com'])
    expect((await readKnownAgents(h, DEST)).confirmed).toEqual(['ana@example.com'])
  })

  it('keeps the list, the strict setting and the old deliveries as they were when confirming', async () => {
    const h = await home()
    await writeOld(h, { ...OLD_FILE, list: { ids: ['zoe@example.com'], source: '/x/users.csv', column: 'Email', importedAt: '2024-06-01T09:00:00.000Z' }, strict: true })
    await confirmAgents(h, DEST, ['bo@example.com'])
    const known = await readKnownAgents(h, DEST)
    expect(known).toEqual({ list: { ids: ['zoe@example.com'], source: '/x/users.csv', column: 'Email', importedAt: '2024-06-01T09:00:00.000Z' }, confirmed: ['bo@example.com'], delivered: OLD_FILE.delivered, strict: true })
    // Still version 1, so an older app on the same home reads it instead of calling it damaged.
    const stored = JSON.parse(await readFile(agentsPath(h, DEST), 'utf8'))
    expect(stored).toMatchObject({ version: 1, delivered: OLD_FILE.delivered, confirmed: ['bo@example.com'] })
  })

  it('reads a file written before confirmations: its deliveries kept apart, nothing confirmed', async () => {
    const h = await home()
    await writeOld(h, OLD_FILE)
    expect(await readKnownAgents(h, DEST)).toEqual({ list: null, confirmed: [], delivered: OLD_FILE.delivered, strict: false })
  })

  it('confirms the old deliveries only when asked to, on the user\'s word', async () => {
    const h = await home()
    await writeOld(h, OLD_FILE)
    const r = await confirmAgents(h, DEST, [], { earlierDeliveries: true })
    expect(r.added).toEqual(OLD_FILE.delivered)
    expect(r.known.confirmed).toEqual(OLD_FILE.delivered)
  })

  it('calls a file whose confirmed agents are not a list of IDs damaged, saying what to do', async () => {
    const h = await home()
    await writeOld(h, { ...OLD_FILE, confirmed: 'ana@example.com' })
    await expect(readKnownAgents(h, DEST)).rejects.toMatchObject({ code: 'LOCAL_DATA_DAMAGED' })
    await expect(readKnownAgents(h, DEST)).rejects.toThrow(/move it away and run again; agents confirmed must be confirmed again \(bulk-upload agents confirm\)/)
  })

  it('knows nothing of a destination never recorded', async () => {
    expect(await readKnownAgents(await home(), DEST)).toEqual(NO_AGENTS)
    const h = await home()
    await saveKnownAgents(h, DEST, { ...NO_AGENTS, confirmed: ['a@x'] })
    expect((await readKnownAgents(h, DEST)).confirmed).toEqual(['a@x'])
  })
})

describe('the agent check', () => {
  const MAPPING = { contactReference: 'Ref', agentId: 'Agent', contactDate: 'Date', audioFilename: 'File' }
  async function checked(agents: string[]) {
    const dir = await tempDir()
    const wav = wavBytes(200)
    const files: Record<string, string | Uint8Array> = {}
    const rows = agents.map((a, i) => {
      files[`r${i}.wav`] = wav
      return `C${i + 1},${a},2024-01-01T10:00:00Z,r${i}.wav`
    })
    files['calls.csv'] = `Ref,Agent,Date,File\n${rows.join('\n')}\n`
    await writeFiles(dir, files)
    return validateBatch({ paths: [dir], csvPath: path.join(dir, 'calls.csv'), mapping: MAPPING })
  }

  it('counts confirmed agents as known, and an agent only delivered before (a slip, maybe) as new', async () => {
    const batch = await checked(['ana@example.com', 'tom.harriss@example.com', 'bo@example.com', 'BO@example.com'])
    const found = checkAgents(batch.agents, batch.manifest.rowRecording, { list: null, confirmed: ['Bo@Example.com'], delivered: ['ana@example.com', 'tom.harriss@example.com'], strict: false })
    expect(found.report).toMatchObject({ code: 'NEW_AGENT', deliveredSize: 1, concernedTotal: 2 })
    expect(found.report.concerned.map((c) => c.agent)).toEqual(['ana@example.com', 'tom.harriss@example.com'])
    expect(found.issues.map((i) => [i.row, i.code, i.severity])).toEqual([[1, 'NEW_AGENT', 'notice'], [2, 'NEW_AGENT', 'notice']])
  })

  it('with a list: confirmed agents pass beside it; a slip delivered before is UNKNOWN_AGENT, and left out when strict', async () => {
    const batch = await checked(['ana@example.com', 'tom.harriss@example.com', 'bo@example.com'])
    const list = { ids: ['ana@example.com'], source: 'users.csv', column: 'Email', importedAt: '2024-06-01T09:00:00.000Z' }
    const found = checkAgents(batch.agents, batch.manifest.rowRecording, { list, confirmed: ['bo@example.com'], delivered: ['tom.harriss@example.com'], strict: true })
    expect(found.report).toMatchObject({ code: 'UNKNOWN_AGENT', strict: true, concerned: [{ agent: 'tom.harriss@example.com', rows: 1 }] })
    expect(found.issues.map((i) => [i.row, i.severity])).toEqual([[2, 'error']])
    expect(Array.from(found.drop!)).toEqual([0, 1, 0])
  })

  it('once every agent is confirmed, nothing is flagged', async () => {
    const batch = await checked(['ana@example.com', 'bo@example.com'])
    const found = checkAgents(batch.agents, batch.manifest.rowRecording, { ...NO_AGENTS, confirmed: ['ana@example.com', 'bo@example.com'] })
    expect(found.report.code).toBeNull()
    expect(found.count).toBe(0)
  })
})
