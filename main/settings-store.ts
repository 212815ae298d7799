/**
 * The user's settings, as JSON in the app home (owner-only: a proxy URL may hold a login; the
 * desktop app seals the passwords, settings-secrets.ts). The defaults live here and only here.
 */
import path from 'node:path'
import { DEFAULT_LEDGER_RETENTION_DAYS, type Settings } from '../src/api'
import { readJson, writeJson } from './json-file'
import { settings as checkSettings } from './validate-payload'
import { log } from './log'
import { openSettings, sealSettings, type SecretSealer } from './settings-secrets'

/** The settings a fresh install starts with (see `Settings` in src/api.ts). */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  // Automatic: chosen from the link when each upload starts.
  concurrency: null,
  retentionDays: 30,
  ledgerRetentionDays: DEFAULT_LEDGER_RETENTION_DAYS,
  bandwidthLimit: '',
  // The system's proxy, as a browser on this computer would use for the server (issue 11).
  proxy: 'system',
  proxyUrl: '',
  // This computer's own ledger; a team ledger is chosen by an address IT gives (issue 27).
  teamLedger: '',
} satisfies Settings)

export class SettingsStore {
  readonly file: string

  /** @param sealer seals the addresses' passwords in the file (Electron's safeStorage); null keeps them in it, owner-only */
  constructor(home: string, private readonly sealer: SecretSealer | null = null) {
    this.file = path.join(home, 'settings.json')
  }

  /** The saved settings; a missing or damaged file gives the defaults (a damaged one is logged). */
  async get(): Promise<Settings> {
    let saved: unknown
    try {
      saved = await readJson(this.file)
    } catch (err) {
      log('warn', `settings file ${this.file} is unreadable; using the defaults`, err)
      return { ...DEFAULT_SETTINGS }
    }
    if (saved === undefined) return { ...DEFAULT_SETTINGS }
    const { settings, lost } = openSettings(saved as Record<string, unknown>, this.sealer)
    if (lost.length > 0) log('warn', `settings ${lost.join(', ')}: the saved password cannot be opened on this host; the address is used without it`)
    try {
      // Fields added in later versions fall back to their defaults.
      return checkSettings({ ...DEFAULT_SETTINGS, ...settings })
    } catch (err) {
      log('warn', `settings file ${this.file} holds invalid values; using the defaults`, err)
      return { ...DEFAULT_SETTINGS }
    }
  }

  /** Checks and saves; returns what was saved. */
  async save(value: Settings): Promise<Settings> {
    const checked = checkSettings(value)
    await writeJson(this.file, sealSettings(checked, this.sealer))
    return checked
  }
}
