/**
 * Destinations as the core service's calls need them: a saved one or the sandbox (started on
 * demand), where to connect through which proxy, where its delivery ledger is, and the key to
 * log in with. Kept apart from the calls themselves (core-service.ts), which only use them.
 */
import path from 'node:path'
import type { Destination, DestinationRef } from '../src/api'
import { ensureDefaultKey, loadPrivateKeyForSsh } from '../src/keys'
import type { LedgerLocation } from '../src/ledger/ledger-location'
import type { HostAdapter } from './core-service'
import { DestinationsStore, SANDBOX_ID, sandboxDestination } from './destinations-store'
import { SANDBOX_KEY_NAME, SANDBOX_USERNAME, SandboxHost } from './sandbox-host'
import type { SettingsStore } from './settings-store'
import { environmentProxy, proxyForSettings } from './system-proxy'

export interface DestinationAccessDeps {
  home: string
  destinations: DestinationsStore
  sandboxHost: SandboxHost
  settings: SettingsStore
  host: HostAdapter
}

export class DestinationAccess {
  constructor(private readonly deps: DestinationAccessDeps) {}

  async sandboxDestination(start: boolean): Promise<Destination> {
    const port = start ? (await this.deps.sandboxHost.ensure()).port : await this.deps.sandboxHost.lastPort()
    return sandboxDestination({ port, username: SANDBOX_USERNAME, keyName: SANDBOX_KEY_NAME })
  }

  /** A destination by id, ready to connect to (the sandbox is started on demand). */
  async destination(id: string): Promise<Destination> {
    return id === SANDBOX_ID ? this.sandboxDestination(true) : this.deps.destinations.get(id)
  }

  /** A saved destination, or one being added or edited, as it would be saved (nothing is written). */
  async destinationOf(ref: DestinationRef): Promise<Destination> {
    if (typeof ref === 'string') return this.destination(ref)
    return { ...ref, id: ref.id ?? '', sandbox: false }
  }

  /** Where to connect for a destination, through the proxy the settings give for it. */
  async target(d: Destination, connects = true) {
    return { host: d.host, port: d.port, username: d.username, knownHostsPath: path.join(this.deps.home, 'known_hosts'), proxy: connects ? await this.proxyFor(d) : null }
  }

  async proxyFor(d: Destination) {
    // The sandbox runs in this process on 127.0.0.1: no proxy stands between them.
    if (d.sandbox) return null
    return proxyForSettings(await this.deps.settings.get(), d.host, d.port, this.deps.host.systemProxy ?? environmentProxy())
  }

  /**
   * Where a destination's delivery ledger is: the team ledger the settings name, else this
   * computer's own. The sandbox always keeps its own: every computer's sandbox is 127.0.0.1 on
   * a port of its own choosing, and one computer's trial batches must never count as
   * delivered for another's.
   */
  async ledgerFor(d: Destination): Promise<LedgerLocation> {
    if (d.sandbox) return null
    const { teamLedger } = await this.deps.settings.get()
    return teamLedger === '' ? null : teamLedger
  }

  async privateKey(keyName: string, passphrase: string | null): Promise<string> {
    if (keyName === SANDBOX_KEY_NAME) await ensureDefaultKey(this.deps.home)
    return loadPrivateKeyForSsh(keyName, passphrase, this.deps.home)
  }

}
