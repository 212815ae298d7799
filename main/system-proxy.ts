/**
 * The desktop app's default proxy: the system's, as Electron's `session.resolveProxy` reports
 * it for the SFTP host (a PAC script, WPAD or the OS settings). It answers in PAC form
 * ("PROXY host:port; SOCKS5 host:port; DIRECT"); the first entry an SSH connection can use is
 * taken. Behind a small interface, so it is tested without the Electron binary.
 */
import type { Settings } from '../src/api'
import { parseProxyUrl, proxyFromOptions, type ProxySpec } from '../src/ssh/proxy'

/** What the app needs of Electron's session (`session.defaultSession` satisfies it). */
export interface ProxyResolver {
  resolveProxy(url: string): Promise<string>
}

/**
 * One PAC result to a proxy: PROXY/HTTPS entries are HTTP CONNECT, SOCKS5 is socks5h (the
 * proxy resolves names, as the browser's does). SOCKS (version 4) is not spoken: skipped.
 * DIRECT first, or nothing usable: null (connect directly).
 */
export function proxyFromPac(result: string): ProxySpec | null {
  for (const entry of result.split(';').map((e) => e.trim()).filter(Boolean)) {
    const [kind = '', where = ''] = entry.split(/\s+/)
    const upper = kind.toUpperCase()
    if (upper === 'DIRECT') return null
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(where)
    if (!m) continue
    const host = m[1]!
    const port = Number(m[2])
    if (upper === 'PROXY' || upper === 'HTTPS') return { kind: 'http', host, port }
    if (upper === 'SOCKS5') return { kind: 'socks5h', host, port }
  }
  return null
}

/** The system's proxy for an SFTP server; a resolver that fails means a direct connection. */
export async function systemProxyFor(resolver: ProxyResolver, host: string, port: number): Promise<ProxySpec | null> {
  const address = host.includes(':') ? `[${host}]` : host
  const result = await resolver.resolveProxy(`https://${address}:${port}`).catch(() => 'DIRECT')
  return proxyFromPac(result)
}

/** Finds the system's proxy for an SFTP server: Electron's session, or the environment. */
export type SystemProxyLookup = (host: string, port: number) => Promise<ProxySpec | null>

/** Without Electron (the web host): ALL_PROXY / HTTPS_PROXY, read as the CLI reads them. */
export function environmentProxy(env: NodeJS.ProcessEnv = process.env): SystemProxyLookup {
  return () => Promise.resolve(proxyFromOptions({}, env))
}

/**
 * The proxy one connection to `host:port` uses under the user's setting (Settings.proxy):
 * none, the given URL, or the system's for that server. Every connection the app opens for a
 * destination asks here (test, trust, upload), so none of them goes another way.
 */
export async function proxyForSettings(settings: Pick<Settings, 'proxy' | 'proxyUrl'>, host: string, port: number, system: SystemProxyLookup): Promise<ProxySpec | null> {
  if (settings.proxy === 'none') return null
  if (settings.proxy === 'url') return parseProxyUrl(settings.proxyUrl, 'settings.proxyUrl')
  return system(host, port)
}
