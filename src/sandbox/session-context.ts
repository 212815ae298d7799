/**
 * What every SFTP session of one sandbox shares (settings, jail, faults, counters), and the
 * per-session handle table. Split out so file and path operations can live in small files.
 */
import type { FileHandle } from 'node:fs/promises'
import type { FaultState } from './faults'
import type { PathJail } from './path-jail'
import type { S3Options, SandboxMode } from './types'

/** Byte counters shared by every connection of one sandbox. */
export interface Counters {
  /** WRITE payload bytes received. */
  bytesReceived: number
  /** WRITE payload bytes stored (what the quota counts). */
  bytesStored: number
}

/** Everything one sandbox's sessions share. */
export interface ServerContext {
  mode: SandboxMode
  s3: S3Options
  jail: PathJail
  faults: FaultState
  counters: Counters
  /** Local folder where s3-mode uploads wait until their handle closes. */
  stagingDir: string
}

/** An open file handle of one session. */
export interface OpenFile {
  kind: 'file'
  fd: FileHandle
  virtual: string
  /** The final location of the file. */
  local: string
  readable: boolean
  writable: boolean
  /** s3 mode, open for writing: the data goes here until CLOSE makes it visible. */
  staging: string | null
  /** s3 mode: the only offset the next WRITE may use. */
  nextOffset: number
  /** s3 mode: why the upload was aborted (an out-of-order write), or null. */
  aborted: string | null
  /** Operations on one handle run in arrival order (a WRITE must not overtake another). */
  queue: Promise<void>
}

/** An open folder handle of one session. */
export interface OpenDir {
  kind: 'dir'
  virtual: string
  local: string
  /** Names not yet sent; null until the first READDIR reads the folder. */
  pending: string[] | null
}

/** Any open handle. */
export type OpenHandle = OpenFile | OpenDir

/** The handles of one SFTP session, keyed by the 4-byte handle sent to the client. */
export class HandleTable {
  private next = 1
  private readonly map = new Map<string, OpenHandle>()

  add(handle: OpenHandle): Buffer {
    const id = Buffer.alloc(4)
    id.writeUInt32BE(this.next++)
    this.map.set(id.toString('hex'), handle)
    return id
  }

  get(id: Buffer): OpenHandle | undefined {
    return this.map.get(id.toString('hex'))
  }

  delete(id: Buffer): void {
    this.map.delete(id.toString('hex'))
  }

  /** Every open handle, emptied out: used when the session ends. */
  drain(): OpenHandle[] {
    const all = [...this.map.values()]
    this.map.clear()
    return all
  }
}
