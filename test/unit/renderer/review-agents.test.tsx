// @vitest-environment jsdom
/**
 * Review's agents panel and audio figures (issue 12): the agents the platform may not know,
 * with their rows, a list to copy, and where to create the mappings; the audio to send.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { FakeApi } from './fake-api'
import { dataAt, renderApp } from './render-app'
import { needsConfirm } from '../../../renderer/use-send'

afterEach(cleanup)

function withAgents(api: FakeApi, strict = false): void {
  api.report = {
    ...api.report,
    audio: { recordings: 4_784, totalSeconds: 44_640, minSeconds: 4, medianSeconds: 245, maxSeconds: 3_720 },
    agents: {
      listSize: 212, deliveredSize: 40, distinct: 31, strict, concernedTotal: 2, code: 'UNKNOWN_AGENT',
      concerned: [{ agent: 'zoe.new@acme-support.co.uk', rows: 41 }, { agent: 'max.temp@acme-support.co.uk', rows: 3 }],
      whereToMap: 'Before sending, make sure each of these agents is a user in evaluagent.',
    },
  }
}

describe('Review: agents and audio', () => {
  it('lists the agents not on the destination\'s list with their rows, and copies them one a line', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    withAgents(api)
    const writeText = vi.fn(async () => undefined)
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    renderApp(api, dataAt(api, 'review'))
    const panel = screen.getByRole('region', { name: 'Agents the platform may not know' })
    expect(within(panel).getByText('2 agents not on this destination’s agent list')).toBeTruthy()
    expect(within(panel).getByText('zoe.new@acme-support.co.uk · 41 rows')).toBeTruthy()
    expect(panel.textContent).toContain('Their rows are sent, but the platform cannot import them without a user mapping.')
    expect(panel.textContent).toContain('make sure each of these agents is a user in evaluagent')
    await user.click(within(panel).getByRole('button', { name: 'Copy list' }))
    expect(writeText).toHaveBeenCalledWith('zoe.new@acme-support.co.uk\nmax.temp@acme-support.co.uk\n')
    expect(await within(panel).findByText('Copied: one agent ID a line.')).toBeTruthy()
  })

  it('says the rows are left out when unknown agents are errors, and shows the hours of audio to send', () => {
    const api = new FakeApi()
    withAgents(api, true)
    renderApp(api, dataAt(api, 'review'))
    expect(screen.getByRole('region', { name: 'Agents the platform may not know' }).textContent).toContain('Their rows are left out until the platform knows them.')
    const audio = screen.getByRole('group', { name: 'Audio to send' })
    expect(audio.textContent).toContain('12.4 h')
    expect(audio.textContent).toContain('median 4:05, longest 1:02:00')
  })

  it('lists the rows to send with their durations', async () => {
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'review'))
    const table = screen.getByRole('table', { name: 'Rows to send, with their recordings' })
    const row = (await within(table).findByText('CR-2024-00002')).closest('tr')!
    expect(row.textContent).toContain('ben.oduya@acme-support.co.uk')
    expect(row.textContent).toContain('1:37')
    expect(api.callsTo('listRecordings')[0]).toEqual(['check-1', 0, 200])
  })
})

describe('Sending with agents the platform may not know', () => {
  const choices = { resendDelivered: false, layoutChoice: 'keep' as const }
  const sendTo = { destinationId: 'dest-ea', destinationName: 'evaluagent Leeds', passphrase: null }

  it('asks first when agents are not on the destination\'s list, naming them', async () => {
    const api = new FakeApi()
    withAgents(api)
    expect(needsConfirm(api.report, choices)).toBe(true)
    renderApp(api, { ...dataAt(api, 'destination'), destinationId: 'dest-ea', report: api.report, checkedFor: 'dest-ea', destinationName: sendTo.destinationName, confirm: sendTo })
    const dialog = await screen.findByRole('dialog', { name: 'Before sending to evaluagent Leeds' })
    expect(within(dialog).getByRole('region', { name: 'Agents the platform may not know' }).textContent).toContain('zoe.new@acme-support.co.uk · 41 rows')
  })

  it('does not ask for the new agents of a destination\'s first batch, which names every agent as new', async () => {
    const api = new FakeApi()
    withAgents(api)
    const agents = { ...api.report.agents!, code: 'NEW_AGENT' as const, listSize: 0 }
    expect(needsConfirm({ ...api.report, agents: { ...agents, deliveredSize: 0 } }, choices)).toBe(false)
    expect(needsConfirm({ ...api.report, agents: { ...agents, deliveredSize: 12 } }, choices)).toBe(true)
  })
})
