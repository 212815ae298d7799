// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { FakeApi } from './fake-api'
import { button, dataAt, renderApp } from './render-app'

afterEach(cleanup)

const remote = { id: 'dest-ea', name: 'evaluagent Leeds', host: 'sftp.example.com', port: 22, username: 'acme', keyName: 'ea', remoteDir: '', sandbox: false }

describe('Destination and key step', () => {
  it('lists the sandbox from the first run and starts an upload to it', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'destination'))
    const sandbox = await screen.findByRole('radio', { name: /Sandbox \(this computer\)/ })
    await waitFor(() => expect((sandbox as HTMLInputElement).checked).toBe(true))
    await user.click(button('Start upload'))
    await screen.findByRole('heading', { name: 'Upload' })
    expect(screen.getByText(/^Sending to Sandbox \(this computer\)\./)).toBeTruthy()
    expect(api.callsTo('startUpload')[0]!.slice(1)).toEqual(['sandbox', null])
  })

  it('generates an Ed25519 key and shows the public key, fingerprint and where to paste it', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'destination'))
    await user.click(await screen.findByRole('button', { name: 'New SSH key…' }))
    const dialog = await screen.findByRole('dialog', { name: 'SSH key' })
    expect((within(dialog).getByRole('radio', { name: /Ed25519 \(recommended\)/ }) as HTMLInputElement).checked).toBe(true)
    await user.click(within(dialog).getByRole('button', { name: 'Generate key' }))
    expect(api.callsTo('generateKey')[0]).toEqual(['evaluagent', 'ed25519', null])
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(await screen.findByText(/ssh-ed25519 AAAA/)).toBeTruthy()
    expect(screen.getByText(/SHA256:7s2kQy0b/)).toBeTruthy()
    expect(screen.getByText(/paste this key as the public key/)).toBeTruthy()
    expect(button('Copy public key')).toBeTruthy()
  })

  it('imports a pasted key, and refuses text that is not a private key with its sentence', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    renderApp(api, dataAt(api, 'destination'))
    await user.click(await screen.findByRole('button', { name: 'New SSH key…' }))
    const dialog = await screen.findByRole('dialog', { name: 'SSH key' })
    await user.click(within(dialog).getByRole('tab', { name: 'Import a key' }))
    const text = within(dialog).getByLabelText(/Private key/)
    await user.type(text, 'ssh-ed25519 AAAA public-half')
    await user.click(within(dialog).getByRole('button', { name: 'Import key' }))
    expect(await within(dialog).findByText(/This is not an SSH key the app can use/)).toBeTruthy()
    await user.clear(text)
    await user.type(text, '-----BEGIN OPENSSH PRIVATE KEY-----')
    await user.click(within(dialog).getByRole('button', { name: 'Import key' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(await screen.findByText(/ssh-ed25519 AAAAimported/)).toBeTruthy()
  })

  it('adds a destination with host, port and username', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    await api.generateKey('ea', 'ed25519', null)
    renderApp(api, dataAt(api, 'destination'))
    await user.click(await screen.findByRole('button', { name: 'Add destination…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Add a destination' })
    await user.type(within(dialog).getByLabelText(/Host name/), 'sftp.example.com')
    await user.type(within(dialog).getByLabelText(/Username/), 'acme')
    await user.click(within(dialog).getByRole('button', { name: 'Save destination' }))
    expect(api.callsTo('saveDestination')[0]![0]).toMatchObject({ host: 'sftp.example.com', port: 22, username: 'acme', keyName: 'ea', remoteDir: '' })
    const radio = await screen.findByRole('radio', { name: /evaluagent.*acme@sftp\.example\.com:22/ })
    await waitFor(() => expect((radio as HTMLInputElement).checked).toBe(true))
  })

  it('asks the user to confirm an unknown host key fingerprint, then trusts it and uploads', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    await api.generateKey('ea', 'ed25519', null)
    api.destinations.push(remote)
    renderApp(api, { ...dataAt(api, 'destination'), destinationId: 'dest-ea' })
    await screen.findByText('evaluagent Leeds')
    await user.click(button('Start upload'))
    const dialog = await screen.findByRole('dialog', { name: 'Is this the right server?' })
    expect(within(dialog).getByText(api.hostKey.fingerprint)).toBeTruthy()
    expect(api.callsTo('startUpload')).toHaveLength(0)
    await user.click(within(dialog).getByRole('button', { name: 'Trust this server' }))
    expect(api.callsTo('trustHost')[0]).toEqual(['dest-ea', api.hostKey.fingerprint])
    await screen.findByRole('heading', { name: 'Upload' })
  })

  it('stops clearly when the host key has changed', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    await api.generateKey('ea', 'ed25519', null)
    api.destinations.push(remote)
    api.hostKeyChanged.add('dest-ea')
    renderApp(api, { ...dataAt(api, 'destination'), destinationId: 'dest-ea' })
    await screen.findByText('evaluagent Leeds')
    await user.click(button('Test connection'))
    expect(await screen.findByText('Stopped: the server’s identity has changed')).toBeTruthy()
    expect(screen.getByText(/Nothing was sent/)).toBeTruthy()
    expect(button('Start upload').disabled).toBe(true)
    expect(api.callsTo('trustHost')).toHaveLength(0)
  })

  it('asks for the passphrase of a protected key', async () => {
    const user = userEvent.setup()
    const api = new FakeApi()
    await api.generateKey('ea', 'ed25519', 'secret')
    api.destinations.push(remote)
    api.trusted.add('dest-ea')
    renderApp(api, { ...dataAt(api, 'destination'), destinationId: 'dest-ea' })
    const field = await screen.findByLabelText('Passphrase for key “ea”')
    expect(button('Start upload').disabled).toBe(true)
    await user.type(field, 'secret')
    await user.click(button('Start upload'))
    await screen.findByRole('heading', { name: 'Upload' })
    expect(api.callsTo('startUpload')[0]!.slice(1)).toEqual(['dest-ea', 'secret'])
  })
})
