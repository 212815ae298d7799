/**
 * File attributes as SFTP v3 sends them, and the `ls -l` style long name OpenSSH's `sftp`
 * client prints for `ls -l`.
 */
import type { Stats } from 'node:fs'
import type { Attributes } from 'ssh2'

/** SFTP attributes from Node stats (times in whole seconds, as the protocol carries them). */
export function toAttrs(stats: Stats): Attributes {
  return {
    mode: stats.mode,
    uid: stats.uid,
    gid: stats.gid,
    size: stats.size,
    atime: Math.floor(stats.atimeMs / 1000),
    mtime: Math.floor(stats.mtimeMs / 1000),
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

function permissions(mode: number): string {
  const kind = (mode & 0o170000) === 0o040000 ? 'd' : (mode & 0o170000) === 0o120000 ? 'l' : '-'
  const bits = 'rwxrwxrwx'
  let out = kind
  for (let i = 0; i < 9; i++) out += mode & (1 << (8 - i)) ? bits[i] : '-'
  return out
}

/** `-rw-r--r--    1 0        0            5 Nov 25 12:00 name`, like OpenSSH's server. */
export function longName(name: string, stats: Stats): string {
  const d = stats.mtime
  const when = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2)} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
  return `${permissions(stats.mode)}    1 ${String(stats.uid).padEnd(8)} ${String(stats.gid).padEnd(8)} ${String(stats.size).padStart(8)} ${when} ${name}`
}
