/**
 * One SFTP session of the sandbox: routes each request to its operation, answers with the
 * right status (after any fault delay), and cleans up open handles when the session ends.
 */
import type { Attributes, SFTPWrapper } from 'ssh2'
import { abandonFile, closeFile, fsetstat, fstat, onHandle, openFile, readFile, writeFile } from './file-ops'
import { mkdirPath, openDir, readDir, realPath, removePath, renamePath, rmdirPath, setstatPath, statPath } from './path-ops'
import { HandleTable, type OpenFile, type ServerContext } from './session-context'
import { SftpError, STATUS, toSftpStatus } from './sftp-status'
import type { Reply } from './reply'

function send(sftp: SFTPWrapper, reqid: number, reply: Reply): void {
  switch (reply.kind) {
    case 'status':
      sftp.status(reqid, reply.code, reply.message)
      return
    case 'handle':
      sftp.handle(reqid, reply.handle)
      return
    case 'data':
      sftp.data(reqid, reply.data)
      return
    case 'attrs':
      sftp.attrs(reqid, reply.attrs)
      return
    case 'name':
      sftp.name(reqid, reply.names)
  }
}

/**
 * Serves SFTP on an accepted subsystem channel.
 * @param cut destroys this session's TCP connection (the cutAfterBytes fault)
 */
export function serveSftp(sftp: SFTPWrapper, ctx: ServerContext, cut: () => void): void {
  const table = new HandleTable()
  let ended = false

  /** Runs a request; `writeBytes` feeds the throttle for WRITE, DATA replies feed it too. */
  const answer = (reqid: number, work: () => Promise<Reply | null>, writeBytes = 0): void => {
    work().then(
      (reply) => {
        if (reply === null) return
        deliver(reqid, reply, reply.kind === 'data' ? reply.data.length : writeBytes)
      },
      (err: unknown) => {
        const { status, message } = toSftpStatus(err)
        deliver(reqid, { kind: 'status', code: status, message }, 0)
      },
    )
  }
  const deliver = (reqid: number, reply: Reply, dataBytes: number): void => {
    const delay = ctx.faults.replyDelay(dataBytes)
    const go = (): void => {
      if (!ended) send(sftp, reqid, reply)
    }
    if (delay > 0) setTimeout(go, delay)
    else go()
  }
  const fileOf = (handle: Buffer): OpenFile => {
    const h = table.get(handle)
    if (h?.kind !== 'file') throw new SftpError(STATUS.FAILURE, 'Invalid handle')
    return h
  }

  sftp.on('OPEN', (reqid: number, filename: string, flags: number, attrs: Attributes) =>
    answer(reqid, () => openFile(ctx, table, filename, flags, attrs)),
  )
  sftp.on('WRITE', (reqid: number, handle: Buffer, offset: number, data: Buffer) =>
    answer(
      reqid,
      async () => {
        const file = fileOf(handle)
        return onHandle(file, () => writeFile(ctx, file, offset, data, cut))
      },
      data.length,
    ),
  )
  sftp.on('READ', (reqid: number, handle: Buffer, offset: number, length: number) =>
    answer(reqid, async () => {
      const file = fileOf(handle)
      return onHandle(file, () => readFile(file, offset, length))
    }),
  )
  sftp.on('FSTAT', (reqid: number, handle: Buffer) => answer(reqid, async () => fstat(fileOf(handle))))
  sftp.on('FSETSTAT', (reqid: number, handle: Buffer, attrs: Attributes) =>
    answer(reqid, async () => {
      const file = fileOf(handle)
      return onHandle(file, () => fsetstat(ctx, file, attrs))
    }),
  )
  sftp.on('CLOSE', (reqid: number, handle: Buffer) =>
    answer(reqid, async () => {
      const h = table.get(handle)
      if (!h) throw new SftpError(STATUS.FAILURE, 'Invalid handle')
      table.delete(handle)
      if (h.kind === 'dir') return { kind: 'status', code: STATUS.OK }
      return onHandle(h, () => closeFile(h))
    }),
  )
  sftp.on('OPENDIR', (reqid: number, p: string) => answer(reqid, () => openDir(ctx, table, p)))
  sftp.on('READDIR', (reqid: number, handle: Buffer) =>
    answer(reqid, async () => {
      const h = table.get(handle)
      if (h?.kind !== 'dir') throw new SftpError(STATUS.FAILURE, 'Invalid handle')
      return readDir(ctx, h)
    }),
  )
  sftp.on('STAT', (reqid: number, p: string) => answer(reqid, () => statPath(ctx, p, true)))
  sftp.on('LSTAT', (reqid: number, p: string) => answer(reqid, () => statPath(ctx, p, false)))
  sftp.on('SETSTAT', (reqid: number, p: string, attrs: Attributes) => answer(reqid, () => setstatPath(ctx, p, attrs)))
  sftp.on('REMOVE', (reqid: number, p: string) => answer(reqid, () => removePath(ctx, p)))
  sftp.on('RMDIR', (reqid: number, p: string) => answer(reqid, () => rmdirPath(ctx, p)))
  sftp.on('MKDIR', (reqid: number, p: string, attrs: Attributes) => answer(reqid, () => mkdirPath(ctx, p, attrs)))
  sftp.on('REALPATH', (reqid: number, p: string) => answer(reqid, () => realPath(ctx, p)))
  sftp.on('RENAME', (reqid: number, from: string, to: string) => answer(reqid, () => renamePath(ctx, from, to)))
  const unsupported = (reqid: number): void => sftp.status(reqid, STATUS.OP_UNSUPPORTED, 'Operation unsupported')
  // Links could point out of the served folder: neither read nor made.
  sftp.on('READLINK', unsupported)
  sftp.on('SYMLINK', unsupported)
  sftp.on('EXTENDED', unsupported)

  const cleanup = (): void => {
    if (ended) return
    ended = true
    for (const h of table.drain()) if (h.kind === 'file') void onHandle(h, () => abandonFile(h))
  }
  sftp.on('close', cleanup)
  // The client sent EOF (OpenSSH's sftp does at the end of a batch): close our side too.
  sftp.on('end', () => {
    cleanup()
    sftp.end()
  })
}
