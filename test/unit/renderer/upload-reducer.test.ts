import { describe, expect, it, vi } from 'vitest'
import type { UploadEvent } from '../../../src/api'
import { CHUNK_SIZE, initialUploadState, rowAt, uploadReducer, type UploadState } from '../../../renderer/state/upload-reducer'
import { createUploadStore, NOTIFY_INTERVAL_MS } from '../../../renderer/state/upload-store'
import { batchFiles } from './upload-script'

const B = 'batch-1'
const run = (events: UploadEvent[], from: UploadState = initialUploadState) => events.reduce(uploadReducer, from)
const start = (n: number) => run([{ kind: 'batch-started', batchId: B, files: batchFiles(n), csvName: 'calls-upload.csv' }])

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o)
    for (const v of Object.values(o)) deepFreeze(v)
  }
  return o
}

describe('uploadReducer', () => {
  it('lists every recording as waiting, with the CSV as the last row', () => {
    const s = start(3)
    expect(s.count).toBe(4)
    expect(s.counts.waiting).toBe(4)
    expect(rowAt(s, 0)).toMatchObject({ file: 'call-00001.wav', state: 'waiting', isCsv: false })
    expect(rowAt(s, 3)).toMatchObject({ file: 'calls-upload.csv', isCsv: true })
    expect(s.progress.filesTotal).toBe(4)
    expect(s.status).toBe('running')
  })

  it('follows a file through started, progress, retrying and done, keeping counts in step', () => {
    const files = batchFiles(2)
    let s = start(2)
    s = run([{ kind: 'file-started', batchId: B, file: files[0]!.file, size: files[0]!.size }], s)
    expect(s.counts).toMatchObject({ waiting: 2, uploading: 1 })
    s = run([{ kind: 'file-progress', batchId: B, file: files[0]!.file, sent: 500, size: files[0]!.size }], s)
    expect(rowAt(s, 0)!.sent).toBe(500)
    s = run([{ kind: 'file-retrying', batchId: B, file: files[0]!.file, attempt: 2, delayMs: 1000, error: { code: 'CONNECTION_LOST', message: 'lost' } }], s)
    expect(rowAt(s, 0)).toMatchObject({ state: 'retrying', attempt: 2, sent: 0 })
    expect(s.counts).toMatchObject({ uploading: 0, retrying: 1 })
    s = run([{ kind: 'file-done', batchId: B, file: files[0]!.file, skipped: false }, { kind: 'file-done', batchId: B, file: files[1]!.file, skipped: true }], s)
    expect(s.counts).toMatchObject({ waiting: 1, retrying: 0, done: 1, skipped: 1 })
    expect(rowAt(s, 0)).toMatchObject({ state: 'done', sent: files[0]!.size, error: null })
  })

  it('is pure: the previous state is never changed, even frozen', () => {
    const before = deepFreeze(start(5))
    const after = uploadReducer(before, { kind: 'file-failed', batchId: B, file: 'call-00002.wav', error: { code: 'PERMISSION_DENIED', message: 'denied' } })
    expect(rowAt(before, 1)!.state).toBe('waiting')
    expect(rowAt(after, 1)).toMatchObject({ state: 'failed', error: { message: 'denied' } })
  })

  it('copies only the chunk of the file that changed (100,000 files stay cheap)', () => {
    const s = start(100_000)
    const next = uploadReducer(s, { kind: 'file-started', batchId: B, file: `call-${String(CHUNK_SIZE * 3 + 5).padStart(5, '0')}.wav`, size: 10 })
    expect(next.chunks[3]).not.toBe(s.chunks[3])
    expect(next.chunks.filter((c, i) => c === s.chunks[i])).toHaveLength(s.chunks.length - 1)
    expect(next.index).toBe(s.index)
  })

  it('ignores events of another batch and of unknown files', () => {
    const s = start(2)
    expect(uploadReducer(s, { kind: 'file-done', batchId: 'other', file: 'call-00001.wav', skipped: false })).toBe(s)
    expect(uploadReducer(s, { kind: 'file-done', batchId: B, file: 'nope.wav', skipped: false })).toBe(s)
  })

  it('knows while the CSV waits for another upload to the same destination', () => {
    let s = start(1)
    expect(s.waitingForCommit).toBe(false)
    s = uploadReducer(s, { kind: 'batch-waiting', batchId: B, waiting: true, holder: { pid: 4242, since: '2026-12-06T02:00:00Z' } })
    expect(s.waitingForCommit).toBe(true)
    expect(uploadReducer(s, { kind: 'batch-waiting', batchId: B, waiting: false, holder: null }).waitingForCommit).toBe(false)
  })

  it('records pause, the summary at the end, and a failure sentence', () => {
    let s = start(1)
    s = uploadReducer(s, { kind: 'batch-paused', batchId: B, paused: true })
    expect(s.status).toBe('paused')
    s = uploadReducer(s, { kind: 'batch-paused', batchId: B, paused: false })
    expect(s.status).toBe('running')
    const failed = uploadReducer(s, { kind: 'batch-failed', batchId: B, error: { code: 'DISK_FULL', message: 'The server has no room left.' } })
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'DISK_FULL' } })
    const summary = { batchId: B, uploaded: 1, skipped: 0, excluded: 0, failed: 0, csv: 'calls-upload.csv', bytes: 10, seconds: 2, reportCsv: '/r.csv', reportJson: '/r.json' }
    expect(uploadReducer(s, { kind: 'batch-done', batchId: B, summary })).toMatchObject({ status: 'done', summary })
  })
})

describe('createUploadStore', () => {
  it('applies every event but tells listeners at most once per interval', () => {
    vi.useFakeTimers()
    try {
      let emit: (e: UploadEvent) => void = () => undefined
      const store = createUploadStore()
      const disconnect = store.connect({ onUploadEvent: (l) => { emit = l; return () => { emit = () => undefined } } })
      const heard = vi.fn()
      store.subscribe(heard)
      emit({ kind: 'batch-started', batchId: B, files: batchFiles(500), csvName: 'c.csv' })
      expect(heard).toHaveBeenCalledTimes(1) // a new batch is shown at once
      for (const f of batchFiles(500)) emit({ kind: 'file-done', batchId: B, file: f.file, skipped: false })
      expect(store.getState().counts.done).toBe(500)
      expect(heard).toHaveBeenCalledTimes(1)
      vi.advanceTimersByTime(NOTIFY_INTERVAL_MS)
      expect(heard).toHaveBeenCalledTimes(2)
      disconnect()
      emit({ kind: 'batch-started', batchId: 'later', files: [], csvName: 'c.csv' })
      expect(store.getState().batchId).toBe(B)
    } finally {
      vi.useRealTimers()
    }
  })

  it('keeps the end of a batch that had nothing to send, even when it comes before the start call answers', () => {
    const store = createUploadStore()
    let emit: (e: UploadEvent) => void = () => undefined
    store.connect({ onUploadEvent: (l) => { emit = l; return () => undefined } })
    const summary = { batchId: 'quick', uploaded: 0, skipped: 0, excluded: 0, failed: 0, csv: null, alreadyDelivered: 40, bytes: 0, seconds: 0, reportCsv: '/r.csv', reportJson: '/r.json' }
    emit({ kind: 'batch-done', batchId: 'quick', summary })
    store.watch('quick')
    expect(store.getState()).toMatchObject({ batchId: 'quick', status: 'done', summary })
    // A screen awaiting another batch drops it, and then ignores that batch's events.
    store.watch('other')
    expect(store.getState()).toMatchObject({ batchId: 'other', status: 'idle', summary: null })
    emit({ kind: 'batch-done', batchId: 'quick', summary })
    expect(store.getState().status).toBe('idle')
  })
})

