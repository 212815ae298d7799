import { mkdtemp, stat, writeFile as writeLocal } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { SFTPWrapper } from 'ssh2'
import { describe, expect, it } from 'vitest'
import { writeFile } from '../../../src/transfer/file-writer'

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
