import os from 'node:os'
import path from 'node:path'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { validateBatch } from '../../../src/batch'

const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

describe('CONTROL_CHARACTER', () => {
  it('excludes rows with NUL anywhere or a C0 control in a mapped cell; tabs and line breaks stay allowed in free text', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bu-ctrl-'))
    dirs.push(dir)
    for (const n of [1, 2, 3, 4, 5]) await writeFile(path.join(dir, `c${n}.wav`), Buffer.alloc(64, n))
    const csv = path.join(dir, 'calls.csv')
    await writeFile(csv, [
      'Ref,Agent,Date,File,Notes',
      'R1,a@x.com,2026-01-02T09:00:00+00:00,c1.wav,"fine\there\r\nand on"',
      'R2,b@x.com,2026-01-02T09:00:00+00:00,c2.wav,nul\0inside',
      'R3,c\x1b[2J@x.com,2026-01-02T09:00:00+00:00,c3.wav,ok',
      'R4\t,d@x.com,2026-01-02T09:00:00+00:00,c4.wav,ok',
      'R5,e@x.com,2026-01-02T09:00:00+00:00,c5.wav,ok',
    ].join('\r\n') + '\r\n')
    const mapping = { contactReference: 'Ref', agentId: 'Agent', contactDate: 'Date', audioFilename: 'File' }
    const checked = await validateBatch({ paths: [dir], csvPath: csv, mapping })
    const control = checked.issues.filter((i) => i.code === 'CONTROL_CHARACTER')
    expect(control.map((i) => i.row)).toEqual([2, 3, 4])
    expect(control[0]!.message).toMatch(/NUL.*"Notes"/)
    expect(control[1]!.message).toMatch(/U\+001B.*"Agent"/)
    expect(control.every((i) => i.severity === 'error')).toBe(true)
    expect(checked.report.eligible).toBe(2)
    expect(checked.report.ready).toBe(true)
  })
})
