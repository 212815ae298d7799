// @vitest-environment jsdom
/**
 * Review knows the destination (issue 22, item 3): "Check the batch" checks it for the
 * destination the next step preselects (the last used, else the sandbox), so the rows already
 * delivered there are counted as such before Start upload; a batch with nothing new says so
 * without the red "fix the CSV or the folder"; Review entered again after an upload checks
 * again before showing numbers. And the agents panel's "These agents are right: remember
 * them" (issue 22, item 5) confirms the agents shown for that destination.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { BatchSpec, DeliveredBatch, Destination } from '../../../src/api'
import { FakeApi } from './fake-api'
import { button, dataAt, renderApp } from './render-app'

afterEach(cleanup)

const earlier: DeliveredBatch = {
  batchId: 'batch-3', csvName: 'calls-2024-05-24-batch-3.csv', rows: 4_784, bytes: 9_580_112_300, deliveredAt: '2024-05-24T16:10:00Z',
  sourceCsv: '/home/qa/exports/may-2024/calls.csv', reportCsv: '/data/reports/batch-3.csv', reportJson: '/data/reports/batch-3.json',
}
const LEEDS: Destination = { id: 'dest-ea', name: 'evaluagent Leeds', host: 'sftp.evaluagent.com', port: 22, username: 'acme-leeds', keyName: 'default', remoteDir: '', sandbox: false, lastUsed: true }

/** A fake whose last used destination is Leeds, where `rows` of this batch were delivered before. */
function leedsApi(rows: number): FakeApi {
  const api = new FakeApi()
  api.destinations = [...api.destinations, LEEDS]
  api.deliveries['dest-ea'] = { rows, batches: [earlier] }
  return api
}

const stat = (label: string) => screen.getByRole('group', { name: label }).textContent

async function checkTheBatch(api: FakeApi): Promise<void> {
  const user = userEvent.setup()
  renderApp(api, dataAt(api, 'map'))
  await user.click(await screen.findByRole('button', { name: 'Check the batch' }))
  await screen.findByRole('heading', { name: 'Review' })
}

describe('Review checks the batch for its destination', () => {
  it('counts the rows already delivered to the destination last used before anything is sent', async () => {
    const api = leedsApi(1_320)
    await checkTheBatch(api)
    expect((api.callsTo('validate').at(-1)![0] as BatchSpec).destinationId).toBe('dest-ea')
    expect(stat('Will be uploaded')).toContain('3,464')
    expect(stat('Already delivered')).toContain('1,320rows · left out')
    expect(screen.getByText(/1,320 rows were already delivered to evaluagent Leeds on 24 May 2024/)).toBeTruthy()
    expect(button('Continue with 3,464 rows').disabled).toBe(false)
  })

  it('checks for the sandbox when no destination was used yet, as the next step preselects it', async () => {
    const api = new FakeApi()
    await checkTheBatch(api)
    expect((api.callsTo('validate').at(-1)![0] as BatchSpec).destinationId).toBe('sandbox')
    expect(screen.queryByRole('group', { name: 'Already delivered' })).toBeNull()
  })

  it('says nothing new is left for the destination, without the red banner, and still lets another destination be chosen', async () => {
    const user = userEvent.setup()
    const api = leedsApi(4_784)
    api.report = { ...api.report, excluded: 0, counts: {}, issueTotal: 0, audio: { recordings: 4_784, totalSeconds: 44_640, minSeconds: 4, medianSeconds: 245, maxSeconds: 3_720 } }
    await checkTheBatch(api)
    expect(stat('Will be uploaded')).toContain('0rows · 0 bytes of recordings')
    expect(stat('Already delivered')).toContain('4,784')
    expect(screen.getByText('Nothing new for evaluagent Leeds')).toBeTruthy()
    expect(screen.queryByText(/fix the CSV or the folder/)).toBeNull()
    expect(screen.queryByText(/No row can be uploaded yet/)).toBeNull()
    await user.click(button('Continue'))
    expect(await screen.findByRole('heading', { name: 'Destination and key' })).toBeTruthy()
  })

  it('checks again when entered after an upload, and shows the numbers of what would now be sent', async () => {
    const api = leedsApi(0)
    const summary = { batchId: 'batch-9', uploaded: 4_784, skipped: 0, excluded: 112, failed: 0, csv: 'calls-x.csv', alreadyDelivered: 0, bytes: 9_580_112_300, seconds: 80, reportCsv: '/r.csv', reportJson: '/r.json' }
    // The run just delivered every row: the core's ledger now says so.
    api.deliveries['dest-ea'] = { rows: 4_784, batches: [earlier] }
    renderApp(api, { ...dataAt(api, 'review'), checkedFor: 'dest-ea', destinationId: 'dest-ea', destinationName: 'evaluagent Leeds', batchId: 'batch-9', summary })
    // The report from before the upload is not shown meanwhile.
    expect(screen.getByRole('status').textContent).toBe('Checking the batch for evaluagent Leeds again…')
    expect(screen.queryByRole('group', { name: 'Will be uploaded' })).toBeNull()
    await screen.findByText('Nothing new for evaluagent Leeds')
    expect(stat('Will be uploaded')).toContain('0')
    expect(stat('Already delivered')).toContain('4,784')
    expect((api.callsTo('validate').at(-1)![0] as BatchSpec).destinationId).toBe('dest-ea')
  })

  it('checks again for the destination chosen meanwhile in the next step', async () => {
    const api = leedsApi(1_320)
    renderApp(api, { ...dataAt(api, 'review'), checkedFor: 'sandbox', destinationId: 'dest-ea', destinationName: 'Sandbox (this computer)' })
    await waitFor(() => expect(stat('Already delivered')).toContain('1,320'))
    expect(screen.getByText(/already delivered to evaluagent Leeds/)).toBeTruthy()
  })
})

describe('Review: confirming the agents shown', () => {
  function newAgents(api: FakeApi): void {
    api.report = {
      ...api.report,
      counts: { ...api.report.counts, NEW_AGENT: 44 },
      agents: {
        listSize: 0, deliveredSize: 0, distinct: 4, strict: false, concernedTotal: 2, code: 'NEW_AGENT',
        concerned: [{ agent: 'zoe.new@acme-support.co.uk', rows: 41 }, { agent: 'max.temp@acme-support.co.uk', rows: 3 }],
        whereToMap: 'Before sending, make sure each of these agents is a user in evaluagent.',
      },
    }
  }

  it('remembers them for the destination after saying what that means, then checks again: they are no longer flagged', async () => {
    const user = userEvent.setup()
    const api = leedsApi(0)
    newAgents(api)
    await checkTheBatch(api)
    const panel = screen.getByRole('region', { name: 'Agents the platform may not know' })
    expect(within(panel).getByText('2 agents not confirmed for this destination')).toBeTruthy()
    await user.click(within(panel).getByRole('button', { name: 'These agents are right: remember them' }))
    const ask = within(panel).getByRole('group', { name: 'Remember these agents' })
    expect(ask.textContent).toContain('Remember 2 agents for evaluagent Leeds? Do this only when each is a user in evaluagent with exactly this Agent ID: a typing slip remembered here is never flagged again.')
    expect(api.callsTo('confirmAgents')).toEqual([])
    await user.click(within(ask).getByRole('button', { name: 'Remember 2 agents' }))
    expect(api.callsTo('confirmAgents')).toEqual([['dest-ea', ['zoe.new@acme-support.co.uk', 'max.temp@acme-support.co.uk']]])
    expect(await screen.findByText('Remembered 2 agents for evaluagent Leeds: later batches naming them are not flagged.')).toBeTruthy()
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Agents the platform may not know' })).toBeNull())
    expect((api.callsTo('validate').at(-1)![0] as BatchSpec).destinationId).toBe('dest-ea')
  })

  it('changes nothing when cancelled, and says why when the destination refuses', async () => {
    const user = userEvent.setup()
    const api = leedsApi(0)
    newAgents(api)
    await checkTheBatch(api)
    const panel = screen.getByRole('region', { name: 'Agents the platform may not know' })
    await user.click(within(panel).getByRole('button', { name: 'These agents are right: remember them' }))
    await user.click(within(panel).getByRole('button', { name: 'Cancel' }))
    expect(within(panel).queryByRole('group', { name: 'Remember these agents' })).toBeNull()
    api.failures.confirmAgents = { code: 'DISK_FULL', message: 'The disk is full: free some space and try again.' }
    await user.click(within(panel).getByRole('button', { name: 'These agents are right: remember them' }))
    await user.click(within(panel).getByRole('button', { name: 'Remember 2 agents' }))
    expect(await within(panel).findByText(/The disk is full/)).toBeTruthy()
    expect(within(panel).getByText('zoe.new@acme-support.co.uk · 41 rows')).toBeTruthy()
  })

  it('is not offered in the pre-send dialog, which has no destination to check again', async () => {
    const { AgentsPanel } = await import('../../../renderer/steps/agents-panel')
    const api = new FakeApi()
    newAgents(api)
    const { render } = await import('@testing-library/react')
    render(<AgentsPanel agents={api.report.agents!} />)
    expect(screen.queryByRole('button', { name: 'These agents are right: remember them' })).toBeNull()
  })
})
