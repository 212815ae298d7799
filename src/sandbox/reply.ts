/** What a request handler answers; the session sends it, possibly after a fault delay. */
import type { Attributes, FileEntry } from 'ssh2'

/** One SFTP response, built by an operation and sent by the session. */
export type Reply =
  | { kind: 'status'; code: number; message?: string }
  | { kind: 'handle'; handle: Buffer }
  | { kind: 'data'; data: Buffer }
  | { kind: 'attrs'; attrs: Attributes }
  | { kind: 'name'; names: FileEntry[] }
