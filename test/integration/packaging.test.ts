/**
 * The installed desktop app carries its command line (electron-builder.yml). The Electron
 * binary cannot be downloaded on these machines, so `electron-builder --dir` cannot run here;
 * instead: electron-builder's own loader and schema accept the configuration, every package
 * build/cli imports (and everything those need) is packed, the launchers land where
 * src/cli-launcher.ts looks and name the binary the configuration makes, and the POSIX launcher
 * runs the CLI, arguments and exit code intact, from a mock installed layout reached through a
 * /usr/bin-style link, with a stand-in for the app binary that behaves as Node only under
 * ELECTRON_RUN_AS_NODE=1.
 */
import { execFile } from 'node:child_process'
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { builtinModules, createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { minimatch } from 'minimatch'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launcherName } from '../../src/cli-launcher'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const require = createRequire(import.meta.url)
let tmp = ''

interface Config {
  productName: string
  /** As electron-builder's loader normalises it: one file set with its patterns. */
  files: Array<string | { filter: string[] }>
  extraResources?: Array<{ from: string; to: string }>
  linux: { executableName: string; extraResources: Array<{ from: string; to: string }> }
  mac: { extraResources: Array<{ from: string; to: string }> }
  win: { extraResources: Array<{ from: string; to: string }> }
  nsis: { include: string }
  deb: { afterInstall: string; afterRemove: string }
  rpm: { afterInstall: string; afterRemove: string }
  electronFuses: { runAsNode: boolean }
}
let config: Config

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { PATH: process.env.PATH, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })
    })
  })
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-packaging-'))
  // electron-builder's own loader, and the schema it checks every configuration against.
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
    getConfig(dir: string, file: string, options: null): Promise<Config>
    validateConfiguration(c: Config, logger: unknown): Promise<void>
  }
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown }
  config = await getConfig(REPO, 'electron-builder.yml', null)
  await validateConfiguration(config, new DebugLogger(false))
  // A fresh build of the CLI, on a copy so the worktree's own build is left alone.
  for (const part of ['src', 'main', 'bin', 'scripts', 'package.json', 'tsconfig.json']) await cp(path.join(REPO, part), path.join(tmp, 'app', part), { recursive: true })
  await symlink(path.join(REPO, 'node_modules'), path.join(tmp, 'app', 'node_modules'))
  const built = await run(process.execPath, [path.join(tmp, 'app', 'scripts', 'build-cli.js')])
  expect(built.stderr).toBe('')
}, 120_000)
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

/** Whether electron-builder's `files` patterns keep `file` (a path inside the app). */
function packed(file: string): boolean {
  let kept = false
  const patterns = config.files.flatMap((f) => (typeof f === 'string' ? [f] : f.filter))
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (minimatch(file, pattern.slice(1), { dot: true })) kept = false
    } else if (minimatch(file, pattern, { dot: true }) || file.startsWith('node_modules/')) {
      // electron-builder packs production dependencies whatever the positive patterns say.
      kept = true
    }
  }
  return kept
}

/** The package a bare import names: `@scope/name/sub` → `@scope/name`. */
const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/')

/** Packages and everything they need in turn (optional ones where installed), from node_modules. */
async function closure(roots: string[]): Promise<Set<string>> {
  const seen = new Set<string>()
  const queue = [...roots]
  while (queue.length > 0) {
    const name = queue.shift()!
    if (seen.has(name)) continue
    let meta: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }
    try {
      meta = JSON.parse(await readFile(path.join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as typeof meta
    } catch {
      continue // an optional dependency not installed on this system (the packed app has none either)
    }
    seen.add(name)
    queue.push(...Object.keys({ ...meta.dependencies, ...meta.optionalDependencies }))
  }
  return seen
}

describe('packaging (electron-builder.yml)', () => {
  it('packs build/cli and every package it imports, with everything those packages need', async () => {
    const dir = path.join(tmp, 'app', 'build', 'cli')
    const imports = new Set<string>()
    for (const name of (await readdir(dir)).filter((n) => n.endsWith('.js'))) {
      const text = await readFile(path.join(dir, name), 'utf8')
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*|\brequire\s*\(\s*)["']((?:@[\w.~-]+\/)?[\w~-][\w.~-]*(?:\/[\w.~/-]*)?)["']/gm)) {
        // Bundled CommonJS packages name Node's own modules without the node: prefix.
        if (!m[1]!.startsWith('node:') && !builtinModules.includes(packageOf(m[1]!))) imports.add(packageOf(m[1]!))
      }
      expect(packed(`build/cli/${name}`), `build/cli/${name}`).toBe(true)
    }
    // The native addons stay packages of their own (pure-JavaScript ones are bundled in).
    expect([...imports]).toEqual(expect.arrayContaining(['ssh2', 'better-sqlite3']))

    // Only production dependencies and what they need are packed: every import must be among them.
    const manifest = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
    const production = await closure(Object.keys(manifest.dependencies))
    expect([...imports].filter((p) => !production.has(p)), 'imported by build/cli but not a production dependency').toEqual([])

    const seen = await closure([...imports])
    const left = [...seen].filter((name) => !packed(`node_modules/${name}/package.json`))
    expect(left, 'needed by build/cli but left out of the packed app').toEqual([])
  })

  it('puts the launchers where the app looks for them, naming the binary the configuration makes', async () => {
    expect(config.electronFuses.runAsNode, 'the launchers run the app binary with ELECTRON_RUN_AS_NODE').toBe(true)
    const resources = (platform: 'linux' | 'mac' | 'win') => [...(config.extraResources ?? []), ...config[platform].extraResources]
    for (const [platform, os_] of [['linux', 'linux'], ['mac', 'darwin'], ['win', 'win32']] as const) {
      const entry = resources(platform).find((r) => r.to === `bin/${launcherName(os_)}`)
      expect(entry, platform).toBeDefined()
      await readFile(path.join(REPO, entry!.from))
    }
    const sh = await readFile(path.join(REPO, config.linux.extraResources[0]!.from), 'utf8')
    expect(sh).toContain(`$resources/../${config.linux.executableName}`)
    expect(sh).toContain(`$resources/../MacOS/${config.productName}`)
    expect(sh).toContain('$resources/app.asar/build/cli/main.js')
    const cmd = await readFile(path.join(REPO, config.win.extraResources[0]!.from), 'utf8')
    expect(cmd).toContain(`"%~dp0..\\..\\${config.productName}.exe" "%~dp0..\\app.asar\\build\\cli\\main.js" %*`)
    expect(cmd).toContain('\r\n')
    expect(packed('build/cli/main.js')).toBe(true)
    // The build is CommonJS inside a package whose own package.json says "module": its package.json says so.
    expect(packed('build/cli/package.json')).toBe(true)
    expect(JSON.parse(await readFile(path.join(tmp, 'app', 'build', 'cli', 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' })
    // This clone's code cache is never packed (src/cli/code-cache.ts).
    expect(packed('build/cli/code-cache/0123abcd.bin')).toBe(false)
  })

  it('writes the installer hooks the configuration names: the /usr/bin/bulk-upload link and the user PATH', async () => {
    const out = path.join(tmp, 'app', 'build', 'packaging')
    const wrote = await run(process.execPath, [path.join(tmp, 'app', 'scripts', 'packaging-hooks.js')])
    expect(wrote.code).toBe(0)
    for (const file of [config.deb.afterInstall, config.deb.afterRemove, config.rpm.afterInstall, config.rpm.afterRemove, config.nsis.include]) {
      expect(file.startsWith('build/packaging/'), file).toBe(true)
      await readFile(path.join(out, path.basename(file)))
    }
    const install = await readFile(path.join(out, 'linux-after-install.tpl'), 'utf8')
    // electron-builder's own script is kept whole (the app's link, chrome-sandbox, AppArmor).
    const template = await readFile(path.join(path.dirname(require.resolve('app-builder-lib/package.json')), 'templates', 'linux', 'after-install.tpl'), 'utf8')
    expect(install.startsWith(template.trimEnd())).toBe(true)
    expect(install).toContain("ln -sf '/opt/${sanitizedProductName}/resources/bin/bulk-upload' '/usr/bin/bulk-upload'")
    expect(await readFile(path.join(out, 'linux-after-remove.tpl'), 'utf8')).toContain("rm -f '/usr/bin/bulk-upload'")
    const nsh = await readFile(path.join(out, 'installer.nsh'), 'utf8')
    expect(nsh).toMatch(/!macro customInstall\r\n[\s\S]*WriteRegExpandStr HKCU "Environment" "Path"/)
    expect(nsh).toMatch(/!macro customUnInstall\r\n\s+\$\{IfNot\} \$\{isUpdated\}/)
    expect(nsh).not.toContain('%{')
  })

  it('the installed launcher runs the CLI through a /usr/bin link: arguments, output and exit code intact', async () => {
    const opt = path.join(tmp, 'opt', config.productName)
    const asarCli = path.join(opt, 'resources', 'app.asar', 'build', 'cli')
    await mkdir(asarCli, { recursive: true })
    await mkdir(path.join(opt, 'resources', 'bin'), { recursive: true })
    await mkdir(path.join(tmp, 'usr', 'bin'), { recursive: true })
    const launcher = path.join(opt, 'resources', 'bin', 'bulk-upload')
    await cp(path.join(REPO, config.linux.extraResources[0]!.from), launcher)
    await chmod(launcher, 0o755)
    // The app binary's stand-in: Node only as ELECTRON_RUN_AS_NODE=1 asks, else "a window".
    const app = path.join(opt, config.linux.executableName)
    await writeFile(app, `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo "opened a window" >&2; exit 99; }\nexec '${process.execPath}' "$@"\n`)
    await chmod(app, 0o755)
    await writeFile(path.join(asarCli, 'main.js'), `process.stdout.write(JSON.stringify({ args: process.argv.slice(2), launcher: process.env.BULK_UPLOAD_LAUNCHER }))\nprocess.exit(3)\n`)
    const link = path.join(tmp, 'usr', 'bin', 'bulk-upload')
    await symlink(launcher, link)

    const out = await run(link, ['job', 'run', 'night shift', '--json'])
    expect(out.stderr).toBe('')
    expect(out.code).toBe(3)
    expect(JSON.parse(out.stdout)).toEqual({ args: ['job', 'run', 'night shift', '--json'], launcher: link })
  })
})
