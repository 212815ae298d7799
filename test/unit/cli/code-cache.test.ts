/**
 * V8's code cache for the compiled command (src/cli/code-cache.ts): a second run starts from
 * what the first compiled, and nothing stale or damaged is ever run in place of the source.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CodeCache } from '../../../src/cli/code-cache'

let dir: string
let cacheDir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bu-code-cache-'))
  cacheDir = path.join(dir, 'cache')
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Loads `source` as a CommonJS file through a fresh cache (a new process, as far as the cache knows). */
async function run(source: string, tag = 'upload'): Promise<{ exports: unknown; cache: CodeCache }> {
  const file = path.join(dir, 'bundle.js')
  await writeFile(file, source)
  const cache = new CodeCache(cacheDir, tag)
  const exports = cache.load(file)
  return { exports, cache }
}

const entries = async (): Promise<string[]> => (await readdir(cacheDir).catch(() => [])).filter((n) => n.endsWith('.bin'))

describe('code cache', () => {
  it('stores what a run compiled, and the next run starts from it with the same result', async () => {
    const source = 'const add = (a, b) => a + b; module.exports = { total: [1, 2, 3].reduce(add, 0), dir: __dirname }'
    const first = await run(source)
    expect(first.exports).toEqual({ total: 6, dir })
    expect(first.cache.use).toEqual({ fromCache: 0, compiled: 1 })
    expect(first.cache.save()).toBe(1)
    expect(await entries()).toHaveLength(1)

    const second = await run(source)
    expect(second.exports).toEqual({ total: 6, dir })
    expect(second.cache.use).toEqual({ fromCache: 1, compiled: 0 })
    expect(second.cache.save()).toBe(0)
  })

  it('runs an edited source, never the cache of the old one, even at the same length (all V8 itself compares)', async () => {
    await run("module.exports = 'old build'").then(({ cache }) => cache.save())
    const edited = await run("module.exports = 'new build'")
    expect(edited.exports).toBe('new build')
    expect(edited.cache.use.fromCache).toBe(0)
  })

  it('keeps one entry per command, so each keeps the functions it compiled', async () => {
    const source = 'module.exports = 1'
    await run(source, 'upload').then(({ cache }) => cache.save())
    const other = await run(source, 'check')
    expect(other.cache.use.fromCache).toBe(0)
    other.cache.save()
    expect(await entries()).toHaveLength(2)
  })

  it('ignores an entry cut short or damaged on disk, and replaces it', async () => {
    const source = 'module.exports = [..."abc"].map((c) => c.toUpperCase()).join("")'
    await run(source).then(({ cache }) => cache.save())
    const [name] = await entries()
    const entry = path.join(cacheDir, name!)
    const whole = await readFile(entry)

    await writeFile(entry, whole.subarray(0, whole.length - 100))
    const cut = await run(source)
    expect(cut.exports).toBe('ABC')
    expect(cut.cache.use).toEqual({ fromCache: 0, compiled: 1 })

    const damaged = Buffer.from(whole)
    damaged[damaged.length - 50]! ^= 0xff
    await writeFile(entry, damaged)
    const flipped = await run(source)
    expect(flipped.exports).toBe('ABC')
    expect(flipped.cache.use.fromCache).toBe(0)
    expect(flipped.cache.save()).toBe(1)
    expect((await readFile(entry)).equals(whole)).toBe(true)
  })

  it('runs without a cache where its folder cannot be made, without an error', async () => {
    await writeFile(path.join(dir, 'in-the-way'), '')
    const file = path.join(dir, 'bundle.js')
    await writeFile(file, 'module.exports = 42')
    const cache = new CodeCache(path.join(dir, 'in-the-way', 'cache'), 'upload')
    expect(cache.load(file)).toBe(42)
    expect(cache.save()).toBe(0)
  })

  it('compiles packages loaded by require through the cache while hooked, and gives them a working require', async () => {
    await writeFile(path.join(dir, 'helper.js'), 'module.exports = (x) => x * 2')
    await writeFile(path.join(dir, 'package.js'), "const double = require('./helper'); module.exports = { value: double(21), resolved: require.resolve('./helper') }")
    const cache = new CodeCache(cacheDir, 'upload')
    const unhook = cache.hookRequire()
    try {
      const required = createRequire(path.join(dir, 'x.js'))('./package.js') as { value: number; resolved: string }
      expect(required).toEqual({ value: 42, resolved: path.join(dir, 'helper.js') })
    } finally {
      unhook()
    }
    expect(cache.use.compiled).toBe(2)
    expect(cache.save()).toBe(2)
  })
})
