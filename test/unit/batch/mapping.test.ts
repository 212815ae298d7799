import path from 'node:path'
import { readFile, writeFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { checkProfileFits, loadMappingProfile, saveMappingProfile, suggestMapping } from '../../../src/batch'
import { tempDir } from './helpers'

describe('suggestMapping', () => {
  it.each([
    [['Conversation ID', 'Agent Email', 'Date', 'File name'], { contactReference: 'Conversation ID', agentId: 'Agent Email', contactDate: 'Date', audioFilename: 'File name' }],
    [['Call ID', 'Agent', 'Start Time', 'Recording', 'Queue'], { contactReference: 'Call ID', agentId: 'Agent', contactDate: 'Start Time', audioFilename: 'Recording' }],
    [['interaction_id', 'agent_id', 'contact_date'], { contactReference: 'interaction_id', agentId: 'agent_id', contactDate: 'contact_date' }],
    [['Contact Reference', 'Agent ID', 'Contact Date', 'Audio filename'], { contactReference: 'Contact Reference', agentId: 'Agent ID', contactDate: 'Contact Date', audioFilename: 'Audio filename' }],
  ])('maps %j', (headers, expected) => {
    expect(suggestMapping(headers)).toEqual(expected)
  })
  it('prefers the closer name when several fit (Agent ID over Agent Email)', () => {
    expect(suggestMapping(['Agent Email', 'Agent ID', 'Call ID', 'Date']).agentId).toBe('Agent ID')
  })
  it('leaves a field out when two headers fit equally', () => {
    const s = suggestMapping(['Call ID', 'Agent', 'Date', 'date'])
    expect(s.contactDate).toBeUndefined()
    expect(s.contactReference).toBe('Call ID')
  })
  it('does not take an id column for the file name', () => {
    expect(suggestMapping(['Call ID', 'Recording ID', 'Agent', 'Date']).audioFilename).toBeUndefined()
  })
})

describe('checkProfileFits', () => {
  const profile = { contactReference: 'Call ID', agentId: 'Agent', contactDate: 'Date', audioFilename: 'File' }
  it('fits a header holding every mapped column, in any order, with extra columns', () => {
    expect(checkProfileFits(['Queue', 'File', 'Date', 'Agent', 'Call ID'], profile)).toEqual({ fits: true, problems: [] })
  })
  it('explains a missing column and a renamed one', () => {
    const r = checkProfileFits(['call id', 'Agent', 'When'], profile)
    expect(r.fits).toBe(false)
    expect(r.problems).toEqual([
      'The column "Call ID" (Contact Reference) is now spelled "call id" in this CSV. Map Contact Reference again.',
      'The column "Date" (Contact Date) is not in this CSV. Map Contact Date again.',
      'The column "File" (Audio filename) is not in this CSV. Map Audio filename again.',
    ])
  })
  it('checks the date format and zone', () => {
    expect(checkProfileFits(['Call ID', 'Agent', 'Date'], { ...profile, audioFilename: undefined, dateFormat: 'dd/MM/yyyy' }).problems).toEqual(['A source date format needs a time zone too, e.g. Europe/London.'])
    expect(checkProfileFits(['Call ID', 'Agent', 'Date'], { ...profile, audioFilename: undefined, dateFormat: 'dd/MM/yyyy', timezone: 'Nowhere/City' }).problems[0]).toContain('not a time zone')
  })
})

describe('mapping profiles on disk', () => {
  it('saves and loads the documented JSON shape', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'mapping.json')
    const profile = { contactReference: 'Call ID', agentId: 'Agent', contactDate: 'Date', dateFormat: 'dd/MM/yyyy HH:mm', timezone: 'Europe/London' }
    await saveMappingProfile(file, profile)
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(profile)
    expect(await loadMappingProfile(file)).toEqual(profile)
  })
  it('refuses broken JSON and incomplete profiles with a sentence', async () => {
    const dir = await tempDir()
    await writeFile(path.join(dir, 'bad.json'), '{"contactReference": ')
    await expect(loadMappingProfile(path.join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'BAD_ARGUMENT', details: expect.stringContaining('not valid JSON') })
    await writeFile(path.join(dir, 'part.json'), '{"contactReference": "Call ID"}')
    await expect(loadMappingProfile(path.join(dir, 'part.json'))).rejects.toMatchObject({ code: 'MAPPING_INCOMPLETE', details: expect.stringContaining('"agentId" (Agent ID)') })
    await writeFile(path.join(dir, 'num.json'), '{"contactReference": 3, "agentId": "a", "contactDate": "d"}')
    await expect(loadMappingProfile(path.join(dir, 'num.json'))).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    await expect(loadMappingProfile(path.join(dir, 'none.json'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' })
  })
})
