/**
 * import() of a package published only as ES modules (music-metadata, strtok3). The compiled
 * command runs its bundle as a cached script (src/cli/code-cache.ts), and V8 gives such a
 * script's own import() no loader unless Node 20's experimental option is set, which prints a
 * warning at every use. The build's entry (src/cli/launch.ts), which Node compiles itself,
 * registers its import() here; everywhere else (the source, the desktop app) import() is
 * used directly.
 */
const IMPORTER = Symbol.for('bulk-upload.import-package')

type Importer = (specifier: string) => Promise<unknown>
const registry = globalThis as typeof globalThis & { [IMPORTER]?: Importer }

/** The package's module namespace, loaded by Node's own ES module loader. */
export function importPackage<T>(specifier: string): Promise<T> {
  const importer = registry[IMPORTER]
  return (importer ? importer(specifier) : import(specifier)) as Promise<T>
}

/** Called by the build's entry with an import() Node compiled. */
export function registerImporter(importer: Importer): void {
  registry[IMPORTER] = importer
}
