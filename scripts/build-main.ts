/**
 * Builds the Electron main process and preload into build/main with esbuild:
 * - electron-main.js: ESM (package.json is "type": "module"), src/ and main/ bundled in,
 *   npm packages left external (electron-builder packs the runtime dependencies);
 * - preload.cjs: CommonJS, because sandboxed preloads cannot be ES modules; only `electron`
 *   is external, everything else it needs (the call list) is bundled.
 * Usage: node bin/run-ts.js scripts/build-main.ts
 */
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { rm } from 'node:fs/promises'
import { build } from 'esbuild'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Builds both bundles into `outdir` (emptied first). */
export async function buildMain(outdir = path.join(ROOT, 'build', 'main')): Promise<void> {
  await rm(outdir, { recursive: true, force: true })
  await Promise.all([
    build({
      entryPoints: [path.join(ROOT, 'main', 'electron-main.ts')],
      outfile: path.join(outdir, 'electron-main.js'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: true,
      logLevel: 'warning',
    }),
    build({
      entryPoints: [path.join(ROOT, 'main', 'preload.ts')],
      outfile: path.join(outdir, 'preload.cjs'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['electron'],
      sourcemap: 'inline',
      logLevel: 'warning',
    }),
  ])
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await buildMain()
  console.log('Built build/main/electron-main.js and preload.cjs')
}
