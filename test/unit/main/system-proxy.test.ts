import { describe, expect, it } from 'vitest'
import { environmentProxy, proxyForSettings, proxyFromPac, systemProxyFor } from '../../../main/system-proxy'

describe('system proxy (session.resolveProxy)', () => {
  it('takes the first entry SSH can use from a PAC answer', () => {
    expect(proxyFromPac('DIRECT')).toBeNull()
    expect(proxyFromPac('PROXY proxy.corp:3128; DIRECT')).toEqual({ kind: 'http', host: 'proxy.corp', port: 3128 })
    expect(proxyFromPac('SOCKS old:1080; SOCKS5 gw.corp:1080')).toEqual({ kind: 'socks5h', host: 'gw.corp', port: 1080 })
    expect(proxyFromPac('HTTPS [fd00::1]:8443')).toEqual({ kind: 'http', host: 'fd00::1', port: 8443 })
    expect(proxyFromPac('DIRECT; PROXY p:1')).toBeNull()
    expect(proxyFromPac('')).toBeNull()
  })

  it('asks for the SFTP host and port; a failing resolver means a direct connection', async () => {
    const asked: string[] = []
    const resolver = { resolveProxy: (url: string) => (asked.push(url), Promise.resolve('PROXY 10.1.1.1:8080')) }
    expect(await systemProxyFor(resolver, 'sftp.evaluagent.com', 22)).toEqual({ kind: 'http', host: '10.1.1.1', port: 8080 })
    expect(asked).toEqual(['https://sftp.evaluagent.com:22'])
    expect(await systemProxyFor({ resolveProxy: () => Promise.reject(new Error('no session')) }, 'h', 22)).toBeNull()
  })

  it('follows the setting: none is direct, a URL is parsed, system asks the host (the web host: ALL_PROXY, HTTPS_PROXY)', async () => {
    const asked: string[] = []
    const system = (host: string, port: number) => (asked.push(`${host}:${port}`), Promise.resolve({ kind: 'http' as const, host: 'pac.corp', port: 3128 }))
    expect(await proxyForSettings({ proxy: 'none', proxyUrl: 'socks5://x:1' }, 'sftp.example', 22, system)).toBeNull()
    expect(await proxyForSettings({ proxy: 'url', proxyUrl: 'socks5h://qa:pw@gw:1080' }, 'sftp.example', 22, system)).toEqual({ kind: 'socks5h', host: 'gw', port: 1080, username: 'qa', password: 'pw' })
    expect(asked).toEqual([])
    expect(await proxyForSettings({ proxy: 'system', proxyUrl: '' }, 'sftp.example', 2222, system)).toEqual({ kind: 'http', host: 'pac.corp', port: 3128 })
    expect(asked).toEqual(['sftp.example:2222'])
    expect(await environmentProxy({ HTTPS_PROXY: 'http://proxy.corp:8080' })('h', 22)).toEqual({ kind: 'http', host: 'proxy.corp', port: 8080 })
    expect(await environmentProxy({ ALL_PROXY: 'socks5://a:1', HTTPS_PROXY: 'http://b:2' })('h', 22)).toMatchObject({ kind: 'socks5', host: 'a' })
    expect(await environmentProxy({})('h', 22)).toBeNull()
  })
})
