import { describe, expect, it } from 'vitest'
import { parseProxyUrl, proxyFromOptions, redact } from '../../../src/ssh/proxy'

function detailsOf(f: () => unknown): string {
  try {
    f()
  } catch (err) {
    return (err as { details?: string }).details ?? ''
  }
  return 'no error'
}

describe('--proxy', () => {
  it('reads socks5, socks5h and http URLs with an optional login', () => {
    expect(parseProxyUrl('socks5://10.0.0.1:1081')).toEqual({ kind: 'socks5', host: '10.0.0.1', port: 1081 })
    expect(parseProxyUrl('socks5h://proxy.corp')).toEqual({ kind: 'socks5h', host: 'proxy.corp', port: 1080 })
    expect(parseProxyUrl('http://ann:p%40ss@proxy.corp:3128')).toEqual({ kind: 'http', host: 'proxy.corp', port: 3128, username: 'ann', password: 'p@ss' })
  })

  it('refuses other schemes without printing the password', () => {
    expect(detailsOf(() => parseProxyUrl('ftp://ann:secret@proxy:21'))).toMatch(/Expected `--proxy` to be socks5:\/\/.*ftp:\/\/ann:\*\*\*@proxy:21/)
    expect(detailsOf(() => parseProxyUrl('proxy:8080'))).toMatch(/Expected `--proxy`/)
    expect(redact('http://ann:secret@proxy:1')).toBe('http://ann:***@proxy:1')
  })

  it('defaults to ALL_PROXY, then HTTPS_PROXY; --no-proxy ignores both; --proxy wins', () => {
    const env = { ALL_PROXY: 'socks5://127.0.0.1:1', HTTPS_PROXY: 'http://127.0.0.1:2' }
    expect(proxyFromOptions({}, env)?.port).toBe(1)
    expect(proxyFromOptions({}, { https_proxy: 'http://127.0.0.1:2' })?.kind).toBe('http')
    expect(proxyFromOptions({ proxy: false }, env)).toBeNull()
    expect(proxyFromOptions({ proxy: 'http://127.0.0.1:3' }, env)?.port).toBe(3)
    expect(proxyFromOptions({}, {})).toBeNull()
  })
})

describe('the proxy password from the environment (issue 23, item 6)', () => {
  it('fills in BULK_UPLOAD_PROXY_PASSWORD for a proxy that names a user and no password', () => {
    const env = { BULK_UPLOAD_PROXY_PASSWORD: 'p@ss:word' }
    expect(proxyFromOptions({ proxy: 'socks5://qa@gw.corp:1080' }, env)).toEqual({ kind: 'socks5', host: 'gw.corp', port: 1080, username: 'qa', password: 'p@ss:word' })
    expect(proxyFromOptions({}, { ...env, ALL_PROXY: 'http://qa@gw.corp:3128' })?.password).toBe('p@ss:word')
    // A password in the URL wins; no user, no password; nothing set, nothing filled.
    expect(proxyFromOptions({ proxy: 'socks5://qa:given@gw.corp:1080' }, env)?.password).toBe('given')
    expect(proxyFromOptions({ proxy: 'socks5://gw.corp:1080' }, env)?.password).toBeUndefined()
    expect(proxyFromOptions({ proxy: 'socks5://qa@gw.corp:1080' }, {})?.password).toBeUndefined()
  })
})
