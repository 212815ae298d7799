/**
 * A single pass (`watch --once`, `job run`) takes a folder only once its newest file is older
 * than --settle, and says which folder it left, its newest file's age and from when it is taken.
 */
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatAge, unsettledFolder } from '../../../src/cli/watch/settle'

describe('a single pass and --settle', () => {
  const folder = path.join(os.tmpdir(), 'exports', 'day-1')
  const found = (newestMtimeMs: number) => ({ folder, csvPath: path.join(folder, 'calls.csv'), problem: null, signature: 'x', newestMtimeMs })
  const now = Date.parse('2026-11-29T02:00:00Z')

  it('takes a folder whose newest file is at least --settle old', () => {
    expect(unsettledFolder(found(now - 60_000), 60, now)).toBeNull()
    expect(unsettledFolder(found(now - 120_000), 60, now)).toBeNull()
    expect(unsettledFolder(found(now), 0, now)).toBeNull()
  })

  it('leaves a younger one, saying which, its newest file\'s age and from when it is taken', () => {
    const left = unsettledFolder(found(now - 2_000), 60, now)!
    expect(left.newestFileAgeSeconds).toBe(2)
    expect(left.takenFrom.getTime()).toBe(now + 58_000)
    expect(left.message).toMatch(new RegExp(`^${folder.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')} was left for the next run: its newest file is 2 s old, and a folder is taken once its files have not changed for 60 s \\(--settle\\)`))
  })

  it('leaves a folder dated in the future until --settle after that date, and says to check the clocks', () => {
    const left = unsettledFolder(found(now + 3_600_000), 60, now)!
    expect(left.takenFrom.getTime()).toBe(now + 3_660_000)
    expect(left.message).toContain('in the future (check this computer\'s clock')
  })

  it('says ages as people do', () => {
    expect([formatAge(2_000), formatAge(119_000), formatAge(300_000), formatAge(3 * 3_600_000)]).toEqual(['2 s', '119 s', '5 min', '3 h'])
  })
})

