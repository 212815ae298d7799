/**
 * SFTP operations on paths: STAT, LSTAT, SETSTAT, OPENDIR, READDIR, REMOVE, RMDIR, MKDIR,
 * REALPATH, RENAME. Every path goes through the jail first.
 */
import { stat, lstat, readdir, unlink, rmdir, mkdir, rename } from 'node:fs/promises'
import path from 'node:path'
import type { Attributes, FileEntry } from 'ssh2'
import { longName, toAttrs } from './attrs'
import { applyAttrs, S3_SETSTAT_REFUSED } from './file-ops'
import { SftpError, STATUS } from './sftp-status'
import type { HandleTable, OpenDir, ServerContext } from './session-context'
import type { Reply } from './reply'

const OK: Reply = { kind: 'status', code: STATUS.OK }

/** STAT (follows links, inside the jail) and LSTAT (does not). */
export async function statPath(ctx: ServerContext, p: string, follow: boolean): Promise<Reply> {
  const { local } = await ctx.jail.resolve(p, { follow })
  return { kind: 'attrs', attrs: toAttrs(await (follow ? stat(local) : lstat(local))) }
}

/** SETSTAT: refused in s3 mode unless ignored; applied in posix mode. */
export async function setstatPath(ctx: ServerContext, p: string, attrs: Attributes): Promise<Reply> {
  const { local } = await ctx.jail.resolve(p)
  if (ctx.mode === 's3') {
    if (!ctx.s3.ignoreSetstat) throw new SftpError(STATUS.FAILURE, S3_SETSTAT_REFUSED)
    await stat(local)
    return OK
  }
  await applyAttrs(local, attrs)
  return OK
}

/** OPENDIR: a handle for paged READDIR. */
export async function openDir(ctx: ServerContext, table: HandleTable, p: string): Promise<Reply> {
  const { virtual, local } = await ctx.jail.resolve(p)
  if (!(await stat(local)).isDirectory()) throw new SftpError(STATUS.FAILURE, 'Not a directory')
  const dir: OpenDir = { kind: 'dir', virtual, local, pending: null }
  return { kind: 'handle', handle: table.add(dir) }
}

/** Entries per READDIR reply, as OpenSSH sends: keeps every reply far below packet limits. */
export const READDIR_BATCH = 100

/** READDIR: the listing in batches of 100, then EOF. Hidden names never appear. */
export async function readDir(ctx: ServerContext, dir: OpenDir): Promise<Reply> {
  if (dir.pending === null) {
    const names = await readdir(dir.local)
    dir.pending = ['.', '..', ...names.filter((name) => dir.virtual !== '/' || !isHidden(ctx, name))]
  }
  const names: FileEntry[] = []
  // Names removed since the folder was read are skipped; a batch is empty only at the end.
  while (names.length === 0 && dir.pending.length > 0) {
    const batch = dir.pending.splice(0, READDIR_BATCH)
    const infos = await Promise.all(batch.map((name) => lstat(path.join(dir.local, name)).catch(() => null)))
    batch.forEach((name, i) => {
      const info = infos[i]
      if (info) names.push({ filename: name, longname: longName(name, info), attrs: toAttrs(info) })
    })
  }
  if (names.length === 0) return { kind: 'status', code: STATUS.EOF }
  return { kind: 'name', names }
}

function isHidden(ctx: ServerContext, name: string): boolean {
  try {
    ctx.jail.virtual(`/${name}`)
    return false
  } catch {
    return true // the s3 staging area
  }
}

/** REMOVE: unlinks a file or a link itself (never what a link points to). */
export async function removePath(ctx: ServerContext, p: string): Promise<Reply> {
  const { local, virtual } = await ctx.jail.resolve(p, { follow: false })
  if (virtual === '/') throw new SftpError(STATUS.PERMISSION_DENIED, 'Permission denied')
  await unlink(local)
  return OK
}

/** RMDIR: removes an empty folder; the root cannot be removed. */
export async function rmdirPath(ctx: ServerContext, p: string): Promise<Reply> {
  const { local, virtual } = await ctx.jail.resolve(p, { follow: false })
  if (virtual === '/') throw new SftpError(STATUS.PERMISSION_DENIED, 'Permission denied')
  await rmdir(local)
  return OK
}

/** MKDIR: creates one folder (mode from the request, else 0755). */
export async function mkdirPath(ctx: ServerContext, p: string, attrs: Attributes): Promise<Reply> {
  const { local } = await ctx.jail.resolve(p)
  await mkdir(local, { mode: attrs.mode !== undefined ? attrs.mode & 0o777 : 0o755 })
  return OK
}

/** REALPATH: the normalised virtual path; `.` is `/`, the login directory. */
export async function realPath(ctx: ServerContext, p: string): Promise<Reply> {
  const { virtual } = await ctx.jail.resolve(p)
  return { kind: 'name', names: [{ filename: virtual, longname: virtual, attrs: {} as Attributes }] }
}

/**
 * RENAME: as OpenSSH does for SFTP v3, an existing target is not replaced (FAILURE). In s3
 * mode it is allowed unless `s3.allowRename` is false (then OP_UNSUPPORTED).
 */
export async function renamePath(ctx: ServerContext, from: string, to: string): Promise<Reply> {
  if (ctx.mode === 's3' && !ctx.s3.allowRename) throw new SftpError(STATUS.OP_UNSUPPORTED, 'Rename is not supported by this server')
  const src = await ctx.jail.resolve(from, { follow: false })
  const dst = await ctx.jail.resolve(to, { follow: false })
  if (src.virtual === '/' || dst.virtual === '/') throw new SftpError(STATUS.PERMISSION_DENIED, 'Permission denied')
  await lstat(src.local)
  if (await lstat(dst.local).catch(() => null)) throw new SftpError(STATUS.FAILURE, 'File exists')
  await rename(src.local, dst.local)
  return OK
}
