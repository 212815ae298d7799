import { createHash, randomBytes } from 'node:crypto'
import { utimesSync, writeFileSync } from 'node:fs'
import { mkdtemp, stat, utimes, writeFile as writeLocal } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { SFTPWrapper } from 'ssh2'
import { afterEach, describe, expect, it } from 'vitest'
import { writeFile } from '../../../src/transfer/file-writer'
import { HashWorker } from '../../../src/transfer/hash-worker'

type Callback = (err?: Error | null) => void

/**
 * An in-memory stand-in for an SFTP channel that answers writes in the order a test chooses:
 * the unit under test is the writer's bookkeeping, not the protocol (integration tests use
 * real servers).
 */
function scriptedChannel(chunk: number) {
  const pending: Array<{ position: number; len: number; cb: Callback }> = []
  const sftp = {
    outgoing: { state: 'open' },
    readable: true,
    _maxWriteLen: chunk,
    open: (_p: string, _f: string, cb: (err: Error | null, h: Buffer) => void) => cb(null, Buffer.from('h')),
    write: (_h: Buffer, _b: Buffer, _o: number, len: number, position: number, cb: Callback) => pending.push({ position, len, cb }),
    close: (_h: Buffer, cb: Callback) => cb(null),
    stat: (_p: string, cb: (err: Error | null, s: { size: number }) => void) => cb(null, { size: 0 }),
  }
  return { sftp: sftp as unknown as SFTPWrapper, pending }
}

/** Waits until the writer has sent what the test expects (polled, not a fixed sleep). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setImmediate(r))
}

describe('file writer: the confirmed end', () => {
  it('only moves past bytes the server acknowledged, whatever order the replies come in', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bu-writer-'))
    const local = path.join(dir, 'a.wav')
    await writeLocal(local, Buffer.alloc(40_000, 7))
    const { size, mtimeMs } = await stat(local)
    const { sftp, pending } = scriptedChannel(10_000)
    const confirmed: number[] = []
    const done = writeFile({ sftp, localPath: local, remotePath: 'a.wav', size, mtimeMs, onConfirmed: (end) => confirmed.push(end) }).catch((e: Error) => e)
    await until(() => pending.length === 4)
    expect(pending.map((p) => p.position)).toEqual([0, 10_000, 20_000, 30_000]) // sent in order, pipelined
    pending[2]!.cb(null) // 20,000-30,000 acknowledged first: nothing before it is, so no progress
    pending[0]!.cb(null)
    pending[3]!.cb(new Error('No response from server')) // the link dies
    pending[1]!.cb(new Error('No response from server'))
    const result = await done
    expect(result).toBeInstanceOf(Error)
    // 0-10,000 is the only run the server confirmed from the start: a retry continues there.
    expect(confirmed).toEqual([10_000])
  })
})

/** A channel that keeps what is written, answering each write on the next tick. */
function memoryChannel() {
  const files = new Map<string, Buffer>()
  const sftp = {
    outgoing: { state: 'open' },
    readable: true,
    _maxWriteLen: 32 * 1024,
    open: (p: string, _f: string, cb: (err: Error | null, h: Buffer) => void) => {
      files.set(p, Buffer.alloc(0))
      cb(null, Buffer.from(p))
    },
    // ssh2 copies the payload at once; so does this stand-in.
    write: (h: Buffer, b: Buffer, o: number, len: number, position: number, cb: Callback) => {
      const name = h.toString()
      const file = files.get(name)!
      const grown = Buffer.alloc(Math.max(file.length, position + len))
      file.copy(grown)
      b.copy(grown, position, o, o + len)
      files.set(name, grown)
      process.nextTick(cb, null)
    },
    close: (_h: Buffer, cb: Callback) => cb(null),
    stat: (p: string, cb: (err: Error | null, s: { size: number }) => void) => cb(null, { size: files.get(p)?.length ?? 0 }),
  }
  return { sftp: sftp as unknown as SFTPWrapper, files }
}

let worker: HashWorker | null = null
afterEach(async () => {
  await worker?.close()
  worker = null
})

describe('file writer: the sha256 recorded', () => {
  it('is of the bytes sent, even when the file is rewritten mid-send with its size and modification time kept', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bu-writer-'))
    const local = path.join(dir, 'a.wav')
    const first = randomBytes(300_000)
    const second = randomBytes(300_000)
    await writeLocal(local, first)
    const kept = new Date('2026-01-02T03:04:05Z') // whole seconds: restored exactly below
    await utimes(local, kept, kept)
    const { size, mtimeMs } = await stat(local)
    const { sftp, files } = memoryChannel()
    let blocks = 0
    // Asked before each block is read: after the first block went, the file is rewritten.
    const limiter = {
      take: async () => {
        if (++blocks === 2) {
          writeFileSync(local, second)
          utimesSync(local, kept, kept)
        }
      },
    }
    worker = new HashWorker()
    const written = await writeFile({ sftp, localPath: local, remotePath: 'a.wav', size, mtimeMs, limiter, hasher: worker })
    const onServer = files.get('a.wav')!
    // What went is the first block of the old bytes and the rest of the new ones.
    expect(onServer.subarray(0, 1000).equals(first.subarray(0, 1000))).toBe(true)
    expect(onServer.subarray(-1000).equals(second.subarray(-1000))).toBe(true)
    expect(written.sha256).toBe(createHash('sha256').update(onServer).digest('hex'))
  })
})

describe('file writer: a cancel', () => {
  it('settles at once with CANCELLED, without waiting for writes in flight, and issues no more writes or progress', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bu-writer-'))
    const local = path.join(dir, 'a.wav')
    await writeLocal(local, Buffer.alloc(200_000, 7))
    const { size, mtimeMs } = await stat(local)
    const { sftp, pending } = scriptedChannel(10_000)
    const abort = new AbortController()
    const progress: number[] = []
    const done = writeFile({ sftp, localPath: local, remotePath: 'a.wav', size, mtimeMs, maxInFlightBytes: 50_000, signal: abort.signal, onProgress: (n) => progress.push(n) }).catch((e: Error) => e)
    await until(() => pending.length === 6) // 50,000 in flight, and the write that passes it
    pending[0]!.cb(null)
    pending[1]!.cb(null)
    await until(() => pending.length === 8) // two answers let two more writes go
    abort.abort()
    // The server never answers the six writes still out (a slow link): the writer does not wait.
    const result = await done
    expect(result).toMatchObject({ code: 'CANCELLED' })
    for (const p of pending.slice(2)) p.cb(null) // answers arriving after the cancel
    expect(pending).toHaveLength(8)
    expect(progress).toEqual([10_000, 20_000])
  })
})

describe('file writer: one stat per file', () => {
  it('reads the file as the batch planned it and fails with LOCAL_FILE_CHANGED when it changed since', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bu-writer-'))
    const local = path.join(dir, 'a.wav')
    await writeLocal(local, Buffer.alloc(50_000, 1))
    const planned = await stat(local)
    await writeLocal(local, Buffer.alloc(60_000, 2)) // grew after the scan
    const { sftp, files } = memoryChannel()
    const stale = await writeFile({ sftp, localPath: local, remotePath: 'a.wav', size: planned.size, mtimeMs: planned.mtimeMs }).catch((e: Error) => e)
    expect(stale).toMatchObject({ code: 'LOCAL_FILE_CHANGED' })
    // Sent again with statAtOpen (as the engine does after a change): the file as it is now.
    const again = await writeFile({ sftp, localPath: local, remotePath: 'a.wav', size: planned.size, mtimeMs: planned.mtimeMs, statAtOpen: true })
    expect(again.size).toBe(60_000)
    expect(files.get('a.wav')!.equals(Buffer.alloc(60_000, 2))).toBe(true)
    expect(again.sha256).toBe(createHash('sha256').update(Buffer.alloc(60_000, 2)).digest('hex'))
  })

  it('a file shorter than planned fails with LOCAL_FILE_CHANGED instead of sending less', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bu-writer-'))
    const local = path.join(dir, 'a.wav')
    await writeLocal(local, Buffer.alloc(50_000, 1))
    const planned = await stat(local)
    await writeLocal(local, Buffer.alloc(20_000, 2))
    const { sftp } = memoryChannel()
    const result = await writeFile({ sftp, localPath: local, remotePath: 'a.wav', size: planned.size, mtimeMs: planned.mtimeMs }).catch((e: Error) => e)
    expect(result).toMatchObject({ code: 'LOCAL_FILE_CHANGED' })
  })
})
