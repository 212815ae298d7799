/**
 * Passwords in the settings' addresses stay out of settings.json where the host can seal them
 * (the desktop app: Electron's safeStorage; issue 23, item 6). A stand-in sealer plays the
 * keychain here: what is asserted is the file's text and what the app reads back.
 */
import { mkdtemp, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { SecretSealer } from '../../../main/settings-secrets'
import { DEFAULT_SETTINGS, SettingsStore } from '../../../main/settings-store'

/** Reversible and unlike the input, as a keychain's output is. */
const keychain: SecretSealer = {
  seal: (plain) => Buffer.from(`sealed:${plain}`).toString('base64'),
  open: (sealed) => {
    const text = Buffer.from(sealed, 'base64').toString()
    if (!text.startsWith('sealed:')) throw new Error('not ours')
    return text.slice('sealed:'.length)
  },
}

const chosen = { ...DEFAULT_SETTINGS, proxy: 'url' as const, proxyUrl: 'socks5://qa:p@ss:w0rd@gw.corp:1080', teamLedger: 'postgresql://team:s3cret@db.corp:5432/ledger' }

describe('settings passwords', () => {
  it('the desktop app keeps them sealed, out of settings.json, and reads them back', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'bu-settings-secrets-'))
    const store = new SettingsStore(home, keychain)
    await store.save(chosen)
    const text = await readFile(path.join(home, 'settings.json'), 'utf8')
    expect(text).not.toContain('p@ss')
    expect(text).not.toContain('s3cret')
    expect(text).toContain('socks5://qa@gw.corp:1080')
    expect(await store.get()).toEqual(chosen)
  })

  it('a host that cannot open them (the web host on the same home) uses the addresses without the passwords', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'bu-settings-secrets-'))
    await new SettingsStore(home, keychain).save(chosen)
    const read = await new SettingsStore(home, null).get()
    expect(read).toMatchObject({ proxyUrl: 'socks5://qa@gw.corp:1080', teamLedger: 'postgresql://team@db.corp:5432/ledger' })
  })

  it('without a sealer they stay in the owner-only file, as before', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'bu-settings-secrets-'))
    const store = new SettingsStore(home, null)
    await store.save(chosen)
    expect(await store.get()).toEqual(chosen)
  })
})
