/**
 * SFTP operations on open files: OPEN, READ, WRITE, FSTAT, FSETSTAT, CLOSE, in both modes.
 * s3 mode writes into a staging file that CLOSE moves into place, so a file is visible only
 * once closed, and refuses anything but strictly sequential writes from offset 0.
 */
import { open, stat, rename, unlink, truncate, chmod, utimes } from 'node:fs/promises'
import { constants } from 'node:fs'
import { randomUUID } from 'node:crypto'
import path from 'node:path'
import ssh2, { type Attributes } from 'ssh2'
import { toAttrs } from './attrs'
import { SftpError, STATUS } from './sftp-status'
import type { HandleTable, OpenFile, ServerContext } from './session-context'
import type { Reply } from './reply'

const FLAG = ssh2.utils.sftp.OPEN_MODE
/** Largest DATA reply: OpenSSH's sftp asks for 32 KiB and so does ssh2. */
const MAX_READ = 32 * 1024

/** The message of the FAILURE an s3-mode SETSTAT/FSETSTAT gets (engines may match it). */
export const S3_SETSTAT_REFUSED = 'SETSTAT is not supported by this server'

function fsFlags(flags: number): number {
  const rw = flags & FLAG.READ && flags & FLAG.WRITE ? constants.O_RDWR : flags & FLAG.WRITE ? constants.O_WRONLY : constants.O_RDONLY
  let out = rw
  if (flags & FLAG.CREAT) out |= constants.O_CREAT
  if (flags & FLAG.TRUNC) out |= constants.O_TRUNC
  if (flags & FLAG.EXCL) out |= constants.O_EXCL
  if (flags & FLAG.APPEND) out |= constants.O_APPEND
  return out
}

async function openS3Write(ctx: ServerContext, virtual: string, local: string, flags: number): Promise<OpenFile> {
  if (flags & FLAG.APPEND) throw new SftpError(STATUS.OP_UNSUPPORTED, 'Append is not supported by this server')
  if (flags & FLAG.READ) throw new SftpError(STATUS.OP_UNSUPPORTED, 'Opening a file for reading and writing is not supported by this server')
  const parent = await stat(path.dirname(local)).catch(() => null)
  if (!parent?.isDirectory()) throw new SftpError(STATUS.NO_SUCH_FILE, 'No such file or directory')
  const existing = await stat(local).catch(() => null)
  if (existing?.isDirectory()) throw new SftpError(STATUS.FAILURE, 'Is a directory')
  if (existing && flags & FLAG.EXCL) throw new SftpError(STATUS.FAILURE, 'File exists')
  if (!existing && !(flags & FLAG.CREAT)) throw new SftpError(STATUS.NO_SUCH_FILE, 'No such file or directory')
  const staging = path.join(ctx.stagingDir, randomUUID())
  const fd = await open(staging, 'w', 0o644)
  return { kind: 'file', fd, virtual, local, readable: false, writable: true, staging, nextOffset: 0, aborted: null, queue: Promise.resolve() }
}

/** OPEN: refuses denied names (fault) and, in s3 mode, append and read-write opens. */
export async function openFile(ctx: ServerContext, table: HandleTable, filename: string, flags: number, attrs: Attributes): Promise<Reply> {
  const { virtual, local } = await ctx.jail.resolve(filename)
  const writable = (flags & FLAG.WRITE) !== 0
  if (writable && ctx.faults.denies(virtual)) throw new SftpError(STATUS.PERMISSION_DENIED, `Permission denied: ${virtual.slice(1)}`)
  if (virtual === '/') throw new SftpError(STATUS.FAILURE, 'Is a directory')
  let file: OpenFile
  if (writable && ctx.mode === 's3') {
    file = await openS3Write(ctx, virtual, local, flags)
  } else {
    const info = await stat(local).catch(() => null)
    if (info?.isDirectory()) throw new SftpError(STATUS.FAILURE, 'Is a directory')
    const fd = await open(local, fsFlags(flags), attrs.mode !== undefined ? attrs.mode & 0o777 : 0o644)
    const readable = (flags & FLAG.READ) !== 0 || !writable
    file = { kind: 'file', fd, virtual, local, readable, writable, staging: null, nextOffset: 0, aborted: null, queue: Promise.resolve() }
  }
  return { kind: 'handle', handle: table.add(file) }
}

/** Runs `op` after every earlier operation on the same handle. */
export function onHandle<T>(file: OpenFile, op: () => Promise<T>): Promise<T> {
  const run = file.queue.then(op)
  file.queue = run.then(
    () => undefined,
    () => undefined,
  )
  return run
}

/**
 * WRITE: counts the bytes, fires an armed cut (storing bytes up to the limit, then no reply),
 * enforces the quota, and in s3 mode the strict sequence from offset 0.
 */
export async function writeFile(ctx: ServerContext, file: OpenFile, offset: number, data: Buffer, cut: () => void): Promise<Reply | null> {
  if (!file.writable) throw new SftpError(STATUS.PERMISSION_DENIED, 'Permission denied: file not open for writing')
  const before = ctx.counters.bytesReceived
  ctx.counters.bytesReceived += data.length
  const keep = ctx.faults.cutPoint(before, data.length)
  const sequential = ctx.mode !== 's3' || (file.aborted === null && offset === file.nextOffset)
  if (keep !== null) {
    if (keep > 0 && sequential) await file.fd.write(data, 0, keep, offset)
    ctx.counters.bytesStored += keep
    cut()
    return null
  }
  if (ctx.faults.overQuota(ctx.counters.bytesStored, data.length)) {
    throw new SftpError(STATUS.FAILURE, `No space left on device (quota of ${ctx.faults.faults.quotaBytes} bytes reached)`)
  }
  if (!sequential) {
    file.aborted ??= `write at offset ${offset} where ${file.nextOffset} was expected`
    throw new SftpError(STATUS.OP_UNSUPPORTED, `Random access writes are not supported: write sequentially from offset 0 (${file.aborted})`)
  }
  await file.fd.write(data, 0, data.length, offset)
  ctx.counters.bytesStored += data.length
  file.nextOffset = offset + data.length
  return { kind: 'status', code: STATUS.OK }
}

/** READ: at most 32 KiB per reply; EOF at the end. */
export async function readFile(file: OpenFile, offset: number, length: number): Promise<Reply> {
  if (!file.readable) throw new SftpError(STATUS.PERMISSION_DENIED, 'Permission denied: file not open for reading')
  const buf = Buffer.alloc(Math.min(length, MAX_READ))
  const { bytesRead } = await file.fd.read(buf, 0, buf.length, offset)
  if (bytesRead === 0) return { kind: 'status', code: STATUS.EOF }
  return { kind: 'data', data: buf.subarray(0, bytesRead) }
}

/** Applies SETSTAT attributes to a local path (posix mode). */
export async function applyAttrs(local: string, attrs: Attributes, fd?: OpenFile['fd']): Promise<void> {
  if (attrs.size !== undefined) await (fd ? fd.truncate(attrs.size) : truncate(local, attrs.size))
  const mode = attrs.mode
  if (mode !== undefined) await (fd ? fd.chmod(mode & 0o7777) : chmod(local, mode & 0o7777))
  const { atime, mtime } = attrs
  if (atime !== undefined && mtime !== undefined) await (fd ? fd.utimes(atime, mtime) : utimes(local, atime, mtime))
}

/** FSETSTAT: refused in s3 mode (unless told to ignore it), applied in posix mode. */
export async function fsetstat(ctx: ServerContext, file: OpenFile, attrs: Attributes): Promise<Reply> {
  if (ctx.mode === 's3') {
    if (!ctx.s3.ignoreSetstat) throw new SftpError(STATUS.FAILURE, S3_SETSTAT_REFUSED)
    return { kind: 'status', code: STATUS.OK }
  }
  await applyAttrs(file.local, attrs, file.fd)
  return { kind: 'status', code: STATUS.OK }
}

/** FSTAT: the open file's attributes (in s3 mode, of the upload so far). */
export async function fstat(file: OpenFile): Promise<Reply> {
  return { kind: 'attrs', attrs: toAttrs(await file.fd.stat()) }
}

/** CLOSE: in s3 mode the staged upload becomes visible now, or is discarded if aborted. */
export async function closeFile(file: OpenFile): Promise<Reply> {
  await file.fd.close()
  if (file.staging === null) return { kind: 'status', code: STATUS.OK }
  if (file.aborted !== null) {
    await unlink(file.staging).catch(() => undefined)
    throw new SftpError(STATUS.FAILURE, `Upload aborted: ${file.aborted}`)
  }
  await rename(file.staging, file.local)
  return { kind: 'status', code: STATUS.OK }
}

/** A session ended with this file open: close it; an unfinished s3 upload never appears. */
export async function abandonFile(file: OpenFile): Promise<void> {
  await file.fd.close().catch(() => undefined)
  if (file.staging !== null) await unlink(file.staging).catch(() => undefined)
}
