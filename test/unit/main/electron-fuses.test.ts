/**
 * electron-builder.yml flips Electron's fuses in the packed app. The configuration is read
 * through electron-builder's own loader (what `npm run dist` sees, not a regex over the YAML);
 * its keys are checked against the schema shipped with the installed electron-builder (some
 * versions ignore unknown keys without a word), and every fuse the installed @electron/fuses
 * defines must be set on purpose, so a fuse added by an Electron upgrade is not left at its
 * permissive default unnoticed.
 */
import { describe, expect, it } from 'vitest'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const REPO = fileURLToPath(new URL('../../..', import.meta.url))

/** The packed app's fuses as electron-builder loads them. */
async function loadedFuses(): Promise<Record<string, unknown>> {
  const { getConfig } = require('app-builder-lib/out/util/config/config') as {
    getConfig(dir: string, file: string, options: null): Promise<{ electronFuses?: Record<string, unknown> | null }>
  }
  const config = await getConfig(REPO, 'electron-builder.yml', null)
  return config.electronFuses ?? {}
}

/** `RunAsNode` → `runAsNode`: electron-builder's key for a fuse of @electron/fuses. */
const keyOf = (fuse: string): string => fuse[0]!.toLowerCase() + fuse.slice(1)

describe('electron-builder.yml fuses', () => {
  it('sets every hardening fuse, with key names the installed electron-builder knows', async () => {
    const fuses = await loadedFuses()
    expect(fuses).toEqual({
      // On by choice: the installed `bulk-upload` launcher runs the app binary as Node (see the YAML's comment).
      runAsNode: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      // Pages come from app://, never file://: file:// gets no privilege beyond a browser's.
      grantFileProtocolExtraPrivileges: false,
      loadBrowserProcessSpecificV8Snapshot: false,
    })
    const schema = JSON.parse(await readFile(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as {
      definitions: Record<string, { properties?: Record<string, { type?: string }> }>
    }
    const fuseKeys = Object.entries(schema.definitions).find(([, d]) => d.properties?.onlyLoadAppFromAsar !== undefined)?.[1].properties ?? {}
    for (const key of Object.keys(fuses)) expect(fuseKeys[key]?.type, key).toBe('boolean')
  })

  it('leaves no fuse of the installed Electron at its default', async () => {
    const { FuseV1Options } = require('@electron/fuses') as { FuseV1Options: Record<string, string | number> }
    const known = Object.keys(FuseV1Options).filter((k) => Number.isNaN(Number(k))).map(keyOf)
    expect(known).toContain('grantFileProtocolExtraPrivileges')
    const fuses = await loadedFuses()
    for (const key of known) expect(typeof fuses[key], `${key} is not set in electron-builder.yml`).toBe('boolean')
  })
})
