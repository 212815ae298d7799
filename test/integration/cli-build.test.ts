/**
 * The compiled CLI (scripts/build-cli.js, run by `npm install` as `prepare`): bin/bulk-upload.js
 * runs it while it matches the source and falls back to the TypeScript source as soon as any
 * bundled file changes, so an edit never runs old code. Done on a copy of the repository
 * (node_modules linked) so the worktree's own build is left alone; the copy sits four folders
 * deeper than the temp folder and the build is started from `/`, so nothing depends on where
 * a clone sits or where the command is started (esbuild's paths are relative to its working
 * directory, which once made the build fail on clones at another depth).
 */
import { execFile, execFileSync } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasSox, skipWithReason } from '../helpers/system'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const DESCRIPTION = 'Send call recordings and their CSV metadata to the evaluagent QA platform over SFTP.'
let top = ''
let copy = ''

function run(file: string, args: string[], nodeArgs: string[] = [], cwd = copy): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env }
  delete env.BULK_UPLOAD_FROM_SOURCE // set for every other test; this one is about the build
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgs, path.join(copy, file), ...args], { env, cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })
    })
  })
}

beforeAll(async () => {
  top = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-build-'))
  copy = path.join(top, 'a', 'b', 'c', 'app')
  await mkdir(copy, { recursive: true })
  for (const part of ['src', 'main', 'bin', 'scripts', 'package.json', 'tsconfig.json']) {
    await cp(path.join(REPO, part), path.join(copy, part), { recursive: true })
  }
  await symlink(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'))
  const built = await run('scripts/build-cli.js', [], [], path.parse(copy).root)
  expect(built.stderr).toBe('')
  expect(built.code).toBe(0)
})
afterAll(async () => {
  if (top) await rm(top, { recursive: true, force: true })
})

describe('compiled CLI', () => {
  it('names its inputs relative to the repository, wherever the clone sits and the build is started', async () => {
    const { inputs } = JSON.parse(await readFile(path.join(copy, 'build', 'cli', 'inputs.json'), 'utf8')) as { inputs: Array<[string, number, number]> }
    expect(inputs.map(([file]) => file)).toContain('src/cli/main.ts')
    expect(inputs.every(([file]) => !file.startsWith('..') && !path.isAbsolute(file))).toBe(true)
  })

  it('a failed build leaves the previous build whole, and no half-written folder beside it', async () => {
    const cli = path.join(copy, 'build', 'cli')
    const before = { files: (await readdir(cli)).sort(), inputs: await readFile(path.join(cli, 'inputs.json'), 'utf8') }
    const source = path.join(copy, 'src', 'cli', 'exit-codes.ts')
    const good = await readFile(source, 'utf8')
    await writeFile(source, `${good}\nexport const broken = (\n`)
    try {
      const failed = await run('scripts/build-cli.js', [], [], os.tmpdir())
      expect(failed.code).toBe(1)
      expect(failed.stderr).toContain('build/cli was not rebuilt')
    } finally {
      await writeFile(source, good)
    }
    expect((await readdir(cli)).sort()).toEqual(before.files)
    expect(await readFile(path.join(cli, 'inputs.json'), 'utf8')).toBe(before.inputs)
    expect((await readdir(path.join(copy, 'build'))).filter((n) => n !== 'cli')).toEqual([])
    // Rebuilt once the source is whole again (the restored file is newer than the build).
    expect((await run('scripts/build-cli.js', [], [], os.tmpdir())).code).toBe(0)
  })

  it('runs the build while it is current, and the source once a bundled file changes', async () => {
    // Mark the build's own text, leaving the sources alone: the help must come from the build.
    // The bundle is cli.js (main.js runs it through the code cache, which an earlier run filled).
    const built = path.join(copy, 'build', 'cli', 'cli.js')
    await writeFile(built, (await readFile(built, 'utf8')).replace(DESCRIPTION, 'FROM THE BUILD'))
    const fromBuild = await run('bin/bulk-upload.js', ['--help'])
    expect(fromBuild.code).toBe(0)
    expect(fromBuild.stdout).toContain('FROM THE BUILD')
    expect(fromBuild.stdout).toContain('upload [options] <folder>')

    // An edit to a bundled source makes the build stale: the edited source runs.
    const source = path.join(copy, 'src', 'cli', 'main.ts')
    await writeFile(source, (await readFile(source, 'utf8')).replace(DESCRIPTION, 'FROM THE SOURCE'))
    const fromSource = await run('bin/bulk-upload.js', ['--help'])
    expect(fromSource.code).toBe(0)
    expect(fromSource.stdout).toContain('FROM THE SOURCE')
  })

  it('checks a folder of WAVs and MP3s without loading music-metadata (~140 ms), which only unusual files need', async () => {
    // A resolve hook in the child names every music-metadata module it loads.
    const hook = path.join(copy, 'log-loads.mjs')
    const resolveHook = `export async function resolve(s, c, n) { const r = await n(s, c); if (r.url.includes('/node_modules/music-metadata/')) process.stderr.write('LOADED ' + r.url + '\\n'); return r }`
    await writeFile(hook, `import { register } from 'node:module'\nregister('data:text/javascript,' + ${JSON.stringify(encodeURIComponent(resolveHook))})\n`)
    const control = await run('log-loads.mjs', [], ['--import', hook, '--input-type=module', '-e', "await import('music-metadata')"])
    expect(control.stderr).toContain('LOADED')

    const { generateBatch } = await import('../fixtures/generate-batch')
    const batch = await generateBatch(path.join(copy, 'batch'), { rows: 20, recordingBytes: 16_384, format: 'mixed' })
    const out = await run('bin/bulk-upload.js', ['check', batch.dir, '--json'], ['--import', hook])
    expect(out.code).toBe(0)
    expect(JSON.parse(out.stdout).eligible).toBe(20)
    expect(out.stderr).not.toContain('LOADED')
  })

  it.skipIf(skipWithReason(hasSox(), 'compiled CLI: a check from the code cache (writes its FLAC with sox)'))('runs a command a second time from the code cache the first stored, with the same result', async () => {
    // A FLAC needs music-metadata, a package published only as ES modules: imported from the cached bundle.
    const batch = path.join(copy, 'flac-batch')
    await mkdir(batch)
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', path.join(batch, 'call.flac'), 'synth', '6', 'sine', '440'])
    await writeFile(path.join(batch, 'calls.csv'), 'Contact Reference,Agent ID,Contact Date,Audio filename\nCR1,agent@example.com,2024-05-03T09:27:23+00:00,call.flac\n')
    // Built again, since an earlier test edited the source: the build runs, and its cache starts empty.
    expect((await run('scripts/build-cli.js', [], [], os.tmpdir())).code).toBe(0)
    const cacheDir = path.join(copy, 'build', 'cli', 'code-cache')
    const entries = async (): Promise<Map<string, number>> =>
      new Map(await Promise.all((await readdir(cacheDir).catch(() => [] as string[])).map(async (n) => [n, (await stat(path.join(cacheDir, n))).mtimeMs] as const)))

    expect((await entries()).size).toBe(0)
    const first = await run('bin/bulk-upload.js', ['check', batch, '--json'])
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    const stored = await entries()
    expect(stored.size).toBeGreaterThan(0)

    const second = await run('bin/bulk-upload.js', ['check', batch, '--json'])
    expect(second.stderr).toBe('')
    expect(second.code).toBe(0)
    expect(second.stdout).toBe(first.stdout)
    const report = JSON.parse(second.stdout) as { eligible: number; totalSeconds?: number }
    expect(report.eligible).toBe(1)
    // Every entry was taken as it was: one refused or damaged would have been written again.
    expect(await entries()).toEqual(stored)
  })

  it('runs a command through the build', async () => {
    const out = await run('bin/bulk-upload.js', ['key', 'check', path.join(copy, 'no-such-key')])
    expect(out.code).toBe(2)
    expect(out.stderr).toContain('could not be found')
  })
})
