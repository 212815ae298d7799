/**
 * The compiled command's entry, build/cli/main.js: runs the CLI bundle (build/cli/cli.js, from
 * src/cli/main.ts) and the CommonJS packages it requires through V8's code cache
 * (./code-cache), kept in build/cli/code-cache. The build's folder holds the cache so that a
 * rebuild, which replaces the folder, also clears it, and so that it belongs to whoever owns
 * the build.
 */
import path from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { registerImporter } from '../import-package'
import { CodeCache } from './code-cache'
import { EXIT } from './exit-codes'

/** The command's name (`upload`, `check`…), which names its cache entries; `other` for the rest. */
const commandTag = (argv: string[]): string => (/^[a-z][a-z-]{0,30}$/.test(argv[2] ?? '') ? argv[2]! : 'other')

// A command lives for seconds, and V8's optimizing compiler (TurboFan, on its own threads) spent
// about a tenth of an upload's CPU optimizing functions the run then hardly used. Eight times
// the default budget (bytecode run before a function is considered) leaves that work to the
// functions that stay hot: the packet and request loops of a long upload. Set before the bundle
// is compiled, so the code cache is made and used under the same flags.
setFlagsFromString('--interrupt-budget=540672')

// This file is compiled by Node, so its import() has Node's loader; the bundle's has none.
registerImporter((specifier) => import(specifier))
const cache = new CodeCache(path.join(__dirname, 'code-cache'), commandTag(process.argv))
cache.hookRequire()
process.once('exit', (code) => {
  if (code === EXIT.OK || code === EXIT.PROBLEMS) cache.save()
})
const cli = cache.load(path.join(__dirname, 'cli.js'), module) as { main(): Promise<void> }
void cli.main()
