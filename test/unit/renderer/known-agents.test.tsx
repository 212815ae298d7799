// @vitest-environment jsdom
// Known agents in the settings (issue 12): per destination, the counts the list holds and the
// deliveries taught; a list imported from a CSV with the column chosen, then edited by hand;
// the strict switch, saved at once and used by the next check of the batch.
// The fake's file stands for a Windows-1252, semicolon user export as the core decodes it (the
// decoding itself is tested through the core: test/integration/agent-lists-service.test.ts).
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { FakeApi } from './fake-api'
import { button, dataAt, renderApp } from './render-app'

afterEach(cleanup)

const EXPORT = '/home/qa/Downloads/platform-users/users.csv'

function withExport(): FakeApi {
  const api = new FakeApi()
  api.destinations.push({ id: 'dest-ea', name: 'evaluagent Leeds', host: 'sftp.evaluagent.example', port: 22, username: 'acme', keyName: 'k', remoteDir: '', sandbox: false })
  api.knownAgents['dest-ea'] = { list: null, confirmed: 12, earlierDeliveries: 0, strict: false }
  api.pickedFolder = '/home/qa/Downloads/platform-users'
  api.scanResult = { roots: [api.pickedFolder], csvFiles: [{ path: EXPORT, relPath: 'users.csv', size: 412, mtimeMs: 1_716_000_000_000 }], recordingCount: 0, recordingBytes: 0, byExtension: {}, skipped: 0 }
  api.agentFiles[EXPORT] = {
    headers: ['Nom', 'E-mail', 'Équipe', 'ID agent'],
    rows: [['José Núñez', 'jose@acme.example', 'Ventes', 'JNU-01'], ['Zoë Müller', 'zoe@acme.example', 'Support', 'ZMU-02'], ['Björn Ås', 'bjorn@acme.example', 'Support', 'BAS-03'], ['Vide', '', 'Support', '']],
  }
  return api
}

async function openAgents(user: ReturnType<typeof userEvent.setup>, counts = 'No list imported · 12 agents confirmed') {
  await user.click(button('Settings'))
  const settings = await screen.findByRole('dialog', { name: 'Settings' })
  expect(await within(settings).findByText(counts, { exact: false })).toBeTruthy()
  await user.click(within(settings).getByRole('button', { name: 'Known agents of evaluagent Leeds' }))
  return screen.findByRole('dialog', { name: 'Known agents of evaluagent Leeds' })
}

const listed = (dialog: HTMLElement) => within(within(dialog).getByRole('list', { name: 'Agents on the list' })).getAllByRole('listitem').map((li) => li.textContent)

describe('Known agents of a destination', () => {
  it('imports the column the user chooses, then adds, removes and clears, the counts following', async () => {
    const user = userEvent.setup()
    const api = withExport()
    renderApp(api)
    const dialog = await openAgents(user)
    expect(await within(dialog).findByRole('status')).toHaveProperty('textContent', 'No list imported · 12 agents confirmed')

    await user.click(within(dialog).getByRole('button', { name: 'Import from a CSV…' }))
    const column = await within(dialog).findByRole('combobox', { name: 'Column with the agent IDs' })
    // The column that looks like the agent ID is preselected; the user takes another.
    expect(column.textContent).toBe('E-mail')
    await user.click(column)
    expect((await screen.findAllByRole('option')).map((o) => o.textContent)).toEqual(['Nom', 'E-mail', 'Équipe', 'ID agent'])
    await user.click(screen.getByRole('option', { name: 'ID agent' }))
    await user.click(within(dialog).getByRole('button', { name: 'Import' }))
    expect(api.callsTo('scan')).toEqual([[['/home/qa/Downloads/platform-users']]])
    expect(api.callsTo('importAgentList')).toEqual([['dest-ea', EXPORT, 'ID agent']])
    await waitFor(() => expect(within(dialog).getByRole('status').textContent).toBe('3 agents on the list · 12 agents confirmed'))
    expect(listed(dialog)).toEqual(['JNU-01', 'ZMU-02', 'BAS-03'])
    expect(within(dialog).getByText(`Imported from column “ID agent” of ${EXPORT}.`)).toBeTruthy()

    await user.type(within(dialog).getByRole('textbox', { name: 'Agent ID to add' }), 'CDU-04{Enter}')
    await waitFor(() => expect(within(dialog).getByRole('status').textContent).toMatch(/^4 agents on the list/))
    expect(listed(dialog)).toEqual(['JNU-01', 'ZMU-02', 'BAS-03', 'CDU-04'])
    expect(within(dialog).getByRole('textbox', { name: 'Agent ID to add' })).toHaveProperty('value', '')
    // Enter added the agent only: the settings around the dialog were not saved and closed.
    expect(api.callsTo('saveSettings')).toEqual([])

    await user.click(within(dialog).getByRole('button', { name: 'Remove ZMU-02' }))
    await waitFor(() => expect(listed(dialog)).toEqual(['JNU-01', 'BAS-03', 'CDU-04']))
    expect(api.callsTo('saveAgentList').at(-1)).toEqual(['dest-ea', ['JNU-01', 'BAS-03', 'CDU-04']])
    expect(within(dialog).getByRole('status').textContent).toMatch(/^3 agents on the list/)

    await user.click(within(dialog).getByRole('button', { name: 'Clear the list' }))
    expect(within(dialog).getByText(/Clear all 3 agents\?/)).toBeTruthy()
    await user.click(within(dialog).getByRole('button', { name: 'Clear' }))
    await waitFor(() => expect(within(dialog).getByRole('status').textContent).toBe('No list imported · 12 agents confirmed'))
    expect(within(dialog).queryByRole('list', { name: 'Agents on the list' })).toBeNull()
    expect(api.callsTo('saveAgentList').at(-1)).toEqual(['dest-ea', []])
  })

  it('in the browser, picks the folder with the in-page folder browser, and shows a refused file', async () => {
    const user = userEvent.setup()
    const api = withExport()
    api.caps = { kind: 'web', nativeDialogs: false }
    api.failures.previewAgentList = { code: 'CSV_UNREADABLE', message: 'The CSV could not be read. Save it again as CSV (comma- or semicolon-separated) and try again.' }
    renderApp(api)
    const dialog = await openAgents(user)
    await user.click(within(dialog).getByRole('button', { name: 'Import from a CSV…' }))
    expect(await screen.findByRole('dialog', { name: 'Choose the folder of the agent list' })).toBeTruthy()
    expect(api.callsTo('pickFolder')).toEqual([])
    expect(api.callsTo('browse').length).toBeGreaterThan(0)
  })
})

describe('Unknown agents as errors, switched on in the agents dialog', () => {
  const UNKNOWN = [{ agent: 'zoe.new@acme-support.co.uk', rows: 41 }, { agent: 'max.temp@acme-support.co.uk', rows: 3 }]

  /** On Review, the batch checked for Leeds: two agents off its list of three, warnings so far. */
  function atReview(): FakeApi {
    const api = withExport()
    api.knownAgents['dest-ea'] = { list: { ids: ['JNU-01', 'ZMU-02', 'BAS-03'], source: EXPORT, column: 'ID agent', importedAt: '2024-06-01T09:00:00.000Z' }, confirmed: 12, earlierDeliveries: 0, strict: false }
    api.report = {
      ...api.report,
      agents: { listSize: 3, deliveredSize: 12, distinct: 5, strict: false, concernedTotal: 2, code: 'UNKNOWN_AGENT', concerned: UNKNOWN, whereToMap: 'Create the users in evaluagent first.' },
      counts: { ...api.report.counts, UNKNOWN_AGENT: 44 },
    }
    renderApp(api, { ...dataAt(api, 'review'), destinationId: 'dest-ea', checkedFor: 'dest-ea', destinationName: 'evaluagent Leeds' })
    return api
  }
  const strictSwitch = (dialog: HTMLElement) => within(dialog).getByRole('switch', { name: 'Treat agents not on the list as errors (leave their rows out)' }) as HTMLInputElement

  it('saves the setting for the destination, and Check again then leaves the rows of those agents out', async () => {
    const user = userEvent.setup()
    const api = atReview()
    const panel = () => screen.getByRole('region', { name: 'Agents the platform may not know' })
    expect(panel().textContent).toContain('Their rows are sent, but the platform cannot import them without a user mapping.')
    expect(screen.getByText('Continue with 4,784 rows')).toBeTruthy()
    expect(screen.getByRole('group', { name: 'Left out' }).textContent).toContain('112')

    const dialog = await openAgents(user, '3 agents on the list · 12 agents confirmed')
    await waitFor(() => expect(strictSwitch(dialog).disabled).toBe(false))
    expect(strictSwitch(dialog).checked).toBe(false)
    expect(within(dialog).getByText('Rows whose agent is not on the list are sent, with a warning before sending.')).toBeTruthy()
    await user.click(strictSwitch(dialog))
    expect(api.callsTo('setStrictAgents')).toEqual([['dest-ea', true]])
    await waitFor(() => expect(strictSwitch(dialog).checked).toBe(true))
    expect(within(dialog).getByText('Rows whose agent is not on the list are left out of the upload until the platform knows the agent.')).toBeTruthy()
    // Saved at once, like the list: not with the settings' own Save.
    expect(api.callsTo('saveSettings')).toEqual([])
    await user.click(within(dialog).getByRole('button', { name: 'Close' }))
    // The settings come back once the agents dialog has gone (until then they are hidden behind it).
    await user.click(within(await screen.findByRole('dialog', { name: 'Settings' })).getByRole('button', { name: 'Cancel' }))

    // Hidden from the accessibility tree until the settings' closing transition ends: slower under load.
    await user.click(await screen.findByRole('button', { name: 'Check again' }))
    expect(api.callsTo('validate').at(-1)?.[0]).toMatchObject({ destinationId: 'dest-ea' })
    await waitFor(() => expect(panel().textContent).toContain('Their rows are left out until the platform knows them.'))
    // 112 rows were left out before; the 44 of the two agents now are too.
    expect(screen.getByRole('group', { name: 'Left out' }).textContent).toContain('156')
    expect(screen.getByText('Continue with 4,740 rows')).toBeTruthy()
  })

  it('cannot be switched without a list, and says why', async () => {
    const user = userEvent.setup()
    renderApp(withExport())
    const dialog = await openAgents(user)
    await within(dialog).findByText('Import or add agents first: without a list, agents never confirmed are only noted.')
    expect(strictSwitch(dialog).disabled).toBe(true)
  })

  it('shows a refused save and leaves the switch as it was', async () => {
    const user = userEvent.setup()
    const api = withExport()
    api.knownAgents['dest-ea'] = { list: { ids: ['JNU-01'], source: '', column: '', importedAt: '2024-06-01T09:00:00.000Z' }, confirmed: 12, earlierDeliveries: 0, strict: false }
    api.failures.setStrictAgents = { code: 'LOCAL_DISK_FULL', message: 'This computer’s disk is full: the known agents could not be saved. Free some space on this computer, then try again.' }
    renderApp(api)
    const dialog = await openAgents(user, '1 agent on the list · 12 agents confirmed')
    await user.click(strictSwitch(dialog))
    expect(await within(dialog).findByText(/This computer’s disk is full/)).toBeTruthy()
    expect(strictSwitch(dialog).checked).toBe(false)
  })
})
