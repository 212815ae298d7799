import { createHash, randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { HashWorker, INLINE_HASH_MAX, localBlockHash, READ_BLOCK, type BlockHash } from '../../../src/transfer/hash-worker'

let worker: HashWorker | null = null
afterEach(async () => {
  await worker?.close()
  worker = null
})

/** A size the worker hashes (larger files than INLINE_HASH_MAX). */
const ON_WORKER = INLINE_HASH_MAX + 1

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** Feeds `bytes` to a hash block by block, as the writer does with what it reads for sending. */
async function feed(hash: BlockHash, bytes: Buffer, step: number): Promise<void> {
  for (let at = 0; at < bytes.length; at += step) {
    const block = await hash.take()
    const n = bytes.copy(block, 0, at, Math.min(at + step, bytes.length))
    hash.update(block, n)
  }
}

describe('HashWorker', () => {
  it('starts its thread only for the first file it hashes there: small files, and runs that never give it one, cost no thread', async () => {
    worker = new HashWorker()
    expect(worker.running).toBe(false)
    const small = worker.begin(INLINE_HASH_MAX)
    await feed(small, Buffer.from('abc'), 3)
    expect(await small.digest()).toEqual({ size: 3, sha256: sha256(Buffer.from('abc')) })
    expect(worker.running).toBe(false)
    expect(await worker.close()).toBe(0)

    worker = new HashWorker()
    const large = worker.begin(ON_WORKER)
    expect(worker.running).toBe(true)
    await feed(large, Buffer.from('abc'), 3)
    expect(await large.digest()).toEqual({ size: 3, sha256: sha256(Buffer.from('abc')) })
  })

  it('hashes the bytes given, several files at once with their blocks interleaved, each its own', async () => {
    worker = new HashWorker()
    // Empty, under one block, and across several blocks.
    const contents = [Buffer.alloc(0), randomBytes(1000), randomBytes(3 * READ_BLOCK + 17)]
    const hashes = contents.map(() => worker!.begin(ON_WORKER))
    await Promise.all(contents.map((b, i) => feed(hashes[i]!, b, i === 2 ? READ_BLOCK : 300)))
    const digests = await Promise.all(hashes.map((h) => h.digest()))
    expect(digests).toEqual(contents.map((b) => ({ size: b.length, sha256: sha256(b) })))
  })

  it('moves each block to the worker rather than copying it, and reuses it once hashed', async () => {
    worker = new HashWorker()
    const hash = worker.begin(ON_WORKER)
    const block = await hash.take()
    block.fill(7)
    hash.update(block, 100)
    expect(block.length).toBe(0) // transferred: this thread no longer holds its memory
    expect(await hash.digest()).toEqual({ size: 100, sha256: sha256(Buffer.alloc(100, 7)) })
    const again = await worker.begin(ON_WORKER).take()
    expect(again.length).toBe(READ_BLOCK)
  })

  it('an abandoned file is dropped and the worker goes on', async () => {
    worker = new HashWorker()
    const dropped = worker.begin(ON_WORKER)
    await feed(dropped, randomBytes(5000), 1000)
    dropped.abandon()
    const next = worker.begin(ON_WORKER)
    await feed(next, Buffer.from('abc'), 3)
    expect(await next.digest()).toEqual({ size: 3, sha256: sha256(Buffer.from('abc')) })
  })

  it('a stopped worker fails the digest instead of waiting forever', async () => {
    worker = new HashWorker()
    const hash = worker.begin(ON_WORKER)
    await feed(hash, Buffer.from('abc'), 3)
    await worker.close()
    await expect(hash.digest()).rejects.toThrow()
  })
})

describe('HashWorker: small files', () => {
  it('hashes a file up to INLINE_HASH_MAX on this thread, reusing its blocks from file to file', async () => {
    worker = new HashWorker()
    const first = worker.begin(1000)
    const block = await first.take()
    const bytes = randomBytes(1000)
    bytes.copy(block)
    first.update(block, 1000)
    expect(block.length).toBe(READ_BLOCK) // not transferred: still this thread's, free again
    expect(await first.digest()).toEqual({ size: 1000, sha256: sha256(bytes) })
    const second = worker.begin(INLINE_HASH_MAX)
    expect(await second.take()).toBe(block)
  })

  it('keeps files hashed here and files hashed on the worker apart', async () => {
    worker = new HashWorker()
    const small = randomBytes(300_000)
    const large = randomBytes(INLINE_HASH_MAX + 5000)
    const hashes = [worker.begin(small.length), worker.begin(large.length)]
    await Promise.all([feed(hashes[0]!, small, 100_000), feed(hashes[1]!, large, READ_BLOCK)])
    expect(await Promise.all(hashes.map((h) => h.digest()))).toEqual([small, large].map((b) => ({ size: b.length, sha256: sha256(b) })))
  })
})

describe('localBlockHash', () => {
  it('hashes on this thread into one block sized to the file', async () => {
    const bytes = randomBytes(70_000)
    const hash = localBlockHash(bytes.length)
    expect((await hash.take()).length).toBe(70_000)
    await feed(hash, bytes, 30_000)
    expect(await hash.digest()).toEqual({ size: bytes.length, sha256: sha256(bytes) })
  })
})
