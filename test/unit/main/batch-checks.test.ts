import { describe, expect, it } from 'vitest'
import type { ValidationIssue } from '../../../src/api'
import type { CheckedBatch } from '../../../src/batch'
import { CHECK_FRESH_MS, CheckStore, queryIssues } from '../../../main/batch-checks'

const spec = { paths: ['/data/b'], csvPath: '/data/b/calls.csv', mapping: { contactReference: 'R', agentId: 'A', contactDate: 'D' } }
const checked = (checkId: string): CheckedBatch => ({ report: { checkId } } as unknown as CheckedBatch)
const stamp = { size: 10, mtimeMs: 1000 }

describe('CheckStore', () => {
  it('finds runs by id and keeps only the latest two', () => {
    const store = new CheckStore()
    store.put(spec, checked('a'), stamp)
    store.put(spec, checked('b'), stamp)
    store.put(spec, checked('c'), stamp)
    expect(store.get('c').report.checkId).toBe('c')
    expect(store.get('b').report.checkId).toBe('b')
    expect(() => store.get('a')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }))
  })

  it('uploads from the reviewed run only while it is recent and the CSV is unchanged', () => {
    const store = new CheckStore()
    store.put(spec, checked('a'), stamp, 0)
    // Same batch, mapping keys in another order: still the same batch.
    const reordered = { ...spec, mapping: { contactDate: 'D', agentId: 'A', contactReference: 'R' } }
    expect(store.fresh(reordered, stamp, 1000)?.report.checkId).toBe('a')
    expect(store.fresh(spec, { ...stamp, size: 11 }, 1000)).toBeNull()
    expect(store.fresh(spec, { ...stamp, mtimeMs: 2000 }, 1000)).toBeNull()
    expect(store.fresh(spec, null, 1000)).toBeNull()
    expect(store.fresh(spec, stamp, CHECK_FRESH_MS)).toBeNull()
    expect(store.fresh({ ...spec, mapping: { ...spec.mapping, agentId: 'Other' } }, stamp, 1000)).toBeNull()
  })
})

describe('queryIssues', () => {
  const issue = (row: number, code: ValidationIssue['code'], severity: ValidationIssue['severity']): ValidationIssue => ({ row, code, severity, file: null, message: `${code} ${row}` })
  const issues = [issue(1, 'MISSING_RECORDING', 'error'), issue(2, 'NO_UTC_OFFSET', 'warning'), issue(3, 'MISSING_RECORDING', 'error'), issue(4, 'INVALID_DATE', 'error')]

  it('filters by code and severity and pages', () => {
    expect(queryIssues(issues, { offset: 0, limit: 2 })).toEqual({ total: 4, issues: issues.slice(0, 2) })
    expect(queryIssues(issues, { code: 'MISSING_RECORDING', offset: 1, limit: 10 })).toEqual({ total: 2, issues: [issues[2]] })
    expect(queryIssues(issues, { severity: 'warning', offset: 0, limit: 10 }).total).toBe(1)
    expect(queryIssues(issues, { code: 'INVALID_DATE', severity: 'warning', offset: 0, limit: 10 }).total).toBe(0)
  })
})
