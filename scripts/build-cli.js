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
import { build } from 'esbuild'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
// Two levels below the repository, like build/main: main/web-host finds build/renderer as
// '../../build/renderer' from its own file, which stays true from build/cli. The staging
// folder sits at the same depth, so the source maps' relative paths stay right after the swap.
const OUTDIR = path.join(ROOT, 'build', 'cli')
const NEXT = path.join(ROOT, 'build', `cli-next-${process.pid}`)
const OLD = path.join(ROOT, 'build', `cli-old-${process.pid}`)

try {
  await rm(NEXT, { recursive: true, force: true })
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: path.join(ROOT, 'src', 'cli', 'main.ts') },
    outdir: NEXT,
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
  await writeFile(path.join(NEXT, 'inputs.json'), JSON.stringify({ inputs }) + '\n')
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
