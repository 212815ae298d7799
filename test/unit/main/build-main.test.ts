/**
 * The bundled main process must load as an ES module in plain Node: the tests run the sources
 * through tsx, which forgives what Node's ESM loader does not (a named import of a CommonJS
 * package's export that Node cannot detect would only fail when the app starts). `electron`
 * is replaced by a stub through a loader hook; the stub refuses the single-instance lock, so
 * the process quits as soon as the module graph has linked and run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { buildMain } from '../../../scripts/build-main'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bu-build-main-'))
  await buildMain(path.join(dir, 'main'))
  // Every other name the bundle imports from electron is stubbed as an empty object, read
  // from the bundle itself, so a new electron import (Tray, nativeImage…) needs no edit here.
  const bundled = await readFile(path.join(dir, 'main', 'electron-main.js'), 'utf8')
  const imported = new Set<string>()
  for (const m of bundled.matchAll(/import\s*\{([^}]*)\}\s*from\s*"electron"/g)) {
    for (const part of m[1].split(',')) { const name = part.trim().split(/\s+as\s+/)[0]; if (name) imported.add(name) }
  }
  const behaving = ['app', 'protocol', 'BrowserWindow', 'ipcMain']
  const inert = [...imported].filter((name) => !behaving.includes(name))
  await writeFile(path.join(dir, 'stub-electron.mjs'), `
const noop = () => undefined
export const app = { isPackaged: false, requestSingleInstanceLock: () => false, on: noop, whenReady: () => new Promise(() => {}), quit: () => console.log('LINKED'), exit: noop }
export const protocol = { registerSchemesAsPrivileged: noop, handle: noop }
export class BrowserWindow {}
export const ipcMain = { handle: noop }
${inert.map((name) => `export const ${name} = {}`).join('\n')}
`)
  await writeFile(path.join(dir, 'hooks.mjs'), `
export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: new URL('./stub-electron.mjs', import.meta.url).href, shortCircuit: true }
  return next(specifier, context)
}
`)
  await writeFile(path.join(dir, 'register.mjs'), `import { register } from 'node:module'\nregister('./hooks.mjs', import.meta.url)\n`)
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('build/main', () => {
  it('electron-main.js links and runs as an ES module in plain Node', async () => {
    // Placed inside the repository so its bare imports resolve from node_modules, as in the app.
    const buildDir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'build')
    await mkdir(buildDir, { recursive: true })
    const bundle = path.join(buildDir, `main-link-check-${process.pid}.mjs`)
    await writeFile(bundle, await readFile(path.join(dir, 'main', 'electron-main.js')))
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', path.join(dir, 'register.mjs'), bundle], {
        env: { ...process.env, BULK_UPLOAD_HOME: path.join(dir, 'home') },
      })
      expect(stdout).toContain('LINKED')
    } finally {
      await rm(bundle, { force: true })
    }
  })

  it('preload.cjs is CommonJS needing nothing but electron', async () => {
    const text = await readFile(path.join(dir, 'main', 'preload.cjs'), 'utf8')
    const required = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])
    expect([...new Set(required)]).toEqual(['electron'])
    expect(text).not.toMatch(/^import /m)
  })
})
