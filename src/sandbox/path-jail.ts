/**
 * Keeps every client path inside the served folder. Client paths are virtual: `/` is the
 * served root and relative paths start there. A path whose `..` climbs above `/` is refused,
 * and the real (symlink-resolved) location of the target, or of its parent for operations
 * that do not follow links, must stay inside the root's real path.
 */
import { realpath } from 'node:fs/promises'
import path from 'node:path'
import { SftpError, STATUS } from './sftp-status'

/** A client path after the jail checked it. */
export interface JailedPath {
  /** Normalised client-visible path, always starting with `/`. */
  virtual: string
  /** Where it lives on this computer. */
  local: string
}

/** Resolves client paths inside one served folder (see the file comment). */
export class PathJail {
  /**
   * @param root the served folder's real path (already resolved through symlinks)
   * @param hidden top-level names clients can never see (the s3 staging area)
   */
  constructor(
    readonly root: string,
    private readonly hidden: readonly string[] = [],
  ) {}

  /** Normalises a client path to a virtual absolute path, refusing a climb above `/`. */
  virtual(clientPath: string): string {
    const parts: string[] = []
    for (const seg of clientPath.split('/')) {
      if (seg === '' || seg === '.') continue
      if (seg === '..') {
        if (parts.length === 0) throw new SftpError(STATUS.PERMISSION_DENIED, 'Permission denied: path leaves the served folder')
        parts.pop()
        continue
      }
      if (seg.includes('\\') || seg.includes('\0')) throw new SftpError(STATUS.PERMISSION_DENIED, 'Permission denied: unsafe file name')
      parts.push(seg)
    }
    if (parts.length > 0 && this.hidden.includes(parts[0]!)) throw new SftpError(STATUS.NO_SUCH_FILE, 'No such file or directory')
    return '/' + parts.join('/')
  }

  private inside(real: string): boolean {
    return real === this.root || real.startsWith(this.root.endsWith(path.sep) ? this.root : this.root + path.sep)
  }

  /** The real path of `local` or, when it does not exist yet, of its nearest existing parent. */
  private async nearestReal(local: string): Promise<string> {
    let current = local
    for (;;) {
      try {
        return await realpath(current)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        const parent = path.dirname(current)
        if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) throw err
        current = parent
      }
    }
  }

  /**
   * Resolves a client path. `follow: false` (lstat, remove, rename source) checks only the
   * parent, so a symlink itself can be listed or removed but never followed out.
   */
  async resolve(clientPath: string, options: { follow: boolean } = { follow: true }): Promise<JailedPath> {
    const virtual = this.virtual(clientPath)
    const local = virtual === '/' ? this.root : path.join(this.root, ...virtual.slice(1).split('/'))
    const checked = options.follow || virtual === '/' ? local : path.dirname(local)
    const real = await this.nearestReal(checked)
    if (!this.inside(real)) throw new SftpError(STATUS.PERMISSION_DENIED, 'Permission denied: path leaves the served folder')
    return { virtual, local }
  }
}
