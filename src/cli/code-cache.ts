/**
 * V8's code cache for the compiled command (build/cli, CommonJS). Every command compiled its
 * JavaScript from scratch: the CLI bundle (2 MB) and the CommonJS packages it requires (ssh2,
 * better-sqlite3's loader: 0.7 MB more for an upload), 14-20% of an upload's CPU on loopback
 * (perf, bench/RESULTS.md). Node 20 has no `module.enableCompileCache`, so this keeps V8's own
 * cache per source: the first run of a command compiles as before and, on exit, stores what V8
 * compiled (functions compiled lazily during the run included); later runs start from it.
 *
 * Safety, since a cache entry is code V8 runs:
 * - An entry is named by the SHA-256 of the V8 version and flags, the command and the source
 *   text. V8's own check compares only the source's length, so a rebuilt bundle of the same
 *   length would otherwise run the old code.
 * - An entry starts with the SHA-256 of its payload, checked before V8 sees it: a file cut
 *   short or damaged on disk is ignored, never deserialized.
 * - Entries are written whole (a temporary file renamed into place), so two commands finishing
 *   together never leave half a file. A folder that cannot be written (an installed app's
 *   read-only files) means no cache, never an error.
 * - Only runs that did their work (exit 0 or 1) store a cache: one that stopped on a usage
 *   error would store a cache without the command's code in it, and later runs would keep it.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import Module from 'node:module'
import path from 'node:path'
import vm from 'node:vm'

/** The wrapper function Node runs a CommonJS file in. */
type ModuleFunction = (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => unknown

/** The parts of Node's CommonJS loader this file uses, public since Node 0.x but untyped. */
interface ModuleInternals {
  wrap(source: string): string
  _resolveFilename(request: string, parent: Module, isMain: boolean, options?: { paths?: string[] }): string
  _nodeModulePaths(dir: string): string[]
  _resolveLookupPaths(request: string, parent: Module): string[] | null
  _cache: NodeJS.Require['cache']
  prototype: Module & { _compile(content: string, filename: string): unknown }
}
const loader = Module as unknown as ModuleInternals

const DIGEST_BYTES = 32
/**
 * What V8 checks an entry against besides the source: its version and its flags (node's
 * options and NODE_OPTIONS carry them). In the entry's name, so a run with other flags (a
 * profiler's) keeps entries of its own instead of replacing, each time, those of the plain runs.
 */
const RUNTIME = [process.versions.v8, ...process.execArgv, process.env.NODE_OPTIONS ?? ''].join('\0')
const sha256 = (...parts: Array<string | Buffer>): Buffer => {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part).update('\0')
  return hash.digest()
}

/** What one process compiled, and whether each came from the cache. */
export interface CodeCacheUse {
  /** Sources compiled from a cache entry. */
  fromCache: number
  /** Sources compiled from scratch (no entry, a damaged one, or one V8 refused). */
  compiled: number
}

export class CodeCache {
  private readonly pending = new Map<string, vm.Script>()
  readonly use: CodeCacheUse = { fromCache: 0, compiled: 0 }

  /**
   * @param dir where the entries live (created on the first write)
   * @param tag what the process runs (the command's name): each command keeps the functions
   *   it compiled, which another command's entry for the same source would lack
   */
  constructor(
    private readonly dir: string,
    private readonly tag: string,
  ) {}

  /** Node's wrapper function for a CommonJS source, compiled from the cache where it can be. */
  compile(filename: string, source: string): ModuleFunction {
    const entry = path.join(this.dir, `${sha256(RUNTIME, this.tag, source).toString('hex').slice(0, 40)}.bin`)
    const cachedData = readEntry(entry)
    // No import() works inside: packages published only as ES modules are imported through
    // src/import-package.ts.
    const script = new vm.Script(loader.wrap(source), { filename, cachedData })
    if (cachedData && !script.cachedDataRejected) {
      this.use.fromCache++
    } else {
      this.use.compiled++
      this.pending.set(entry, script)
    }
    return script.runInThisContext() as ModuleFunction
  }

  /** Loads a CommonJS file as `require` would, compiled through the cache; returns its exports. */
  load(filename: string, parent?: Module): unknown {
    const mod = new Module(filename, parent)
    mod.filename = filename
    mod.paths = loader._nodeModulePaths(path.dirname(filename))
    loader._cache[filename] = mod
    runModule(mod, this.compile(filename, readFileSync(filename, 'utf8')), filename)
    mod.loaded = true
    return mod.exports
  }

  /**
   * Compiles every CommonJS file `require` loads from now on through the cache (the external
   * packages: ssh2, better-sqlite3's JavaScript). Files starting with `#!` keep Node's own path,
   * since V8 accepts that line only at the very start of a script. Returns the undo.
   */
  hookRequire(): () => void {
    const original = loader.prototype._compile
    const compile = (filename: string, source: string): ModuleFunction => this.compile(filename, source)
    loader.prototype._compile = function (this: Module, content: string, filename: string) {
      if (content.startsWith('#!')) return original.call(this, content, filename)
      return runModule(this, compile(filename, content), filename)
    }
    return () => {
      loader.prototype._compile = original
    }
  }

  /** Writes an entry for each source compiled from scratch; returns how many were written. */
  save(): number {
    if (this.pending.size === 0) return 0
    try {
      mkdirSync(this.dir, { recursive: true })
    } catch {
      return 0 // a read-only install: no cache
    }
    let written = 0
    for (const [entry, script] of this.pending) {
      const payload = script.createCachedData()
      const temp = `${entry}.${process.pid}.tmp`
      try {
        writeFileSync(temp, Buffer.concat([sha256(payload), payload]))
        renameSync(temp, entry)
        written++
      } catch {
        rmSync(temp, { force: true })
      }
    }
    this.pending.clear()
    return written
  }
}

/** The cache entry's payload, or undefined where there is none or its digest does not match. */
function readEntry(entry: string): Buffer | undefined {
  let data: Buffer
  try {
    data = readFileSync(entry)
  } catch {
    return undefined
  }
  const payload = data.subarray(DIGEST_BYTES)
  return data.length > DIGEST_BYTES && sha256(payload).equals(data.subarray(0, DIGEST_BYTES)) ? payload : undefined
}

/** Runs a compiled wrapper with the `require` Node would give the module. */
function runModule(mod: Module, fn: ModuleFunction, filename: string): unknown {
  const require = ((id: string) => mod.require(id)) as NodeJS.Require
  require.resolve = Object.assign((request: string, options?: { paths?: string[] }) => loader._resolveFilename(request, mod, false, options), {
    paths: (request: string) => loader._resolveLookupPaths(request, mod),
  }) as NodeJS.RequireResolve
  require.main = process.mainModule
  require.cache = loader._cache
  return fn.call(mod.exports, mod.exports, require, mod, filename, path.dirname(filename))
}
