import path from 'node:path'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { dateOrderMismatch, fittingFormat, proposeDateFormat, proposeDateFormatFromValues, sampleColumn } from '../../../src/batch/date-format-proposal'
import { createFormatReader } from '../../../src/batch/dates'
import { tempDir, writeFiles } from './helpers'

const pad = (n: number): string => String(n).padStart(2, '0')
/** Day-first dates through May 2024, days 1..28: rows 13.. prove the order. */
const dayFirst = (n: number): string[] => Array.from({ length: n }, (_, i) => `${pad(1 + (i % 28))}/05/2024 ${pad(8 + (i % 9))}:${pad((i * 7) % 60)}`)

describe('proposeDateFormatFromValues', () => {
  it('says ISO 8601 needs no format, and names the zone used for values without an offset', () => {
    const p = proposeDateFormatFromValues(['2019-05-03T09:27:23+00:00', '20190503T092723Z', '2019-W18-5T09:27:23+01:00'])
    expect(p).toMatchObject({ iso: true, candidates: [], ambiguous: false })
    expect(p.examples[1]).toEqual({ value: '20190503T092723Z', converted: '2019-05-03T09:27:23+00:00' })
    const bare = proposeDateFormatFromValues(['2019-05-03T09:27:23', '2019-05-03T09:27:23Z'])
    expect(bare.reason).toMatch(/1 of 2 have no UTC offset: they will be read in \S+ \(this computer's time zone\)/)
  })

  it('day-first from a day above 12, with an example that proves the order first', () => {
    const p = proposeDateFormatFromValues(dayFirst(20))
    expect(p).toMatchObject({ iso: false, candidates: ['dd/MM/yyyy HH:mm'], ambiguous: false })
    expect(p.reason).toContain('Some days are above 12 (e.g. "13/05/2024')
    expect(p.examples[0]!.value).toBe('13/05/2024 11:24')
    expect(p.examples[0]!.converted).toMatch(/^2024-05-13T11:24:00[+-]\d\d:\d\d$/)
    expect(p.examples.length).toBeGreaterThanOrEqual(3)
  })

  it('month-first from a second number above 12', () => {
    const p = proposeDateFormatFromValues(['05/03/2024 09:00', '05/13/2024 17:45'])
    expect(p.candidates).toEqual(['MM/dd/yyyy HH:mm'])
    expect(p.ambiguous).toBe(false)
    expect(p.examples[0]!.value).toBe('05/13/2024 17:45')
  })

  it('ambiguous when every day is 12 or less: both orders, and a reason that says why the user must choose', () => {
    const p = proposeDateFormatFromValues(dayFirst(12))
    expect(p.ambiguous).toBe(true)
    expect([...p.candidates].sort()).toEqual(['MM/dd/yyyy HH:mm', 'dd/MM/yyyy HH:mm'])
    expect(p.reason).toMatch(/12 or less .* cannot tell .* choose/)
  })

  it('puts first, when ambiguous, the order that keeps the rows in time order', () => {
    // 01/01, 01/02, 01/03, 02/01...: in time order month-first; day-first hops across months and back.
    const rows = Array.from({ length: 12 }, (_, i) => `${pad(1 + Math.floor(i / 3))}/0${1 + (i % 3)}/2024 10:00`)
    const p = proposeDateFormatFromValues(rows)
    expect(p.ambiguous).toBe(true)
    expect(p.candidates[0]).toBe('MM/dd/yyyy HH:mm')
  })

  it.each([
    [['3/5/24 9:07 PM', '13/5/24 10:07 AM'], 'd/M/yy h:mm a'],
    [['2024-05-03 09:27:23.120', '2024-05-13 19:27:23.999'], 'yyyy-MM-dd HH:mm:ss.SSS'],
    [['3.5.2024', '31.12.2024'], 'd.M.yyyy'],
    [['13-05-2024 09:27:23', '03-05-2024 19:27:23'], 'dd-MM-yyyy HH:mm:ss'],
    [['13/05/2024T09:27', '03/05/2024T19:27'], "dd/MM/yyyy'T'HH:mm"],
    [['05/13/2024 9:27pm', '05/03/2024 11:27am'], 'MM/dd/yyyy h:mma'],
  ])('reads %j as %s (years, 12/24 h, seconds, separators)', (values, format) => {
    const p = proposeDateFormatFromValues(values)
    expect(p.candidates[0]).toBe(format)
    expect(p.examples.every((e) => e.converted !== null)).toBe(true)
  })

  it('proposes nothing when the values are not written one way, and says so', () => {
    const p = proposeDateFormatFromValues(['03/05/2024 09:00', '03/05/2024 09:00:11', 'yesterday'])
    expect(p).toMatchObject({ iso: false, candidates: [], ambiguous: false })
    expect(p.reason).toContain('not all written one way')
    expect(proposeDateFormatFromValues(['31/02/2024 10:00', '13/05/2024 10:00', '05/13/2024 10:00']).candidates).toEqual([])
    expect(proposeDateFormatFromValues(['', ' ']).reason).toContain('no dates')
  })
})

describe('fittingFormat', () => {
  it('names dd/MM/yyyy when month-first was chosen on day-first data, unreadable cells or not; nothing when the readable ones fit no format', () => {
    expect(fittingFormat(dayFirst(28), 'MM/dd/yyyy HH:mm')).toBe('dd/MM/yyyy HH:mm')
    expect(fittingFormat([...dayFirst(28), 'soon'], 'MM/dd/yyyy HH:mm')).toBe('dd/MM/yyyy HH:mm')
    expect(fittingFormat([...dayFirst(28), '05/13/2024 10:00'], 'MM/dd/yyyy HH:mm')).toBeNull()
    expect(fittingFormat(['2019-05-03T09:27:23Z'], '')).toBeNull()
  })
})

describe('the order decided from the readable cells (issue 22)', () => {
  /** 3,000 day-first dates (days 1-28, months 1-12) with `bad` cells among them. */
  const withBad = (bad: string[]): string[] => {
    const v = Array.from({ length: 3000 }, (_, i) => `${pad(1 + (i % 28))}/${pad(1 + (i % 12))}/2024 ${pad(8 + (i % 9))}:${pad((i * 7) % 60)}`)
    bad.forEach((b, k) => (v[100 + k * 900] = b))
    return v
  }

  it('proposes dd/MM for day-first dates with a few unreadable cells, and says those are bad dates', () => {
    const p = proposeDateFormatFromValues(withBad(['n/a', 'n/a', '-']))
    expect(p).toMatchObject({ iso: false, candidates: ['dd/MM/yyyy HH:mm'], ambiguous: false })
    expect(p.reason).toContain('so the day comes first: dd/MM/yyyy HH:mm. 3 of 3,000 cells are not a date it reads (e.g. "n/a"): they are reported as bad dates.')
    expect(p.examples.every((e) => e.converted !== null)).toBe(true)
  })

  it('reads an impossible date as a bad cell, not as a reason to give up', () => {
    const p = proposeDateFormatFromValues(['31/02/2024 10:00', '13/05/2024 10:00'])
    expect(p.candidates).toEqual(['dd/MM/yyyy HH:mm'])
    expect(p.reason).toBe('Some days are above 12 (e.g. "13/05/2024 10:00"), so the day comes first: dd/MM/yyyy HH:mm. 1 of 2 cells is not a date it reads (e.g. "31/02/2024 10:00"): it is reported as a bad date.')
  })

  it('still gives up when the readable cells are written several ways, or fit neither order', () => {
    const mixed = [...dayFirst(10), ...Array.from({ length: 10 }, (_, i) => `${pad(13 + i)}/05/2024`)]
    expect(proposeDateFormatFromValues(mixed).reason).toContain('not all written one way')
    expect(proposeDateFormatFromValues([...dayFirst(20), '05/13/2024 10:00']).candidates).toEqual([])
  })

  it('ISO 8601 with a few unreadable cells is still ISO 8601', () => {
    const iso = Array.from({ length: 50 }, (_, i) => `2024-05-${pad(1 + (i % 28))}T09:00:00+01:00`)
    iso[7] = 'n/a'
    const p = proposeDateFormatFromValues(iso)
    expect(p.iso).toBe(true)
    expect(p.reason).toContain('1 of 50 cells is not a date it reads (e.g. "n/a")')
  })

  it('dateOrderMismatch: refuses month-first on the readable cells with the evidence; a fitting choice or an ambiguous one is left alone', () => {
    const values = withBad(['n/a', '', 'n/a'].filter((v) => v !== ''))
    const read = createFormatReader('MM/dd/yyyy HH:mm', 'UTC')
    const missed = values.filter((v) => read(v) === null)
    const over12 = values.filter((v) => /^\d/.test(v) && +v.slice(0, 2) > 12).length
    expect(dateOrderMismatch(values.slice(0, 100), missed, 'MM/dd/yyyy HH:mm', values.length)).toEqual({
      fits: 'dd/MM/yyyy HH:mm',
      evidence: `${over12.toLocaleString('en-US')} of 2,998 readable dates have a day above 12 in the first place`,
      unreadable: true,
    })
    // Month-first data, day-first chosen: the day is in the second place.
    const monthFirst = ['05/03/2024 09:00', '05/13/2024 17:45', '06/30/2024 10:00', 'n/a']
    const readDm = createFormatReader('dd/MM/yyyy HH:mm', 'UTC')
    expect(dateOrderMismatch(monthFirst, monthFirst.filter((v) => readDm(v) === null), 'dd/MM/yyyy HH:mm', 4)).toEqual({
      fits: 'MM/dd/yyyy HH:mm',
      evidence: '2 of 3 readable dates have a day above 12 in the second place',
      unreadable: true,
    })
    const readDay = createFormatReader('dd/MM/yyyy HH:mm', 'UTC')
    expect(dateOrderMismatch(values.slice(0, 100), values.filter((v) => readDay(v) === null), 'dd/MM/yyyy HH:mm', values.length)).toBeNull()
    const twelve = [...dayFirst(12), 'n/a']
    expect(dateOrderMismatch(twelve, ['n/a'], 'MM/dd/yyyy HH:mm', twelve.length)).toBeNull()
  })
})

describe('proposeDateFormat on a file', () => {
  it('reads a Windows-1252, semicolon-separated CSV by its column name, a bounded number of rows', async () => {
    const dir = await tempDir()
    const lines = ['Référence;Agent;Début', ...dayFirst(5000).map((d, i) => `R${i};José;${d}`)]
    await writeFiles(dir, { 'calls.csv': iconv.encode(lines.join('\r\n') + '\r\n', 'windows-1252') })
    const p = await proposeDateFormat(path.join(dir, 'calls.csv'), 'Début')
    expect(p.candidates).toEqual(['dd/MM/yyyy HH:mm'])
    expect(await sampleColumn(path.join(dir, 'calls.csv'), 'Début', 100)).toHaveLength(100)
    await expect(proposeDateFormat(path.join(dir, 'calls.csv'), 'Start')).rejects.toMatchObject({ code: 'COLUMN_MISSING' })
  })
})
