/**
 * The remembered mapping of a reordered export (issue 26, item 7): the same columns in another
 * order get the whole mapping back, date format and time zone included; matched through the
 * destination's platform layout instead (which knows only column names) they were lost.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import { MappingMemory } from '../../../main/mapping-memory'

const profile = { contactReference: 'Call ID', agentId: 'Agent Email', contactDate: 'Call Start', audioFilename: 'Recording', dateFormat: 'dd/MM/yyyy HH:mm', timezone: 'America/New_York' }

describe('MappingMemory', () => {
  let home: string
  beforeEach(async () => { home = await mkdtemp(path.join(os.tmpdir(), 'bu-mapmem-')) })
  afterEach(async () => { await rm(home, { recursive: true, force: true }) })

  it('recalls the mapping, date conversion included, for the same columns in another order', async () => {
    const memory = new MappingMemory(home)
    await memory.remember(['Call ID', 'Agent Email', 'Call Start', 'Recording', 'Queue'], profile, '/exports/may/calls.csv')
    const same = await memory.recall(['Call ID', 'Agent Email', 'Call Start', 'Recording', 'Queue'])
    const reordered = await memory.recall(['Queue', 'Recording', 'Call Start', 'Call ID', 'Agent Email'])
    expect(same?.profile).toEqual(profile)
    expect(reordered).toMatchObject({ kind: 'csv', from: 'calls.csv', profile })
    // Other columns are another structure.
    expect(await memory.recall(['Queue', 'Recording', 'Call Start', 'Call ID'])).toBeNull()
    expect(await memory.recall(['Queue', 'Recording', 'Call Start', 'Call ID', 'Agent'])).toBeNull()
  })

  it('prefers the exact header to a reordered one', async () => {
    const memory = new MappingMemory(home)
    await memory.remember(['a', 'b', 'c', 'd'], { contactReference: 'a', agentId: 'b', contactDate: 'c', timezone: 'Europe/London' }, '/x/first.csv')
    await memory.remember(['d', 'c', 'b', 'a'], { contactReference: 'a', agentId: 'b', contactDate: 'c', timezone: 'Europe/Paris' }, '/x/second.csv')
    expect((await memory.recall(['a', 'b', 'c', 'd']))?.from).toBe('first.csv')
    expect((await memory.recall(['d', 'c', 'b', 'a']))?.from).toBe('second.csv')
  })

  it('gives the date conversion last used for a Contact Date column of that name', async () => {
    const memory = new MappingMemory(home)
    expect(await memory.dateConversion('Call Start')).toBeNull()
    await memory.remember(['Call ID', 'Agent Email', 'Call Start'], profile, '/exports/may/calls.csv')
    expect(await memory.dateConversion(' call start ')).toEqual({ dateFormat: 'dd/MM/yyyy HH:mm', timezone: 'America/New_York' })
    expect(await memory.dateConversion('Started')).toBeNull()
  })
})
