import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { HashWorker } from '../../../src/transfer/hash-worker'

let worker: HashWorker | null = null
afterEach(async () => {
  await worker?.close()
  worker = null
})

describe('HashWorker', () => {
  it('gives the size and sha256 of whole files, several asked at once, each its own', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hash-worker-'))
    // Empty, under one read block, and across several blocks of 1 MiB.
    const contents = [Buffer.alloc(0), randomBytes(1000), randomBytes(3 * 1024 * 1024 + 17)]
    const files = await Promise.all(contents.map(async (bytes, i) => {
      const file = path.join(dir, `rec-${i}.wav`)
      await writeFile(file, bytes)
      return file
    }))
    worker = new HashWorker()
    const digests = await Promise.all(files.map((f) => worker!.hash(f)))
    expect(digests).toEqual(contents.map((b) => ({ size: b.length, sha256: createHash('sha256').update(b).digest('hex') })))
  })

  it('a file that cannot be read is refused with the reason, and the worker goes on', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hash-worker-'))
    worker = new HashWorker()
    await expect(worker.hash(path.join(dir, 'gone.wav'))).rejects.toThrow(/ENOENT/)
    await writeFile(path.join(dir, 'here.wav'), 'abc')
    expect(await worker.hash(path.join(dir, 'here.wav'))).toEqual({ size: 3, sha256: createHash('sha256').update('abc').digest('hex') })
  })
})
