/**
 * The checks that need the destination, on a real checked batch and a real delivery ledger
 * (SQLite in a temp folder): delivered rows flagged and left out (or kept on purpose),
 * recordings no row needs any more dropped, and a layout difference named.
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { validateBatch } from '../../../src/batch'
import { checkForDestination } from '../../../src/ledger/destination-checks'
import { DeliveryLedger } from '../../../src/ledger/ledger'
import { wavBytes } from '../../fixtures/audio-bytes'
import { tempDir, writeFiles } from '../batch/helpers'

const WAV = wavBytes(200)
const MAPPING = { contactReference: 'Ref', agentId: 'Agent', contactDate: 'Date', audioFilename: 'File' }

async function fixture() {
  const dir = await tempDir()
  const rows = ['A1,a@x,2024-01-01T10:00:00Z,one.wav', 'A2,b@x,2024-01-01T10:00:00Z,two.wav', 'A3,c@x,2024-01-01T10:00:00Z,two.wav', 'A4,d@x,2024-01-01T10:00:00Z,three.wav']
  await writeFiles(dir, { 'calls.csv': `Ref,Agent,Date,File,Queue\n${rows.map((r) => `${r},Sales`).join('\n')}\n`, 'one.wav': WAV, 'two.wav': WAV, 'three.wav': WAV })
  const checked = await validateBatch({ paths: [dir], csvPath: path.join(dir, 'calls.csv'), mapping: MAPPING })
  const ledger = DeliveryLedger.openFile(path.join(dir, 'ledger.sqlite'))
  ledger.recordDelivery(
    { batchId: 'b', csvName: 'monday.csv', rows: 2, bytes: 0, deliveredAt: '2024-01-02T08:00:00Z', sourceCsv: 'x.csv', reportCsv: null, reportJson: null },
    ['A1', 'A2'].map((reference) => ({ reference, recording: null, size: null, sha256: null })),
  )
  return { checked, ledger }
}

describe('checks against the destination', () => {
  it('flags delivered rows, leaves them out, drops recordings only they used, and names the earlier CSV', async () => {
    const { checked, ledger } = await fixture()
    const out = checkForDestination(checked, { ledger, layout: null })
    expect(out.report).toMatchObject({ eligible: 2, alreadyDelivered: 2, ready: true, counts: { ALREADY_DELIVERED: 2 } })
    expect(out.issues.filter((i) => i.code === 'ALREADY_DELIVERED').map((i) => i.row)).toEqual([1, 2])
    expect(out.issues.find((i) => i.code === 'ALREADY_DELIVERED')!.message).toContain('in monday.csv on 2024-01-02')
    expect(out.manifest.recordings.map((r) => [r.remoteName, r.rows])).toEqual([['two.wav', [3]], ['three.wav', [4]]])
    expect(out.report.deliveredBefore?.map((d) => d.csvName)).toEqual(['monday.csv'])
    // The input is left as it was: the UI's cached check can be asked again with other choices.
    expect(checked.report.eligible).toBe(4)
    expect(checked.manifest.recordings).toHaveLength(3)
    ledger.close()
  })

  it('keeps delivered rows when they are sent again on purpose; with nothing new the batch is not ready', async () => {
    const { checked, ledger } = await fixture()
    const resend = checkForDestination(checked, { ledger, layout: null, resendDelivered: true })
    expect(resend.report).toMatchObject({ eligible: 4, alreadyDelivered: 2, ready: true })
    ledger.recordDelivery(
      { batchId: 'b', csvName: 'tuesday.csv', rows: 2, bytes: 0, deliveredAt: '2024-01-03T08:00:00Z', sourceCsv: 'x.csv', reportCsv: null, reportJson: null },
      ['A3', 'A4'].map((reference) => ({ reference, recording: null, size: null, sha256: null })),
    )
    const none = checkForDestination(checked, { ledger, layout: null })
    expect(none.report).toMatchObject({ eligible: 0, alreadyDelivered: 4, ready: false })
    expect(none.report.deliveredBefore?.map((d) => d.csvName)).toEqual(['tuesday.csv', 'monday.csv'])
    ledger.close()
  })

  it('names columns that differ from the platform layout', async () => {
    const { checked, ledger } = await fixture()
    const layout = { recordedAt: '2024-01-01T00:00:00Z', columns: [{ name: 'Ref', field: 'contactReference' as const }, { name: 'Agent', field: 'agentId' as const }, { name: 'Date', field: 'contactDate' as const }, { name: 'File', field: 'audioFilename' as const }, { name: 'Team', field: null }] }
    const out = checkForDestination(checked, { ledger: null, layout })
    expect(out.report.counts.LAYOUT_CHANGED).toBe(1)
    expect(out.issues.find((i) => i.code === 'LAYOUT_CHANGED')!.message).toMatch(/new column "Queue"; missing "Team"/)
    ledger.close()
  })
})
