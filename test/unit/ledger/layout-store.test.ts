import { mkdir, mkdtemp, readdir, readFile, stat, writeFile, chmod } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import type { PlatformLayout } from '../../../src/api'
import { layoutFromSource } from '../../../src/batch/platform-layout'
import { isAppError } from '../../../src/errors'
import { destinationDataDir, type DestinationAddress } from '../../../src/ledger/destination-key'
import { forgetLayout, layoutPath, readLayout, saveLayout } from '../../../src/ledger/layout-store'

const DEST: DestinationAddress = { host: 'sftp.example.com', port: 22, username: 'acme', remoteDir: '' }
const MAPPING = { contactReference: 'Call ID', agentId: 'Agent', contactDate: 'Start' }
const layoutWith = (...extra: string[]): PlatformLayout => layoutFromSource(['Call ID', 'Agent', 'Start', ...extra], MAPPING, new Date('2026-01-25T09:30:00Z'))

let home: string
beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'bu-layout-store-'))
})

describe('layout store', () => {
  it('has no layout for a destination never seen, then reads back what was saved', async () => {
    expect(await readLayout(home, DEST)).toBeNull()
    await saveLayout(home, DEST, layoutWith('Queue'))
    expect(await readLayout(home, DEST)).toEqual(layoutWith('Queue'))
    expect(layoutPath(home, DEST)).toBe(path.join(destinationDataDir(home, DEST), 'layout.json'))
  })

  it('finds the same layout for the same server named another way, and none for another folder', async () => {
    await saveLayout(home, DEST, layoutWith('Queue'))
    expect(await readLayout(home, { ...DEST, host: 'SFTP.Example.com' })).toEqual(layoutWith('Queue'))
    expect(await readLayout(home, { ...DEST, remoteDir: 'uploads' })).toBeNull()
    expect(await readLayout(home, { ...DEST, username: 'other' })).toBeNull()
  })

  it.skipIf(process.platform === 'win32')('keeps the folders owner-only (0700) and the file 0600, even where they existed looser (POSIX modes: skipped on Windows, which has none)', async () => {
    const dir = destinationDataDir(home, DEST)
    await mkdir(dir, { recursive: true, mode: 0o755 })
    await chmod(dir, 0o755)
    await chmod(path.dirname(dir), 0o755)
    await saveLayout(home, DEST, layoutWith())
    expect((await stat(path.dirname(dir))).mode & 0o777).toBe(0o700)
    expect((await stat(dir)).mode & 0o777).toBe(0o700)
    expect((await stat(layoutPath(home, DEST))).mode & 0o777).toBe(0o600)
  })

  it('replaces a layout whole: readers during many concurrent saves see one complete layout, and no temporary file is left', async () => {
    await saveLayout(home, DEST, layoutWith('First'))
    const layouts = Array.from({ length: 20 }, (_, i) => layoutWith(...Array.from({ length: 50 }, (_, j) => `Column ${i}-${j}`)))
    let reads = 0
    let saving = true
    const reader = (async () => {
      while (saving) {
        const seen = await readLayout(home, DEST) // throws if it ever met a torn file
        expect(seen!.columns.length === 4 || seen!.columns.length === 53).toBe(true)
        reads++
      }
    })()
    await Promise.all(layouts.map((l) => saveLayout(home, DEST, l)))
    saving = false
    await reader
    expect(reads).toBeGreaterThan(0)
    const final = await readLayout(home, DEST)
    expect(layouts.some((l) => JSON.stringify(l) === JSON.stringify(final))).toBe(true)
    expect(await readdir(destinationDataDir(home, DEST))).toEqual(['layout.json'])
  })

  it('refuses to save a layout without the required fields, leaving the recorded one as it was', async () => {
    await saveLayout(home, DEST, layoutWith('Queue'))
    const broken: PlatformLayout = { recordedAt: new Date().toISOString(), columns: [{ name: 'Queue', field: null }] }
    await expect(saveLayout(home, DEST, broken)).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    expect(await readLayout(home, DEST)).toEqual(layoutWith('Queue'))
  })

  it('fails a save it cannot finish with an error, cleaning its temporary file up', async () => {
    await mkdir(layoutPath(home, DEST), { recursive: true }) // a folder where the file should go: rename fails
    const err = await saveLayout(home, DEST, layoutWith()).catch((e: unknown) => e)
    expect(isAppError(err)).toBe(true)
    expect(await readdir(destinationDataDir(home, DEST))).toEqual(['layout.json'])
  })

  it.each([
    ['not JSON', '{"columns": [', /is damaged \(.+\)/],
    ['empty (a torn write by another tool)', '', /is damaged/],
    ['JSON but not a layout', JSON.stringify({ columns: [{ name: 'Queue', field: null }], recordedAt: '2026-01-25T09:30:00Z' }), /not a valid platform layout: no column holds Contact Reference, Agent ID, Contact Date/],
  ])('reports a damaged file (%s) with its path and how to fix it, never a crash', async (_name, text, why) => {
    await mkdir(destinationDataDir(home, DEST), { recursive: true })
    await writeFile(layoutPath(home, DEST), text)
    const err = await readLayout(home, DEST).catch((e: unknown) => e)
    // Running again meets the same file: its own code (exit 2, not "interrupted").
    expect(isAppError(err, 'LOCAL_DATA_DAMAGED')).toBe(true)
    const { message, details } = err as { message: string; details: string }
    expect(details).toMatch(why)
    expect(message).toContain(`${layoutPath(home, DEST)} is damaged: move it away and run again`)
    expect(message).toContain('bulk-upload layout import')
  })

  it('forgets a layout (and forgetting none is fine); saving again records the new one', async () => {
    await forgetLayout(home, DEST)
    await saveLayout(home, DEST, layoutWith('Queue'))
    await forgetLayout(home, DEST)
    expect(await readLayout(home, DEST)).toBeNull()
    await saveLayout(home, DEST, layoutWith('Team'))
    expect(JSON.parse(await readFile(layoutPath(home, DEST), 'utf8')).columns.at(-1)).toEqual({ name: 'Team', field: null })
  })
})
