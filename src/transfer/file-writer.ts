import { createHash } from 'node:crypto'
import { closeSync, close as fsClose, fstat as fsFstat, fstatSync, open as fsOpen, openSync, read as fsRead, readSync, readvSync, type Stats } from 'node:fs'
import type { SFTPWrapper } from 'ssh2'
import { AppError } from '../errors'
import type { PauseGate } from './pause-gate'
import { channelOpen, closeHandle, maxWriteLength, openForWrite, statSize } from './sftp-ops'
import { sftpError } from './sftp-errors'
import { localBlockHash, READ_BLOCK, type BlockHash, type FileHasher } from './hash-worker'
import { SlowStorageDetector } from './slow-storage'
import { directWriter, type DirectWriter } from '../ssh/direct-write'

export interface WriteFileOptions {
  sftp: SFTPWrapper
  localPath: string
  remotePath: string
  /** Size and mtime the batch was checked with; a difference means the file changed. */
  size: number
  mtimeMs: number
  /** 0 for a fresh write; the remote size when continuing a partial file. */
  startOffset?: number
  /**
   * Stat the file when it is opened and send it as it is then. Off (the default), the file is
   * read as planned (`size`, `mtimeMs`, from the batch's scan) and stat-ed once, after the last
   * byte: one fstat per file instead of two. A file that changed since the scan then fails with
   * LocalFileChangedError and the caller sends it again with this on. @default false
   */
  statAtOpen?: boolean
  /**
   * Bytes sent but not yet acknowledged. Enough to fill a long link (4 MiB covers
   * 100 MB/s at a 40 ms round trip) while bounding memory per file. @default 4 MiB
   */
  maxInFlightBytes?: number
  signal?: AbortSignal
  gate?: PauseGate
  /** Called with the bytes the server has acknowledged so far (including startOffset). */
  onProgress?: (acknowledged: number) => void
  /**
   * Called as the confirmed end advances: every byte before it was acknowledged by the server.
   * After a failure the file may continue from here, never from bytes the server did not confirm.
   */
  onConfirmed?: (offset: number) => void
  /** `--bwlimit`: asked for each block's bytes before it is read and sent (shared by every file in flight). */
  limiter?: ByteBudget
  /** Hashes the bytes read for sending off the main thread. @default hashed here as they are read */
  hasher?: FileHasher
  /** Called once the server has opened the remote file for writing (it now holds this write's bytes). */
  onOpened?: () => void
}

/** What the writer needs of a rate limiter (rate-limiter.ts's RateLimiter). */
export interface ByteBudget {
  take(bytes: number, signal?: AbortSignal): Promise<void>
}

/** Block size under a limit: small pieces keep the measured rate smooth. */
const LIMITED_BLOCK = 64 * 1024

/** What was sent: the file's size and sha256 as read for sending (DESIGN.md, "Exactly once"). */
export interface WrittenFile {
  size: number
  sha256: string
  mtimeMs: number
  /** Where this write began: bytes before it were already on the server. */
  resumedAt: number
}

/**
 * The local file changed while it was being sent (size or modification time differ after
 * the last byte from what they were at the first): the server may hold a mix of old and new
 * bytes, so the caller sends it again from the start.
 */
export class LocalFileChangedError extends AppError {
  constructor(localPath: string) {
    super('LOCAL_FILE_CHANGED', `${localPath} changed while it was being sent.`)
  }
}

/**
 * Writes one file to its final remote name: one open handle, requests strictly in offset
 * order, many in flight at once (pipelined), never out of order and never a setstat — what
 * AWS Transfer on S3 accepts. After close, the remote size must equal the local size.
 *
 * The very bytes read for sending are hashed (sha256), here or, with `opts.hasher`, on a worker
 * thread. The file is stat-ed again after the last byte; a change of size or modification
 * time throws LocalFileChangedError.
 *
 * A cancel (`opts.signal`) stops at once: no more writes are issued, and the writes already
 * queued are not waited for (on a slow link that is a minute of 16 files' pipelines). The
 * handle's CLOSE is sent but not awaited: the caller drops the connection, which discards what
 * is still queued and makes the server close the handle.
 * `opts.size`/`opts.mtimeMs` are what the batch was checked with; when the file differs
 * already at open, it is sent as it is now (the current recording is the one to deliver).
 */
export async function writeFile(opts: WriteFileOptions): Promise<WrittenFile> {
  const { sftp, remotePath } = opts
  const maxInFlight = opts.maxInFlightBytes ?? 4 * 1024 * 1024

  const local = await LocalFile.open(opts.localPath).catch((err: unknown) => {
    throw new AppError('FILE_NOT_FOUND', `${opts.localPath}: ${(err as Error).message}`, { cause: err })
  })
  let blocks: BlockHash | null = null
  let hashed = false
  try {
    // As planned, unless asked to look first: the stat after the last byte catches any change.
    const before = opts.statAtOpen ? await local.stat() : { size: opts.size, mtimeMs: opts.mtimeMs }
    const size = before.size
    const unchanged = size === opts.size && Math.trunc(before.mtimeMs) === Math.trunc(opts.mtimeMs)
    // Bytes already on the server are kept only when the file is the one they came from.
    const startOffset = unchanged ? Math.min(opts.startOffset ?? 0, size) : 0
    // Read straight into the SSH packets while the disk answers at once: the bytes are then
    // hashed here, between the read and the encryption, instead of on the hash worker.
    const direct = storage.slow ? null : directWriter(sftp)
    blocks = direct ? localBlockHash(size) : (opts.hasher?.begin(size) ?? localBlockHash(size))
    // The part already on the server, sent by an earlier attempt, is hashed from this file:
    // its size, modification time and sampled bytes matched.
    if (startOffset > 0) await hashRange(local, blocks, 0, startOffset)
    if (opts.signal?.aborted) throw new AppError('CANCELLED')
    const handle = await openForWrite(sftp, remotePath, startOffset)
    opts.onOpened?.()
    // Two round trips per file: OPEN, then the WRITEs, CLOSE and the confirming STAT back to
    // back. Servers answer a handle's requests in the order they came, so CLOSE goes as soon
    // as the last WRITE is sent, not when it is acknowledged.
    const chunk = maxWriteLength(sftp)
    const { sent, acknowledged } = pipeline({ ...opts, size }, local, handle, startOffset, chunk, maxInFlight, blocks, direct)
    await sent // never rejects: a failure waits for the writes already sent (a cancel does not), then settles it
    if (opts.signal?.aborted) {
      closeHandle(sftp, handle, remotePath).catch(() => undefined)
      throw new AppError('CANCELLED')
    }
    const closing = closeHandle(sftp, handle, remotePath)
    const stating = statSize(sftp, remotePath)
    const [writes, closed, stated] = await Promise.allSettled([acknowledged, closing, stating])
    if (writes.status === 'rejected') throw writes.reason
    // Close is what commits an S3 object: its error is the file's error.
    if (closed.status === 'rejected') throw closed.reason
    hashed = true
    const digest = await blocks.digest().catch((err: unknown) => Promise.reject(new AppError('NOT_READABLE', `${opts.localPath}: ${(err as Error).message}`, { cause: err })))
    if (digest.size !== size) throw new LocalFileChangedError(opts.localPath)
    const after = await local.stat()
    if (after.size !== size || !sameMtime(after.mtimeMs, before.mtimeMs, opts.statAtOpen === true)) throw new LocalFileChangedError(opts.localPath)
    let remoteSize = stated.status === 'fulfilled' ? stated.value : undefined
    // A server that runs requests on several threads may answer the STAT before the close
    // lands: a size that differs is asked again, now that the close is confirmed.
    if (remoteSize !== size) remoteSize = await statSize(sftp, remotePath)
    if (remoteSize !== size) {
      throw new AppError('REMOTE_SIZE_MISMATCH', `${remotePath}: ${remoteSize ?? 'no file'} bytes on the server, ${size} here.`)
    }
    return { size, sha256: digest.sha256, mtimeMs: after.mtimeMs, resumedAt: startOffset }
  } finally {
    if (!hashed) blocks?.abandon()
    await local.close()
  }
}

/** Feeds bytes [start, end) of an open local file to the file's hash (the part already on the server). */
async function hashRange(local: LocalFile, blocks: BlockHash, start: number, end: number): Promise<void> {
  for (let at = start; at < end; ) {
    const block = await blocks.take()
    const bytesRead = await local.read(block, 0, Math.min(block.length, end - at), at).catch((err: unknown) => {
      blocks.release(block)
      throw err
    })
    if (bytesRead === 0) {
      blocks.release(block)
      throw new LocalFileChangedError('the local file')
    }
    blocks.update(block, bytesRead)
    at += bytesRead
  }
}

/** The sha256 of a whole local file (for a file found complete on the server, never sent). */
export async function hashLocalFile(localPath: string): Promise<{ size: number; sha256: string; mtimeMs: number }> {
  const local = await LocalFile.open(localPath)
  try {
    const st = await local.stat()
    const hash = createHash('sha256')
    const block = Buffer.allocUnsafe(Math.max(1, Math.min(READ_BLOCK, st.size)))
    for (let at = 0; at < st.size; ) {
      const bytesRead = await local.read(block, 0, Math.min(block.length, st.size - at), at)
      if (bytesRead === 0) throw new LocalFileChangedError(localPath)
      hash.update(block.subarray(0, bytesRead))
      at += bytesRead
    }
    return { size: st.size, sha256: hash.digest('hex'), mtimeMs: st.mtimeMs }
  } finally {
    await local.close()
  }
}

const storage = new SlowStorageDetector()

/**
 * Sets how local calls run from now on, whatever was timed so far: on this thread as for a
 * disk that answers at once (and the writer reads straight into packets), or on the thread
 * pool as for slow storage. For tests, which must not depend on how busy the machine is.
 */
export function assumeLocalCalls(mode: 'inline' | 'thread-pool'): void {
  storage.assume(mode === 'thread-pool')
}

/** Runs one system call on this thread, timing it: slow ones switch later calls to the thread pool. */
function inline<T>(call: () => T): Promise<T> {
  const started = performance.now()
  try {
    return Promise.resolve(call())
  } catch (err) {
    return Promise.reject(err)
  } finally {
    storage.record(performance.now() - started)
  }
}

/**
 * A local file open for reading, as a plain descriptor. Per file the writer opens, reads, stats
 * and closes it. Each call handed to libuv's thread pool wakes a pool thread: 60 us of the main
 * thread per call in a CPU profile of 2,000 x 128 KiB to sshd (455 ms for open, read, fstat and
 * close), where the call itself on a file in the page cache takes a few. So the calls run here,
 * timed, while the disk answers at once (the batch's files were read by its check moments
 * before); slow calls send every later one to the thread pool (slow-storage.ts), so slow
 * storage never stalls the other files' sending for long.
 */
class LocalFile {
  private constructor(private readonly fd: number) {}

  static open(localPath: string): Promise<LocalFile> {
    if (!storage.slow) return inline(() => new LocalFile(openSync(localPath, 'r')))
    return new Promise((resolve, reject) => fsOpen(localPath, 'r', (err, fd) => (err ? reject(err) : resolve(new LocalFile(fd)))))
  }

  /**
   * Bytes read into `views`, in order, from `position`, on this thread (the direct writer fills
   * a request's packets in one go). Timed as the other calls: slow reads send the next files'
   * reads to the thread pool.
   */
  readNow(views: Buffer[], position: number): number {
    const started = performance.now()
    try {
      return readvSync(this.fd, views, position)
    } finally {
      storage.record(performance.now() - started)
    }
  }

  /** Bytes read into `buffer` at `offset` from `position`; 0 at end of file. */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    if (!storage.slow) return inline(() => readSync(this.fd, buffer, offset, length, position))
    return new Promise((resolve, reject) => fsRead(this.fd, buffer, offset, length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead))))
  }

  stat(): Promise<Stats> {
    if (!storage.slow) return inline(() => fstatSync(this.fd))
    return new Promise((resolve, reject) => fsFstat(this.fd, (err, st) => (err ? reject(err) : resolve(st))))
  }

  close(): Promise<void> {
    if (!storage.slow) return inline(() => closeSync(this.fd))
    return new Promise((resolve, reject) => fsClose(this.fd, (err) => (err ? reject(err) : resolve())))
  }
}

/**
 * Modification times compared: exactly when both came from this file's own stats; to the
 * millisecond against the batch's plan, whose times may have passed through JSON or a journal.
 */
function sameMtime(a: number, b: number, exact: boolean): boolean {
  return exact ? a === b : Math.trunc(a) === Math.trunc(b)
}

/**
 * Reads the local file block by block and keeps up to `maxInFlight` bytes of writes pending.
 * `sent` settles once the last write has been handed to ssh2 (or the file failed: then only
 * after every write already sent was answered, so a close never overtakes them);
 * `acknowledged` once the server answered every write.
 */
function pipeline(
  opts: WriteFileOptions,
  local: LocalFile,
  handle: Buffer,
  startOffset: number,
  chunk: number,
  maxInFlight: number,
  blocks: BlockHash,
  direct: DirectWriter | null,
): { sent: Promise<void>; acknowledged: Promise<void> } {
  const { sftp, remotePath, size, signal, gate, onProgress, onConfirmed } = opts
  let allSent: () => void = () => undefined
  const sent = new Promise<void>((resolve) => (allSent = resolve))
  const acknowledged = new Promise<void>((resolve, reject) => {
    let nextOffset = startOffset
    let inFlight = 0
    let acknowledged = startOffset
    let failed: AppError | null = null
    let cancelled = false
    let pumping = false
    // Writes sent, in offset order, until acknowledged; the first unacknowledged one marks
    // the confirmed end (replies may come back in any order).
    const unconfirmed: Array<{ start: number; end: number; acked: boolean }> = []
    let confirmedEnd = startOffset
    const confirm = () => {
      const before = confirmedEnd
      while (unconfirmed.length > 0 && unconfirmed[0]!.acked) confirmedEnd = unconfirmed.shift()!.end
      if (confirmedEnd !== before) onConfirmed?.(confirmedEnd)
    }

    const finish = () => {
      if ((failed && (inFlight === 0 || cancelled)) || (!failed && nextOffset >= size && inFlight === 0)) {
        signal?.removeEventListener('abort', onAbort)
      }
      if (failed) {
        // Wait for the requests already sent before the caller closes the handle; a cancel
        // does not wait (the caller drops the connection instead).
        if (inFlight === 0 || cancelled) {
          allSent()
          reject(failed)
        }
      } else if (nextOffset >= size) {
        allSent()
        if (inFlight === 0) resolve()
      }
    }
    const onAbort = () => {
      cancelled = true
      fail(new AppError('CANCELLED'))
    }
    const fail = (err: AppError) => {
      failed ??= err
      finish()
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    if (signal?.aborted) return onAbort()

    /** The server's answer to the write of `pending`'s bytes. */
    const answered = (pending: { start: number; end: number; acked: boolean }) => (err?: Error | null) => {
      const len = pending.end - pending.start
      inFlight -= len
      if (err) return fail(sftpError(err, remotePath))
      pending.acked = true
      confirm()
      acknowledged += len
      // After a cancel nothing more counts: the file is not confirmed.
      if (!cancelled) onProgress?.(acknowledged)
      if (!failed && nextOffset < size) void pump()
      finish()
    }

    /** The next `want` bytes as WRITEs read straight into their packets, hashed as read. */
    const sendDirect = async (want: number) => {
      const end = nextOffset + want
      while (!failed && nextOffset < end) {
        const len = Math.min(chunk, end - nextOffset)
        const wait = direct!.room(handle, len)
        if (wait) {
          await wait
          continue
        }
        if (!channelOpen(sftp)) throw new AppError('CONNECTION_LOST', `${remotePath}: the SFTP channel closed.`)
        const position = nextOffset
        const pending = { start: position, end: position + len, acked: false }
        const put = direct!.write(handle, position, len, (views) => {
          const bytesRead = local.readNow(views, position)
          if (bytesRead === len) for (const view of views) blocks.update(view, view.length)
          return bytesRead
        }, answered(pending))
        if (put !== len) throw new LocalFileChangedError(opts.localPath)
        unconfirmed.push(pending)
        inFlight += len
        nextOffset += len
      }
    }

    const pump = async () => {
      if (pumping) return
      pumping = true
      try {
        while (!failed && nextOffset < size && inFlight < maxInFlight) {
          if (gate?.paused) await gate.wait()
          if (failed) break
          const want = Math.min(opts.limiter ? LIMITED_BLOCK : READ_BLOCK, size - nextOffset, maxInFlight - inFlight + chunk)
          if (opts.limiter) await opts.limiter.take(want, signal)
          if (failed) break
          if (direct) {
            await sendDirect(want)
            continue
          }
          const block = await blocks.take()
          const bytesRead = failed ? 0 : await local.read(block, 0, Math.min(want, block.length), nextOffset).catch((err: unknown) => {
            blocks.release(block)
            throw err
          })
          if (failed || bytesRead === 0 || !channelOpen(sftp)) {
            blocks.release(block)
            if (failed) break
            if (bytesRead === 0) throw new LocalFileChangedError(opts.localPath)
            throw new AppError('CONNECTION_LOST', `${remotePath}: the SFTP channel closed.`)
          }
          // ssh2 copies the payload into its packet synchronously, so `block` can go to the
          // hash as soon as these calls return.
          for (let off = 0; off < bytesRead; off += chunk) {
            const len = Math.min(chunk, bytesRead - off)
            const pending = { start: nextOffset + off, end: nextOffset + off + len, acked: false }
            unconfirmed.push(pending)
            inFlight += len
            sftp.write(handle, block, off, len, pending.start, answered(pending))
          }
          // Hashed once its writes are on their way: the socket drains while the block is
          // hashed. Reads are strictly sequential, so the hash sees the bytes sent, in order.
          blocks.update(block, bytesRead)
          nextOffset += bytesRead
        }
      } catch (err) {
        fail(err instanceof AppError ? err : sftpError(err, remotePath))
      } finally {
        pumping = false
      }
      finish()
    }
    void pump()
  })
  // Failures reach the caller through `acknowledged`, awaited once the close is queued.
  acknowledged.catch(() => undefined)
  return { sent, acknowledged }
}
