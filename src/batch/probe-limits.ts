/**
 * A time and work bound on one music-metadata probe. Its parsers walk a container one read at
 * a time (chunks, boxes, pages, objects) and keep a warning per odd part, so a crafted or
 * broken file of millions of tiny parts took 94.5 s and 320 MB (issue 22). Every read of the
 * probe goes through a tokenizer that counts reads and watches the clock, and the probe ends
 * as RECORDING_UNREADABLE when either runs out.
 *
 * strtok3 is music-metadata's own tokenizer package (installed with it, same version): its
 * FileTokenizer is what music-metadata's parseFile uses; here it is subclassed, not copied.
 */
import { open, type FileHandle } from 'node:fs/promises'
import type { IAudioMetadata, IOptions } from 'music-metadata'
import type { ITokenizer } from 'strtok3'
import { importPackage } from '../import-package'

/**
 * strtok3's FileTokenizer as its Node entry point exports it. The types resolve to its
 * browser entry point (the `default` export condition), which lacks it; the runtime import,
 * under Node, gets the `node` one.
 */
type FileTokenizerClass = new (fileHandle: FileHandle, options: { fileInfo: { path: string; size: number } }) => ITokenizer

/** A probe's bounds: far above what a real recording needs (a few dozen reads, milliseconds). */
export interface ProbeLimits {
  /**
   * Wall-clock seconds for one file's probe.
   * @default 5
   */
  seconds: number
  /**
   * Reads of one file's parts.
   * @default 100000
   */
  reads: number
}

export const DEFAULT_PROBE_LIMITS: ProbeLimits = { seconds: 5, reads: 100_000 }

/** Thrown inside a probe that ran out of time or reads; its message is the detail. */
export class ProbeLimitError extends Error {}

let modules: Promise<[typeof import('music-metadata'), typeof import('strtok3')]> | null = null
/** music-metadata costs ~140 ms to load: loaded on the first probe that needs it, not at start. */
const load = (): Promise<[typeof import('music-metadata'), typeof import('strtok3')]> =>
  (modules ??= Promise.all([importPackage<typeof import('music-metadata')>('music-metadata'), importPackage<typeof import('strtok3')>('strtok3')]))

/**
 * music-metadata's parseFile within `limits`: the parser is chosen by the file's extension as
 * parseFile chooses it. Throws ProbeLimitError when a bound is reached, else what parseFile throws.
 */
export async function parseFileWithin(path: string, options: IOptions, limits: ProbeLimits = DEFAULT_PROBE_LIMITS): Promise<IAudioMetadata> {
  const [{ parseFromTokenizer }, strtok3] = await load()
  const { FileTokenizer } = strtok3 as unknown as { FileTokenizer: FileTokenizerClass }
  const deadline = performance.now() + limits.seconds * 1000
  let reads = 0
  const spend = (): void => {
    if (++reads > limits.reads) throw new ProbeLimitError(`it is made of too many parts to read (more than ${limits.reads.toLocaleString('en-US')})`)
    if (performance.now() >= deadline) throw new ProbeLimitError(`it took too long to read (more than ${limits.seconds} s)`)
  }
  /** parseFile's tokenizer, each read (and skip) paid for first. */
  class BoundedFileTokenizer extends FileTokenizer {
    constructor(fh: FileHandle, size: number) {
      super(fh, { fileInfo: { path, size } })
    }
    override async readBuffer(...a: Parameters<ITokenizer['readBuffer']>): Promise<number> {
      spend()
      return super.readBuffer(...a)
    }
    override async peekBuffer(...a: Parameters<ITokenizer['peekBuffer']>): Promise<number> {
      spend()
      return super.peekBuffer(...a)
    }
    override async ignore(length: number): Promise<number> {
      spend()
      return super.ignore(length)
    }
  }
  const fh = await open(path, 'r')
  let tokenizer: BoundedFileTokenizer
  try {
    tokenizer = new BoundedFileTokenizer(fh, (await fh.stat()).size)
  } catch (err) {
    await fh.close()
    throw err
  }
  try {
    return await parseFromTokenizer(tokenizer, options)
  } finally {
    await tokenizer.close()
  }
}
