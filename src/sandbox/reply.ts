/** What a request handler answers; the session sends it, possibly after a fault delay. */
import type { Attributes, FileEntry } from 'ssh2'

export type Reply =
  | { kind: 'status'; code: number; message?: string }
  | { kind: 'handle'; handle: Buffer }
  | { kind: 'data'; data: Buffer }
  | { kind: 'attrs'; attrs: Attributes }
  | { kind: 'name'; names: FileEntry[] }
