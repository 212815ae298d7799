import { describe, expect, it } from 'vitest'
import type { UploadEvent } from '../../../src/api'
import { ProgressTracker } from '../../../src/transfer/progress'

describe('upload progress', () => {
  it('counts bytes and files, takes back a failed file, and estimates the time left from the recent speed', () => {
    let now = 0
    const events: UploadEvent[] = []
    const p = new ProgressTracker('b', 1000, 4, (e) => events.push(e), () => now)
    p.snapshot() // first sample at t=0
    p.fileStarted('a', 300, 0)
    p.fileProgress('a', 100)
    now = 1000
    expect(p.snapshot()).toMatchObject({ bytesSent: 100, bytesPerSecond: 100, etaSeconds: 9 })
    p.fileFinished('a', true)
    p.fileSkipped(200)
    p.fileStarted('c', 400, 0)
    p.fileProgress('c', 250)
    p.fileFinished('c', false)
    now = 2000
    expect(p.snapshot()).toMatchObject({ bytesSent: 500, filesDone: 2, filesFailed: 1 })
  })

  it('reports in-flight files and totals when flushed, skipping files that did not move', () => {
    const events: UploadEvent[] = []
    const p = new ProgressTracker('b', 100, 1, (e) => events.push(e), () => 0)
    p.fileStarted('a', 100, 0)
    p.fileProgress('a', 40)
    p.stop()
    p.stop()
    expect(events.filter((e) => e.kind === 'file-progress')).toEqual([{ kind: 'file-progress', batchId: 'b', file: 'a', sent: 40, size: 100 }])
    expect(events.filter((e) => e.kind === 'batch-progress')).toHaveLength(2)
  })
})
