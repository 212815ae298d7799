import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { fileHash, OFF_THREAD_MIN_BYTES } from '../../../src/transfer/hash-worker'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe('file hashes on the worker thread', () => {
  it('equal sha256 of the bytes, for files hashed inline and off-thread, several at once, with the caller reusing its buffer', async () => {
    const files = [randomBytes(1000), randomBytes(OFF_THREAD_MIN_BYTES + 7), randomBytes(3 * 1024 * 1024 + 5)]
    const hashes = files.map((f) => fileHash(f.length))
    const block = Buffer.alloc(64 * 1024)
    // Interleaved updates through one reused buffer, as the writer reads blocks.
    for (let at = 0; files.some((f) => at < f.length); at += block.length) {
      files.forEach((f, i) => {
        if (at >= f.length) return
        const n = f.copy(block, 0, at, Math.min(f.length, at + block.length))
        hashes[i]!.update(block.subarray(0, n))
        block.fill(0) // the caller's buffer changes at once: the hash must have its own copy
      })
    }
    expect(await Promise.all(hashes.map((h) => h.digest()))).toEqual(files.map(sha))
  })

  it('a discarded hash leaves the others right', async () => {
    const keep = randomBytes(OFF_THREAD_MIN_BYTES * 2)
    const dropped = fileHash(keep.length)
    dropped.update(randomBytes(1000))
    dropped.discard()
    const h = fileHash(keep.length)
    h.update(keep)
    expect(await h.digest()).toBe(sha(keep))
  })
})
