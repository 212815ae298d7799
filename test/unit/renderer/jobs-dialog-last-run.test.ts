/**
 * The saved jobs' last run in words. Exit 2 is what a person must change first (a bad option,
 * a damaged file met mid-run), so a job stopped by damaged data reads "needs attention", never
 * "could not start".
 */
import { describe, expect, it } from 'vitest'
import { lastRunText } from '../../../renderer/components/jobs-dialog'

const run = (exit: number) => ({ at: '2026-01-15T02:00:00.000Z', exit, batches: 1, uploaded: 0, problem: 'The CSV is damaged.' })

describe('lastRunText', () => {
  it('says a run that exited 2 needs attention, with the problem it met', () => {
    const text = lastRunText(run(2))
    expect(text).toMatch(/: needs attention, 1 folder, 0 rows uploaded\. The CSV is damaged\.$/)
    expect(text).not.toContain('could not start')
  })

  it('keeps the other outcomes', () => {
    expect(lastRunText(null)).toBe('Not run yet.')
    expect(lastRunText(run(0))).toContain(': all delivered,')
    expect(lastRunText(run(3))).toContain(': interrupted,')
    expect(lastRunText(run(4))).toContain(': refused,')
  })
})
