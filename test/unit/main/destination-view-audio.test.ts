/**
 * What Review shows once the batch is checked for its destination (issue 22, item 3): rows
 * already delivered there are left out, and the audio figures and the recordings' durations
 * are those of what still goes ("Audio to send 17 min" stood beside "Will be uploaded 0").
 * A real checked batch and the destination's real ledger (SQLite) in the app home.
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { validateBatch } from '../../../src/batch'
import { DeliveryLedger, LEDGER_FILE } from '../../../src/ledger/ledger'
import { destinationDataDir } from '../../../src/ledger/destination-key'
import { checkedForDestination } from '../../../main/delivery-records'
import { recordingRows } from '../../../main/batch-media'
import { wavBytes } from '../../fixtures/audio-bytes'
import { tempDir, writeFiles } from '../batch/helpers'

const MAPPING = { contactReference: 'Ref', agentId: 'Agent', contactDate: 'Date', audioFilename: 'File' }
const DEST = { host: 'sftp.example.com', port: 22, username: 'acme', remoteDir: '' }
// 16,000 bytes a second (8 kHz, 16-bit mono) after a 44-byte header.
const seconds = (s: number) => wavBytes(44 + s * 16_000)

async function fixture(delivered: string[]) {
  const dir = await tempDir()
  const home = path.join(dir, 'home')
  await writeFiles(dir, {
    'calls.csv': 'Ref,Agent,Date,File\nA1,a@x,2024-01-01T10:00:00Z,one.wav\nA2,b@x,2024-01-01T10:00:00Z,two.wav\nA3,c@x,2024-01-01T10:00:00Z,three.wav\n',
    'one.wav': seconds(2), 'two.wav': seconds(4), 'three.wav': seconds(6),
  })
  const spec = { paths: [dir], csvPath: path.join(dir, 'calls.csv'), mapping: MAPPING }
  const checked = await validateBatch(spec)
  const { mkdir } = await import('node:fs/promises')
  await mkdir(destinationDataDir(home, DEST), { recursive: true })
  const ledger = DeliveryLedger.openFile(path.join(destinationDataDir(home, DEST), LEDGER_FILE))
  if (delivered.length > 0) {
    ledger.recordDelivery(
      { batchId: 'b', csvName: 'monday.csv', rows: delivered.length, bytes: 0, deliveredAt: '2024-01-02T08:00:00Z', sourceCsv: 'x.csv', reportCsv: null, reportJson: null },
      delivered.map((reference) => ({ reference, recording: null, size: null, sha256: null })),
    )
  }
  ledger.close()
  return { home, spec, checked }
}

describe('the batch as Review shows it for a destination', () => {
  it('counts the audio and the bytes of the recordings still going, each with its own duration', async () => {
    const { home, spec, checked } = await fixture(['A1', 'A2'])
    expect(checked.report.audio).toMatchObject({ recordings: 3, totalSeconds: 12 })
    const view = await checkedForDestination(home, checked, spec, DEST, null)
    expect(view.report).toMatchObject({ eligible: 1, alreadyDelivered: 2, eligibleBytes: 44 + 6 * 16_000 })
    expect(view.report.audio).toEqual({ recordings: 1, totalSeconds: 6, minSeconds: 6, medianSeconds: 6, maxSeconds: 6 })
    // Review's "Rows to send": row 3 with its own 6 s (it read the first recording's 2 s before).
    expect(recordingRows(view, 0, 10).rows.map((r) => [r.row, r.file, r.seconds])).toEqual([[3, 'three.wav', 6]])
  })

  it('has no audio to send when every row was delivered, and not ready for that reason alone', async () => {
    const { home, spec, checked } = await fixture(['A1', 'A2', 'A3'])
    const view = await checkedForDestination(home, checked, spec, DEST, null)
    expect(view.report).toMatchObject({ eligible: 0, alreadyDelivered: 3, eligibleBytes: 0, ready: false, excluded: 0 })
    expect(view.report.audio).toMatchObject({ recordings: 0, totalSeconds: 0 })
  })

  it('keeps every figure when rows delivered are sent again on purpose', async () => {
    const { home, spec, checked } = await fixture(['A1'])
    const view = await checkedForDestination(home, checked, { ...spec, resendDelivered: true }, DEST, null)
    expect(view.report).toMatchObject({ eligible: 3, alreadyDelivered: 1 })
    expect(view.report.audio).toMatchObject({ recordings: 3, totalSeconds: 12 })
    expect(recordingRows(view, 0, 10).rows.map((r) => r.seconds)).toEqual([2, 4, 6])
  })
})
