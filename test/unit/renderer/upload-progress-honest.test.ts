// Issue 10: the overall bar never goes back when a dropped server makes files start over, and
// a cancelled file is "not sent yet", not failed.
import { describe, expect, it } from 'vitest'
import type { UploadEvent, UploadProgress } from '../../../src/api'
import { initialUploadState, rowAt, uploadReducer, type UploadState } from '../../../renderer/state/upload-reducer'
import { batchFiles } from './upload-script'

const B = 'batch-1'
const files = batchFiles(4)
const total = files.reduce((s, f) => s + f.size, 0)
const run = (events: UploadEvent[], from: UploadState = initialUploadState) => events.reduce(uploadReducer, from)
const progress = (bytesSent: number): UploadEvent => ({
  kind: 'batch-progress', batchId: B,
  progress: { bytesSent, bytesTotal: total, filesDone: 0, filesTotal: 5, filesFailed: 0, bytesPerSecond: 1, etaSeconds: 1 } satisfies UploadProgress,
})

describe('honest upload progress', () => {
  it('fills the bar with confirmed bytes and keeps the headline at its highest', () => {
    let s = run([{ kind: 'batch-started', batchId: B, files, csvName: 'c.csv' }])
    s = run([{ kind: 'file-started', batchId: B, file: files[0]!.file, size: files[0]!.size }, { kind: 'file-done', batchId: B, file: files[0]!.file, skipped: false }, progress(files[0]!.size + 500_000)], s)
    expect(s.confirmedBytes).toBe(files[0]!.size)
    expect(s.shownBytes).toBe(files[0]!.size + 500_000)
    // The server drops: the file in flight starts over and the engine reports fewer bytes sent.
    s = run([{ kind: 'file-retrying', batchId: B, file: files[1]!.file, attempt: 2, delayMs: 1000, error: { code: 'CONNECTION_LOST', message: 'lost' } }, progress(files[0]!.size)], s)
    expect(s.shownBytes).toBe(files[0]!.size + 500_000)
    expect(s.confirmedBytes).toBe(files[0]!.size)
    // A duplicate end of the same file is not counted twice; the CSV has no recording bytes.
    s = run([{ kind: 'file-done', batchId: B, file: files[0]!.file, skipped: false }, { kind: 'file-done', batchId: B, file: 'c.csv', skipped: false }], s)
    expect(s.confirmedBytes).toBe(files[0]!.size)
    s = run([{ kind: 'file-done', batchId: B, file: files[2]!.file, skipped: true }], s)
    expect(s.confirmedBytes).toBe(files[0]!.size + files[2]!.size)
  })

  it('shows a file stopped by Cancel as waiting (not sent yet), a real failure as failed', () => {
    const s = run([
      { kind: 'batch-started', batchId: B, files, csvName: 'c.csv' },
      { kind: 'file-started', batchId: B, file: files[0]!.file, size: files[0]!.size },
      { kind: 'file-failed', batchId: B, file: files[0]!.file, error: { code: 'CANCELLED', message: 'The upload was cancelled.' } },
      { kind: 'file-failed', batchId: B, file: files[1]!.file, error: { code: 'PERMISSION_DENIED', message: 'denied' } },
    ])
    expect(rowAt(s, 0)).toMatchObject({ state: 'waiting', error: null })
    expect(rowAt(s, 1)).toMatchObject({ state: 'failed' })
    expect(s.counts.failed).toBe(1)
  })
})
