import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { DEFAULT_SETTINGS, SettingsStore } from '../../../main/settings-store'
import { DestinationsStore, SANDBOX_ID } from '../../../main/destinations-store'
import { isAppError } from '../../../src/errors'
import { flushLog, setLogHome } from '../../../main/log'

let home: string
beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'bu-stores-'))
  // Warnings about damaged files go to this test's home, not the real app's log.
  setLogHome(home)
})
afterEach(async () => {
  await flushLog()
  await rm(home, { recursive: true, force: true })
})

describe('SettingsStore', () => {
  it('gives the defaults on first run and after a damaged file', async () => {
    const store = new SettingsStore(home)
    expect(await store.get()).toEqual(DEFAULT_SETTINGS)
    await writeFile(store.file, '{ not json')
    expect(await store.get()).toEqual(DEFAULT_SETTINGS)
    await writeFile(store.file, JSON.stringify({ concurrency: -4, retentionDays: 30 }))
    expect(await store.get()).toEqual(DEFAULT_SETTINGS)
  })

  it('saves owner-only and reads back, filling fields it did not have', async () => {
    const store = new SettingsStore(home)
    const chosen = { concurrency: 4, retentionDays: 7, ledgerRetentionDays: 90, bandwidthLimit: '08:00,1M 18:00,off', proxy: 'url' as const, proxyUrl: 'socks5://qa:pw@proxy.corp:1080', teamLedger: 'postgresql://qa:pw@ledger.corp:5432/deliveries' }
    expect(await store.save(chosen)).toEqual(chosen)
    expect(await store.get()).toEqual(chosen)
    if (process.platform !== 'win32') expect((await stat(store.file)).mode & 0o777).toBe(0o600)
    await writeFile(store.file, JSON.stringify({ concurrency: 3 }))
    expect(await store.get()).toEqual({ ...DEFAULT_SETTINGS, concurrency: 3 })
  })

  it('reads a settings file from before the team ledger as this computer\'s own ledger', async () => {
    const store = new SettingsStore(home)
    const older = { concurrency: 4, retentionDays: 7, ledgerRetentionDays: 90, bandwidthLimit: '', proxy: 'none', proxyUrl: '' }
    await writeFile(store.file, JSON.stringify(older))
    expect(await store.get()).toEqual({ ...older, teamLedger: '' })
    expect(DEFAULT_SETTINGS.teamLedger).toBe('')
  })
})

describe('DestinationsStore', () => {
  const input = { name: 'Production', host: 'sftp.example.com', port: 22, username: 'acme', keyName: 'default', remoteDir: '' }

  it('adds, renames, lists and removes destinations', async () => {
    const store = new DestinationsStore(home)
    expect(await store.list()).toEqual([])
    const added = await store.save(input)
    expect(added.id).toMatch(/^production-[0-9a-f]{6}$/)
    expect(added.sandbox).toBe(false)
    const renamed = await store.save({ ...input, id: added.id, name: 'Prod EU' })
    expect(await store.list()).toEqual([renamed])
    expect(JSON.parse(await readFile(store.file, 'utf8')).destinations[0].name).toBe('Prod EU')
    await store.remove(added.id)
    expect(await store.list()).toEqual([])
  })

  it('refuses a damaged file with a sentence instead of listing nothing (saving over it would lose them)', async () => {
    const store = new DestinationsStore(home)
    await writeFile(store.file, '{"version":1,"destinations":[{"name":')
    await expect(store.list()).rejects.toMatchObject({ details: expect.stringContaining('is damaged; move it away') })
    await expect(store.save(input)).rejects.toMatchObject({ details: expect.stringContaining('is damaged') })
  })

  it('refuses duplicate names, unknown ids and changes to the sandbox', async () => {
    const store = new DestinationsStore(home)
    await store.save(input)
    await expect(store.save({ ...input, name: 'PRODUCTION' })).rejects.toSatisfy((e) => isAppError(e, 'BAD_ARGUMENT'))
    await expect(store.save({ ...input, name: 'Sandbox (this computer)' })).rejects.toSatisfy((e) => isAppError(e, 'BAD_ARGUMENT'))
    await expect(store.save({ ...input, id: 'nope' })).rejects.toSatisfy((e) => isAppError(e, 'NOT_FOUND'))
    await expect(store.save({ ...input, id: SANDBOX_ID })).rejects.toSatisfy((e) => isAppError(e, 'BAD_ARGUMENT'))
    await expect(store.remove(SANDBOX_ID)).rejects.toSatisfy((e) => isAppError(e, 'BAD_ARGUMENT'))
    await expect(store.remove('nope')).rejects.toSatisfy((e) => isAppError(e, 'NOT_FOUND'))
  })
  it('remembers the destination the last upload started to, the sandbox included', async () => {
    const store = new DestinationsStore(home)
    expect(await store.lastUsedId()).toBeNull()
    const added = await store.save(input)
    await store.markUsed(added.id)
    expect(await new DestinationsStore(home).lastUsedId()).toBe(added.id)
    await store.markUsed(SANDBOX_ID)
    expect(await store.lastUsedId()).toBe(SANDBOX_ID)
  })
})
