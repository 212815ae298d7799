import { open } from 'node:fs/promises'
import type { SFTPWrapper } from 'ssh2'
import { AppError } from '../errors'
import type { PauseGate } from './pause-gate'
import { channelOpen, closeHandle, maxWriteLength, openForWrite, statSize } from './sftp-ops'
import { sftpError } from './sftp-errors'

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
}

/** Local read size: several SFTP writes come out of each read. */
const READ_BLOCK = 1024 * 1024

/**
 * Writes one file to its final remote name: one open handle, requests strictly in offset
 * order, many in flight at once (pipelined), never out of order and never a setstat — what
 * AWS Transfer on S3 accepts. After close, the remote size must equal the local size.
 */
export async function writeFile(opts: WriteFileOptions): Promise<void> {
  const { sftp, remotePath, size } = opts
  const startOffset = opts.startOffset ?? 0
  const maxInFlight = opts.maxInFlightBytes ?? 4 * 1024 * 1024
  const chunk = maxWriteLength(opts.sftp)

  const local = await open(opts.localPath, 'r').catch((err: unknown) => {
    throw new AppError('FILE_NOT_FOUND', `${opts.localPath}: ${(err as Error).message}`, { cause: err })
  })
  try {
    const before = await local.stat()
    if (before.size !== size || Math.trunc(before.mtimeMs) !== Math.trunc(opts.mtimeMs)) {
      throw new AppError('LOCAL_FILE_CHANGED', `${opts.localPath} changed after the batch was checked.`)
    }
    const handle = await openForWrite(sftp, remotePath, startOffset)
    let handleOpen = true
    try {
      await pipeline(opts, local, handle, startOffset, chunk, maxInFlight)
      handleOpen = false
      // On S3-backed servers, close is what commits the object: its error is the file's error.
      await closeHandle(sftp, handle, remotePath)
    } finally {
      if (handleOpen) await closeHandle(sftp, handle, remotePath).catch(() => undefined)
    }
    const remoteSize = await statSize(sftp, remotePath)
    if (remoteSize !== size) {
      throw new AppError('REMOTE_SIZE_MISMATCH', `${remotePath}: ${remoteSize ?? 'no file'} bytes on the server, ${size} here.`)
    }
  } finally {
    await local.close()
  }
}

type LocalFile = Awaited<ReturnType<typeof open>>

/** Reads the local file block by block and keeps up to `maxInFlight` bytes of writes pending. */
function pipeline(
  opts: WriteFileOptions,
  local: LocalFile,
  handle: Buffer,
  startOffset: number,
  chunk: number,
  maxInFlight: number,
): Promise<void> {
  const { sftp, remotePath, size, signal, gate, onProgress, onConfirmed } = opts
  return new Promise<void>((resolve, reject) => {
    let nextOffset = startOffset
    let inFlight = 0
    let acknowledged = startOffset
    let failed: AppError | null = null
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
    // Sized to the file: a 1 MiB buffer per 32 KiB recording is mostly garbage-collector work.
    const block = Buffer.allocUnsafe(Math.max(1, Math.min(READ_BLOCK, size - startOffset)))

    const finish = () => {
      if ((failed && inFlight === 0) || (!failed && nextOffset >= size && inFlight === 0)) {
        signal?.removeEventListener('abort', onAbort)
      }
      if (failed) {
        // Wait for the requests already sent before the caller closes the handle.
        if (inFlight === 0) reject(failed)
      } else if (nextOffset >= size && inFlight === 0) {
        resolve()
      }
    }
    const onAbort = () => fail(new AppError('CANCELLED'))
    const fail = (err: AppError) => {
      failed ??= err
      finish()
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    if (signal?.aborted) return fail(new AppError('CANCELLED'))

    const pump = async () => {
      if (pumping) return
      pumping = true
      try {
        while (!failed && nextOffset < size && inFlight < maxInFlight) {
          if (gate?.paused) await gate.wait()
          if (failed) break
          const want = Math.min(block.length, size - nextOffset, maxInFlight - inFlight + chunk)
          const { bytesRead } = await local.read(block, 0, want, nextOffset)
          if (bytesRead === 0) throw new AppError('LOCAL_FILE_CHANGED', `${opts.localPath} became shorter during the upload.`)
          // ssh2 copies the payload into its packet synchronously, so `block` is reusable
          // as soon as these calls return.
          if (!channelOpen(sftp)) throw new AppError('CONNECTION_LOST', `${remotePath}: the SFTP channel closed.`)
          for (let off = 0; off < bytesRead; off += chunk) {
            const len = Math.min(chunk, bytesRead - off)
            const pending = { start: nextOffset + off, end: nextOffset + off + len, acked: false }
            unconfirmed.push(pending)
            inFlight += len
            sftp.write(handle, block, off, len, pending.start, (err) => {
              inFlight -= len
              if (err) return fail(sftpError(err, remotePath))
              pending.acked = true
              confirm()
              acknowledged += len
              onProgress?.(acknowledged)
              if (!failed && nextOffset < size) void pump()
              finish()
            })
          }
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
}
