import type { SFTPWrapper, Stats } from 'ssh2'
import { AppError } from '../errors'
import { sftpError, SFTP_STATUS } from './sftp-errors'

/**
 * ssh2 queues a request sent on a channel that has already closed and never answers it, so
 * an upload would wait forever after a dropped link. Every request checks first.
 */
export function channelOpen(sftp: SFTPWrapper): boolean {
  // When the connection dies, ssh2 ends the channel's readable side (answering the requests
  // already sent with errors) but leaves `outgoing.state` at 'open' for SFTP channels.
  const channel = sftp as unknown as { outgoing?: { state?: string }; readable?: boolean }
  return channel.outgoing?.state === 'open' && channel.readable !== false
}

function closedError(remote: string): AppError {
  return new AppError('CONNECTION_LOST', `${remote}: the SFTP channel is closed.`)
}

/**
 * Promise forms of the few SFTP requests the engine sends, with errors mapped to app codes.
 * Deliberately absent: setstat/fsetstat/chmod/utimes — AWS Transfer on S3 may refuse them even
 * when the upload worked (DESIGN.md, "What the real server accepts").
 */
export function openForWrite(sftp: SFTPWrapper, remote: string, resumeAt: number): Promise<Buffer> {
  // 'w' = WRITE|CREAT|TRUNC for a fresh file; 'r+' = READ|WRITE keeps bytes already there.
  const flags = resumeAt > 0 ? 'r+' : 'w'
  return new Promise((resolve, reject) => {
    if (!channelOpen(sftp)) return reject(closedError(remote))
    sftp.open(remote, flags, (err, handle) => (err ? reject(sftpError(err, remote)) : resolve(handle)))
  })
}

export function openForRead(sftp: SFTPWrapper, remote: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (!channelOpen(sftp)) return reject(closedError(remote))
    sftp.open(remote, 'r', (err, handle) => (err ? reject(sftpError(err, remote)) : resolve(handle)))
  })
}

export function closeHandle(sftp: SFTPWrapper, handle: Buffer, remote: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!channelOpen(sftp)) return reject(closedError(remote))
    sftp.close(handle, (err) => (err ? reject(sftpError(err, remote)) : resolve()))
  })
}

/** Reads up to `length` bytes at `position`; fewer at end of file. */
export function readAt(sftp: SFTPWrapper, handle: Buffer, remote: string, length: number, position: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (!channelOpen(sftp)) return reject(closedError(remote))
    const buf = Buffer.alloc(length)
    sftp.read(handle, buf, 0, length, position, (err, bytesRead) => {
      if (err) {
        if ((err as { code?: number }).code === SFTP_STATUS.EOF) resolve(buf.subarray(0, 0))
        else reject(sftpError(err, remote))
      } else resolve(buf.subarray(0, bytesRead))
    })
  })
}

/** Size of a remote file, or null when there is none. */
export function statSize(sftp: SFTPWrapper, remote: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (!channelOpen(sftp)) return reject(closedError(remote))
    sftp.stat(remote, (err: unknown, stats: Stats) => {
      if (!err) resolve(stats.size)
      else if ((err as { code?: number }).code === SFTP_STATUS.NO_SUCH_FILE) resolve(null)
      else reject(sftpError(err, remote))
    })
  })
}

export function rename(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!channelOpen(sftp)) return reject(closedError(from))
    sftp.rename(from, to, (err) => (err ? reject(sftpError(err, from)) : resolve()))
  })
}

export function remove(sftp: SFTPWrapper, remote: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!channelOpen(sftp)) return reject(closedError(remote))
    sftp.unlink(remote, (err) => {
      if (!err || (err as { code?: number }).code === SFTP_STATUS.NO_SUCH_FILE) resolve()
      else reject(sftpError(err, remote))
    })
  })
}

/**
 * The largest WRITE payload the server accepts. ssh2 negotiates it (limits@openssh.com) but
 * keeps it private; a larger write would be split by ssh2 into requests sent one after the
 * other, which defeats pipelining.
 */
export function maxWriteLength(sftp: SFTPWrapper): number {
  const negotiated = (sftp as unknown as { _maxWriteLen?: number })._maxWriteLen
  return typeof negotiated === 'number' && negotiated > 0 ? negotiated : 32 * 1024
}

/**
 * Round trips timed, one after another: the link's latency is their floor, and a busy computer
 * only adds to a sample (one sample on a loaded 2-core machine took loopback for a 30 ms link).
 * The listing that runs beside them takes at least as many round trips (open, read, read to the
 * end), so they cost no extra wait.
 */
const ROUND_TRIP_SAMPLES = 3

/**
 * The link's round trip in milliseconds: the quickest of a few requests the server answers at
 * once (the real path of the login folder); null when none was answered (the caller then
 * assumes a short link).
 */
export async function timeRoundTrip(sftp: SFTPWrapper): Promise<number | null> {
  let quickest: number | null = null
  for (let i = 0; i < ROUND_TRIP_SAMPLES; i++) {
    const ms = await timeOneRoundTrip(sftp)
    if (ms === null) break
    quickest = Math.min(quickest ?? ms, ms)
  }
  return quickest
}

function timeOneRoundTrip(sftp: SFTPWrapper): Promise<number | null> {
  return new Promise((resolve) => {
    if (!channelOpen(sftp)) return resolve(null)
    const sent = performance.now()
    sftp.realpath('.', (err) => resolve(err ? null : performance.now() - sent))
  })
}
