#!/usr/bin/env node
/**
 * Builds the `bulk-upload` command into build/cli with esbuild (run by `npm install` as
 * `prepare`): a user's CLI starts from JavaScript instead of transpiling TypeScript on every
 * run. Each command's heavy part is a dynamic import, so esbuild splits it into its own chunk
 * and `--help` loads none of them. npm packages stay external (installed beside it).
 *
 * build/cli/inputs.json lists every source file bundled with its mtime and size:
 * bin/bulk-upload.js runs the build only while all of them are unchanged, so an edit never
 * runs old code. build/ is not in git.
 * Usage: node scripts/build-cli.js
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { rm, stat, writeFile } from 'node:fs/promises'
import { build } from 'esbuild'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
// Two levels below the repository, like build/main: main/web-host finds build/renderer as
// '../../build/renderer' from its own file, which stays true from build/cli.
const OUTDIR = path.join(ROOT, 'build', 'cli')

await rm(OUTDIR, { recursive: true, force: true })
const result = await build({
  entryPoints: { main: path.join(ROOT, 'src', 'cli', 'main.ts') },
  outdir: OUTDIR,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
})
const inputs = []
for (const file of Object.keys(result.metafile.inputs)) {
  const s = await stat(path.join(ROOT, file))
  inputs.push([file, s.mtimeMs, s.size])
}
await writeFile(path.join(OUTDIR, 'inputs.json'), JSON.stringify({ inputs }) + '\n')
console.log(`Built build/cli (${inputs.length} source files)`)
