/**
 * electron-builder.yml flips Electron's fuses in the packed app. electron-builder reads keys it
 * does not know without complaint in some versions, so the keys are checked against the
 * schema shipped with the installed electron-builder, and the values against what we mean.
 */
import { describe, expect, it } from 'vitest'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

describe('electron-builder.yml fuses', () => {
  it('sets every hardening fuse, with key names the installed electron-builder knows', async () => {
    // The block is flat `key: true|false` lines: read it without a YAML library of our own.
    const text = await readFile('electron-builder.yml', 'utf8')
    const block = /^electronFuses:\n((?:[ ]+\S.*\n?)+)/m.exec(text)?.[1] ?? ''
    const config = { electronFuses: Object.fromEntries([...block.matchAll(/^\s+(\w+):\s*(true|false)\s*$/gm)].map((m) => [m[1], m[2] === 'true'])) }
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    })
    const schema = JSON.parse(await readFile(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as {
      definitions: Record<string, { properties?: Record<string, { type?: string }> }>
    }
    const fuseKeys = Object.entries(schema.definitions).find(([, d]) => d.properties?.onlyLoadAppFromAsar !== undefined)?.[1].properties ?? {}
    for (const key of Object.keys(config.electronFuses ?? {})) expect(fuseKeys[key]?.type, key).toBe('boolean')
  })
})
