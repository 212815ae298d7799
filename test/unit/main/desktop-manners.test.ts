/**
 * The desktop's manners during an upload, through the host interface (Electron's
 * powerSaveBlocker, taskbar progress and notifications stand behind it).
 */
import { describe, expect, it } from 'vitest'
import type { BatchSummary, UploadEvent } from '../../../src/api'
import { desktopManners, type DesktopShell } from '../../../main/desktop-manners'

function fakeShell() {
  const log: string[] = []
  let next = 1
  const shell: DesktopShell = {
    preventSleep: () => { log.push('awake'); return next++ },
    allowSleep: (h) => log.push(`sleep ok ${h}`),
    setProgress: (f, paused) => log.push(f === null ? 'progress off' : `progress ${Math.round(f * 100)}%${paused ? ' paused' : ''}`),
    notify: (title, body) => log.push(`notify ${title}: ${body}`),
  }
  return { shell, log }
}

const summary = (over: Partial<BatchSummary> = {}): BatchSummary => ({ batchId: 'b1', uploaded: 40, skipped: 2, excluded: 0, failed: 0, csv: 'x.csv', bytes: 1, seconds: 1, reportCsv: '', reportJson: '', ...over })
const started = (batchId = 'b1'): UploadEvent => ({ kind: 'batch-started', batchId, files: [], csvName: 'x.csv' })
const progress = (sent: number, batchId = 'b1'): UploadEvent => ({ kind: 'batch-progress', batchId, progress: { bytesSent: sent, bytesTotal: 100, filesDone: 0, filesTotal: 10, filesFailed: 0, bytesPerSecond: 1, etaSeconds: 1 } })

describe('desktop manners', () => {
  it('keeps the computer awake and shows progress while a batch uploads, then notifies and lets it sleep', () => {
    const { shell, log } = fakeShell()
    const on = desktopManners(shell, () => 'Leeds team')
    on(started())
    on(progress(37))
    on({ kind: 'batch-paused', batchId: 'b1', paused: true })
    on({ kind: 'batch-done', batchId: 'b1', summary: summary() })
    expect(log).toEqual([
      'awake', 'progress 0%', 'progress 37%', 'progress 37% paused',
      'notify Upload finished: 42 recordings and the CSV are on the server to Leeds team.',
      'sleep ok 1', 'progress off',
    ])
  })

  it('says when a batch stops or ends with failed files, and nothing when the user cancelled', () => {
    const { shell, log } = fakeShell()
    const on = desktopManners(shell)
    on(started('a'))
    on({ kind: 'batch-failed', batchId: 'a', error: { code: 'AUTH_REFUSED', message: 'The server refused the key.' } })
    on(started('b'))
    on({ kind: 'batch-done', batchId: 'b', summary: summary({ batchId: 'b', uploaded: 38, failed: 2 }) })
    on(started('c'))
    on({ kind: 'batch-failed', batchId: 'c', error: { code: 'CANCELLED', message: 'The upload was cancelled.' } })
    expect(log.filter((l) => l.startsWith('notify'))).toEqual([
      'notify Upload stopped: The server refused the key.',
      'notify Upload finished with problems: 38 recordings sent; 2 files could not be sent. Open the app to see which.',
    ])
    expect(log.at(-1)).toBe('progress off')
  })

  it('with two batches, stays awake until both end and shows the one further behind', () => {
    const { shell, log } = fakeShell()
    const on = desktopManners(shell)
    on(started('a'))
    on(started('b'))
    on(progress(80, 'a'))
    on(progress(20, 'b'))
    on({ kind: 'batch-done', batchId: 'a', summary: summary({ batchId: 'a' }) })
    expect(log.filter((l) => l === 'awake')).toHaveLength(1)
    expect(log.includes('sleep ok 1')).toBe(false)
    expect(log.at(-1)).toBe('progress 20%')
    on({ kind: 'batch-done', batchId: 'b', summary: summary({ batchId: 'b' }) })
    expect(log.slice(-2)).toEqual(['sleep ok 1', 'progress off'])
  })

  it('ignores a replayed final event of a batch it no longer tracks (a page resyncing)', () => {
    const { shell, log } = fakeShell()
    const on = desktopManners(shell)
    on({ kind: 'batch-done', batchId: 'old', summary: summary({ batchId: 'old' }) })
    expect(log).toEqual([])
  })
})
