import Papa from 'papaparse'
import { describe, expect, it } from 'vitest'
import type { MappingProfile, PlatformLayout } from '../../../src/api'
import { isAppError } from '../../../src/errors'
import { makeIssue } from '../../../src/batch/issue-codes'
import {
  compareLayout,
  layoutChangedDetail,
  layoutFromSource,
  layoutProjection,
  mappingFromLayout,
  parsePlatformLayout,
  sameLayout,
  sampleCsvText,
} from '../../../src/batch/platform-layout'

const HEADERS = ['Call ID', 'Agent Email', 'Start Time', 'Recording', 'Queue', 'Direction']
const MAPPING: MappingProfile = { contactReference: 'Call ID', agentId: 'Agent Email', contactDate: 'Start Time', audioFilename: 'Recording' }
const NOW = new Date('2026-01-25T09:30:00Z')
/** The layout the first batch recorded. */
const LAYOUT = layoutFromSource(HEADERS, MAPPING, NOW)

describe('layoutFromSource', () => {
  it('tags the mapped columns with their fields and keeps the extra ones, in the source order', () => {
    expect(LAYOUT).toEqual({
      recordedAt: '2026-01-25T09:30:00.000Z',
      columns: [
        { name: 'Call ID', field: 'contactReference' },
        { name: 'Agent Email', field: 'agentId' },
        { name: 'Start Time', field: 'contactDate' },
        { name: 'Recording', field: 'audioFilename' },
        { name: 'Queue', field: null },
        { name: 'Direction', field: null },
      ],
    })
  })

  it('leaves the audio field out when it is not mapped (its column stays an extra one)', () => {
    const { audioFilename: _, ...noAudio } = MAPPING
    expect(layoutFromSource(HEADERS, noAudio, NOW).columns[3]).toEqual({ name: 'Recording', field: null })
  })

  it('ignores nameless columns (a trailing comma in the header), which the platform cannot map', () => {
    const layout = layoutFromSource(['Call ID', 'Agent Email', 'Start Time', ''], MAPPING_NO_AUDIO, NOW)
    expect(layout.columns.map((c) => c.name)).toEqual(['Call ID', 'Agent Email', 'Start Time'])
  })

  it('gives a second field mapped to the same column a column of its own, so the audio name never overwrites the reference', () => {
    const layout = layoutFromSource(['Ref', 'Agent', 'When'], { contactReference: 'Ref', agentId: 'Agent', contactDate: 'When', audioFilename: 'Ref' }, NOW)
    expect(layout.columns).toEqual([
      { name: 'Ref', field: 'contactReference' },
      { name: 'Audio filename', field: 'audioFilename' },
      { name: 'Agent', field: 'agentId' },
      { name: 'When', field: 'contactDate' },
    ])
  })

  it('refuses a mapping naming a column the header lacks, naming it', () => {
    const err = catchError(() => layoutFromSource(['A', 'B'], MAPPING, NOW))
    expect(isAppError(err, 'COLUMN_MISSING')).toBe(true)
    expect((err as { details: string }).details).toContain('"Call ID" mapped to Contact Reference')
  })
})

const MAPPING_NO_AUDIO: MappingProfile = { contactReference: 'Call ID', agentId: 'Agent Email', contactDate: 'Start Time' }

describe('compareLayout', () => {
  it('finds no difference for the same source, or one with its columns reordered', () => {
    expect(compareLayout(LAYOUT, HEADERS, MAPPING)).toBeNull()
    expect(compareLayout(LAYOUT, [...HEADERS].reverse(), MAPPING)).toBeNull()
  })

  it('treats mapped fields under other names as the same columns (renamed silently)', () => {
    const headers = ['Interaction', 'Agent', 'Date', 'File', 'Queue', 'Direction']
    const mapping = { contactReference: 'Interaction', agentId: 'Agent', contactDate: 'Date', audioFilename: 'File' }
    expect(compareLayout(LAYOUT, headers, mapping)).toBeNull()
  })

  it('names extra columns the layout lacks, and layout columns the source lacks', () => {
    const headers = ['Call ID', 'Agent Email', 'Start Time', 'Recording', 'Queue', 'Wrap code', 'Team']
    const diff = compareLayout(LAYOUT, headers, MAPPING)
    expect(diff).toEqual({ added: ['Wrap code', 'Team'], missing: ['Direction'] })
    expect(layoutChangedDetail(diff!)).toBe('new columns "Wrap code", "Team"; missing "Direction"')
  })

  it('matches extra columns by name despite spaces, case or punctuation', () => {
    const headers = ['Call ID', 'Agent Email', 'Start Time', 'Recording', ' queue ', 'DIRECTION']
    expect(compareLayout(LAYOUT, headers, MAPPING)).toBeNull()
  })

  it('reports the source audio column as new when the layout was set up without one', () => {
    const layout = layoutFromSource(['Call ID', 'Agent Email', 'Start Time'], MAPPING_NO_AUDIO, NOW)
    expect(compareLayout(layout, ['Call ID', 'Agent Email', 'Start Time', 'Recording'], MAPPING)).toEqual({ added: ['Recording'], missing: [] })
  })

  it('does not count a layout audio column the source does not map: the writer fills it', () => {
    expect(compareLayout(LAYOUT, ['Call ID', 'Agent Email', 'Start Time', 'Queue', 'Direction'], MAPPING_NO_AUDIO)).toBeNull()
  })

  it('pairs duplicate column names in order, so a second "Notes" is new', () => {
    const layout = layoutFromSource(['Call ID', 'Agent Email', 'Start Time', 'Notes'], MAPPING_NO_AUDIO, NOW)
    expect(compareLayout(layout, ['Call ID', 'Agent Email', 'Start Time', 'Notes', 'Notes'], MAPPING_NO_AUDIO)).toEqual({ added: ['Notes'], missing: [] })
  })

  it('gives a detail sentence that reads in the LAYOUT_CHANGED message, singular or plural', () => {
    expect(layoutChangedDetail({ added: ['Queue'], missing: [] })).toBe('new column "Queue"')
    expect(layoutChangedDetail({ added: [], missing: ['Direction', 'Team'] })).toBe('missing "Direction", "Team"')
    const issue = makeIssue('LAYOUT_CHANGED', { detail: layoutChangedDetail({ added: ['Queue', 'Wrap code'], missing: ['Direction'] }) })
    expect(issue.message).toContain('set up with: new columns "Queue", "Wrap code"; missing "Direction". Keep the platform\'s layout')
  })
})

describe('layoutProjection', () => {
  it('writes a later source in the layout: its names, its order, missing columns empty, new ones dropped', () => {
    const headers = ['Team', 'Direction', 'Date', 'Agent', 'Interaction', 'File']
    const mapping = { contactReference: 'Interaction', agentId: 'Agent', contactDate: 'Date', audioFilename: 'File' }
    const p = layoutProjection(LAYOUT, headers, mapping)
    expect(p.header).toEqual(['Call ID', 'Agent Email', 'Start Time', 'Recording', 'Queue', 'Direction'])
    expect(p.project(['Blue', 'inbound', '2019-05-03T09:27:23Z', 'a@x.com', 'C-1', 'c1.wav'])).toEqual(['C-1', 'a@x.com', '2019-05-03T09:27:23Z', 'c1.wav', '', 'inbound'])
    expect(p.fieldIndex).toEqual({ contactReference: 0, agentId: 1, contactDate: 2, audioFilename: 3 })
  })

  it('reads short rows as empty cells and returns a new array per row', () => {
    const p = layoutProjection(LAYOUT, HEADERS, MAPPING)
    const row = ['C-1', 'a@x.com']
    const out = p.project(row)
    expect(out).toEqual(['C-1', 'a@x.com', '', '', '', ''])
    expect(out).not.toBe(row)
    expect(p.project(['C-2', 'b@x.com', 'd', 'f', 'q', 'x'])).toEqual(['C-2', 'b@x.com', 'd', 'f', 'q', 'x'])
  })

  it('places the audio column even when the source maps none, for the writer to fill with the remote name', () => {
    const p = layoutProjection(LAYOUT, ['Call ID', 'Agent Email', 'Start Time'], MAPPING_NO_AUDIO)
    expect(p.project(['C-1', 'a@x.com', 'd'])).toEqual(['C-1', 'a@x.com', 'd', '', '', ''])
    expect(p.fieldIndex.audioFilename).toBe(3)
  })

  it('has no audio index when the layout has no audio column', () => {
    const layout = layoutFromSource(HEADERS, MAPPING_NO_AUDIO, NOW)
    expect(layoutProjection(layout, HEADERS, MAPPING_NO_AUDIO).fieldIndex.audioFilename).toBeNull()
  })

  it('keeps values verbatim, so quoting on output round-trips commas, quotes and line breaks', () => {
    const p = layoutProjection(LAYOUT, HEADERS, MAPPING)
    const tricky = ['C,1', 'say "hi"', '2019-05-03T09:27:23+00:00', 'a.wav', 'line\r\nbreak', 'Ünïcödé']
    const text = sampleCsvText(LAYOUT, [p.project(tricky)])
    expect(text.split('\r\n')[1]).toBe('"C,1","say ""hi""",2019-05-03T09:27:23+00:00,a.wav,"line')
    expect(Papa.parse<string[]>(text, { skipEmptyLines: true }).data[1]).toEqual(tricky)
  })
})

describe('sampleCsvText', () => {
  it('writes the header and three plausible rows in the platform shapes, RFC 4180 with CRLF, no BOM', () => {
    const text = sampleCsvText(LAYOUT)
    expect(text.charCodeAt(0)).not.toBe(0xfeff)
    const lines = text.split('\r\n')
    expect(lines).toHaveLength(5)
    expect(lines[4]).toBe('')
    expect(lines[0]).toBe('Call ID,Agent Email,Start Time,Recording,Queue,Direction')
    expect(lines[1]).toBe('CR-100231,alex.morgan@example.com,2019-05-03T09:27:23+00:00,CR-100231.wav,Queue 1,Direction 1')
    for (const line of lines.slice(1, 4)) expect(line.split(',')[2]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/)
  })

  it('quotes header names holding a comma or a quote, and pads given rows to the layout width', () => {
    const layout: PlatformLayout = { recordedAt: NOW.toISOString(), columns: [{ name: 'Ref, main', field: 'contactReference' }, { name: 'Agent "id"', field: 'agentId' }, { name: 'Date', field: 'contactDate' }] }
    expect(sampleCsvText(layout, [['R1']])).toBe('"Ref, main","Agent ""id""",Date\r\nR1,,\r\n')
  })
})

describe('parsePlatformLayout and sameLayout', () => {
  it('accepts a recorded layout as stored, and compares layouts by columns only', () => {
    const copy = parsePlatformLayout(JSON.parse(JSON.stringify(LAYOUT)))
    expect(copy).toEqual(LAYOUT)
    expect(sameLayout(copy, { ...LAYOUT, recordedAt: '2027-01-01T00:00:00.000Z' })).toBe(true)
    expect(sameLayout(LAYOUT, layoutFromSource([...HEADERS].reverse(), MAPPING, NOW))).toBe(false)
  })

  it.each([
    ['not an object', [], 'expected a JSON object'],
    ['no columns', { recordedAt: NOW.toISOString() }, '"columns" must be a list'],
    ['a nameless column', { ...LAYOUT, columns: [...LAYOUT.columns, { name: ' ', field: null }] }, 'column 7 has no name'],
    ['an unknown field', { ...LAYOUT, columns: [...LAYOUT.columns, { name: 'X', field: 'queue' }] }, 'column "X" has an unknown field "queue"'],
    ['a field twice', { ...LAYOUT, columns: [...LAYOUT.columns, { name: 'X', field: 'agentId' }] }, 'Agent ID is given to two columns'],
    ['a required field missing', { ...LAYOUT, columns: LAYOUT.columns.slice(1) }, 'no column holds Contact Reference'],
    ['a bad time', { ...LAYOUT, recordedAt: 'yesterday' }, '"recordedAt" must be an ISO 8601 time'],
  ])('refuses %s, saying what is wrong', (_name, value, why) => {
    const err = catchError(() => parsePlatformLayout(value, 'The file layout.json'))
    expect(isAppError(err, 'BAD_ARGUMENT')).toBe(true)
    expect((err as { details: string }).details).toContain(`The file layout.json is not a valid platform layout: ${why}`)
  })
})

function catchError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected an error')
}

describe('mappingFromLayout', () => {
  const layout = { recordedAt: '2024-05-01T00:00:00.000Z', columns: [
    { name: 'Call ID', field: 'contactReference' as const }, { name: 'Agent', field: 'agentId' as const },
    { name: 'Start', field: 'contactDate' as const }, { name: 'Queue', field: null },
  ] }
  it('maps the fields to the columns named as the layout names them, in any order or spelling', () => {
    expect(mappingFromLayout(layout, ['queue', 'START', 'agent', 'call-id'])).toEqual({ contactReference: 'call-id', agentId: 'agent', contactDate: 'START' })
    // An exact name wins over a looser one.
    expect(mappingFromLayout(layout, ['Call ID', 'Agent', 'Start'])).toEqual({ contactReference: 'Call ID', agentId: 'Agent', contactDate: 'Start' })
  })
  it('gives nothing for a CSV with a column the layout lacks, or without a required field', () => {
    expect(mappingFromLayout(layout, ['Call ID', 'Agent', 'Start', 'Sentiment'])).toBeNull()
    expect(mappingFromLayout(layout, ['Call ID', 'Agent', 'Queue'])).toBeNull()
  })
})
