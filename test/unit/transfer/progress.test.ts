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

  it('counts files still to go in the time left: 2,000 small files left is not "under a second"', () => {
    let now = 0
    // 1,000 recordings of 2,990 bytes, then 2,000 of 5 bytes: by bytes the batch is nearly done.
    const p = new ProgressTracker('b', 1_000 * 2_990 + 2_000 * 5, 3_000, () => undefined, () => now)
    p.snapshot()
    for (let i = 0; i < 1_000; i++) {
      p.fileStarted(`f${i}`, 2_990, 0)
      p.fileFinished(`f${i}`, true)
    }
    now = 4_000 // 250 files a second
    const at = p.snapshot()
    expect(at.bytesTotal - at.bytesSent).toBe(10_000)
    expect(Math.round((at.bytesTotal - at.bytesSent) / at.bytesPerSecond)).toBe(0) // what bytes alone said
    expect(at.etaSeconds).toBe(8) // 2,000 files at 250 a second
  })

  it('takes the longer of the bytes and the files estimate, and says 0 only when nothing is left', async () => {
    const { timeLeft } = await import('../../../src/transfer/progress')
    expect(timeLeft(1_000, 1_000_000, 2_000, 100)).toBe(20) // bytes: 0 s, files: 20 s
    expect(timeLeft(1_000_000_000, 10_000_000, 1, 1)).toBe(100) // one big file: its bytes
    expect(timeLeft(1_000, 0, 2, 0)).toBeNull()
    expect(timeLeft(1_000, 100, 5, 0)).toBe(10) // no file finished lately: bytes alone
    expect(timeLeft(0, 0, 0, 0)).toBe(0)
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
