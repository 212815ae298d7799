#!/usr/bin/env node
/**
 * Builds the `bulk-upload` command into build/cli with esbuild (run by `npm install` as
 * `prepare`): a user's CLI starts from JavaScript instead of transpiling TypeScript on every
 * run. The build is CommonJS, two files: build/cli/main.js (src/cli/launch.ts) runs
 * build/cli/cli.js (the command line, src/cli/main.ts) through V8's code cache, which Node 20
 * offers only to CommonJS scripts; a one-file upload's CPU fell by about 0.1 s (0.54 -> 0.44 s,
 * 15 interleaved pairs against the split ES-module build it replaces). A package.json there
 * says so, since the repository's says "module". Each command's module is still loaded only
 * when that command runs (esbuild's lazy wrappers), but the whole bundle is one file.
 *
 * Pure-JavaScript packages every upload loads (key parsing, the CSV, the command line) are
 * bundled in: loaded from node_modules, each of their files was resolved, read, wrapped and
 * scanned for exports (Node's ESM loader runs a lexer over every CommonJS file it imports),
 * about 0.1 s of CPU on every command. The rest stays external, installed beside the build:
 * native addons (better-sqlite3; ssh2, whose crypto binding is found beside its own files),
 * packages with optional native parts (pg, ws), and those only some commands load.
 *
 * build/cli/inputs.json lists every source file bundled with its mtime and size:
 * bin/bulk-upload.js runs the build only while all of them are unchanged, so an edit never
 * runs old code. build/ is not in git.
 *
 * Works from any working directory: esbuild runs with the repository as its working directory,
 * so the metafile's input paths are relative to the repository (what inputs.json and
 * bin/bulk-upload.js mean), wherever the clone sits and wherever the command is started.
 * The new build is written beside the old one (build/cli-next-PID) and swapped in only once
 * complete, so a failed build leaves the previous one as it was, never a half state.
 * Usage: node scripts/build-cli.js
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { rename, rm, stat, writeFile } from 'node:fs/promises'
import { builtinModules } from 'node:module'
import { build } from 'esbuild'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
// Two levels below the repository, like build/main: main/web-host finds build/renderer as
// '../../build/renderer' from its own file, which stays true from build/cli. The staging
// folder sits at the same depth, so the source maps' relative paths stay right after the swap.
const OUTDIR = path.join(ROOT, 'build', 'cli')
const NEXT = path.join(ROOT, 'build', `cli-next-${process.pid}`)
const OLD = path.join(ROOT, 'build', `cli-old-${process.pid}`)

/** Bundled into build/cli, with every package they need (see above). */
const BUNDLED = new Set(['commander', 'sshpk', 'iconv-lite', '@noble/hashes', 'papaparse', 'luxon', 'bcrypt-pbkdf'])
const BUILTIN = new Set(builtinModules)

/** `@scope/name/sub` -> `@scope/name`; `name/sub` -> `name`. */
const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/')

/** Keeps every npm package external except BUNDLED and what they import. */
const bundleOnlyListed = {
  name: 'bundle-only-listed',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || BUILTIN.has(packageOf(args.path))) return { external: true }
      const insideBundledPackage = args.importer.includes(`${path.sep}node_modules${path.sep}`)
      return BUNDLED.has(packageOf(args.path)) || insideBundledPackage ? undefined : { external: true }
    })
  },
}

try {
  await rm(NEXT, { recursive: true, force: true })
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: path.join(ROOT, 'src', 'cli', 'launch.ts'), cli: path.join(ROOT, 'src', 'cli', 'main.ts') },
    outdir: NEXT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [bundleOnlyListed],
    // The sources are ES modules: import.meta.url is the bundle file's own URL, as it was when
    // each ran from its own file (paths relative to it stay right: build/cli sits two levels
    // down, like the source).
    define: { 'import.meta.url': '__bulkUploadFileUrl' },
    banner: { js: "var __bulkUploadFileUrl = require('node:url').pathToFileURL(__filename).href;" },
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  })
  const inputs = []
  // The project's own files: bundled packages change only through npm install, which rebuilds
  // (`prepare`), and may sit outside the repository (a linked node_modules).
  for (const file of Object.keys(result.metafile.inputs).filter((f) => !f.split('/').includes('node_modules'))) {
    const s = await stat(path.join(ROOT, file))
    inputs.push([file, s.mtimeMs, s.size])
  }
  await writeFile(path.join(NEXT, 'inputs.json'), JSON.stringify({ inputs }) + '\n')
  await writeFile(path.join(NEXT, 'package.json'), JSON.stringify({ type: 'commonjs' }) + '\n')
  // The swap: for the moment between the two renames there is no build/cli, and
  // bin/bulk-upload.js runs the source, which is always right.
  await rename(OUTDIR, OLD).catch((err) => {
    if (err.code !== 'ENOENT') throw err
  })
  await rename(NEXT, OUTDIR)
  await rm(OLD, { recursive: true, force: true })
  console.log(`Built build/cli (${inputs.length} source files)`)
} catch (err) {
  await rm(NEXT, { recursive: true, force: true })
  // A failed swap put the old build aside: put it back.
  await rename(OLD, OUTDIR).catch(() => undefined)
  console.error(`build/cli was not rebuilt (the previous build, if any, is unchanged): ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
}
