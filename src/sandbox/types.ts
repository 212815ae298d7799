/**
 * Options, faults and statistics of the embedded SFTP server. Kept apart from the server so
 * the CLI, the UI host and tests can import the shapes without starting anything.
 */

/**
 * `posix` behaves like OpenSSH (offset writes, append, rename, setstat). `s3` behaves like AWS
 * Transfer Family on S3: sequential writes from offset 0 only, no append, SETSTAT refused,
 * at most 10 channels per connection, a file visible only once its handle is closed.
 *
 * What an s3-mode client sees (status number, then the exact message):
 * - WRITE not at the next offset: OP_UNSUPPORTED (8) `Random access writes are not supported:
 *   write sequentially from offset 0 (write at offset X where Y was expected)`; the upload is
 *   aborted: its CLOSE fails with FAILURE (4) `Upload aborted: ...` and no file appears.
 * - OPEN with the append flag: OP_UNSUPPORTED (8) `Append is not supported by this server`;
 *   OPEN for reading and writing: OP_UNSUPPORTED (8).
 * - SETSTAT/FSETSTAT (chmod, utimes, truncate): FAILURE (4) `SETSTAT is not supported by this
 *   server`, unless `s3.ignoreSetstat`.
 * - RENAME when `s3.allowRename` is false: OP_UNSUPPORTED (8) `Rename is not supported by this
 *   server`.
 * - An RSA key signing with SHA-1 (`ssh-rsa`): authentication refused; rsa-sha2-256/512 pass.
 * - An 11th session channel on one connection: the channel open is refused (ssh2 reports
 *   `(SSH) Channel open failure`).
 * - A file being written: STAT/LSTAT/OPEN for reading answer NO_SUCH_FILE (2), READDIR omits
 *   it, until CLOSE; a connection dropped before CLOSE leaves nothing.
 * In both modes, a path leaving the served folder (`..` above `/`, or a symlink pointing
 * out): PERMISSION_DENIED (3) `Permission denied: path leaves the served folder`; RENAME onto
 * an existing name: FAILURE (4) `File exists`.
 */
export type SandboxMode = 'posix' | 's3'

/**
 * Faults for tests, changeable at any time with `setFaults`. What a client sees:
 *
 * - `cutAfterBytes`: once this many WRITE payload bytes have been received (counted from when
 *   the knob was set, all connections together), the bytes up to the limit are stored and the
 *   TCP connection that carried the crossing WRITE is destroyed without a reply. One-shot:
 *   it disarms after firing (set it again to cut again). The client sees the connection close
 *   (ECONNRESET / "Connection lost" / "No response from server").
 * - `denyFiles`: base names (or `/`-rooted paths) whose OPEN for writing fails with
 *   SSH_FX_PERMISSION_DENIED (3), message `Permission denied: <name>`.
 * - `quotaBytes`: total WRITE payload bytes the server stores (counted from server start,
 *   across all connections; refused writes do not count). A WRITE that would pass it stores
 *   nothing and fails with
 *   SSH_FX_FAILURE (4), message `No space left on device (quota of N bytes reached)`;
 *   engines map /no space|quota/i to DISK_FULL.
 * - `throttleBytesPerSecond`: READ and WRITE replies are held so data flows at about this
 *   rate (server-wide).
 * - `replyDelayMs`: every SFTP reply is held this long (models a distant server).
 */
export interface SandboxFaults {
  cutAfterBytes: number | null
  denyFiles: string[]
  quotaBytes: number | null
  throttleBytesPerSecond: number | null
  replyDelayMs: number
}

/** s3-mode switches; defaults follow AWS Transfer Family on S3. */
export interface S3Options {
  /**
   * Accept SETSTAT/FSETSTAT as a no-op instead of failing it. AWS fails them; some clients
   * (ssh2's write stream) send one after OPEN regardless. @default false
   */
  ignoreSetstat: boolean
  /**
   * Allow RENAME of files. AWS Transfer Family on S3 does support renaming a file (a copy and
   * delete behind the scenes), so this defaults to true; set false to model a server that
   * refuses it (SSH_FX_OP_UNSUPPORTED). @default true
   */
  allowRename: boolean
  /** Session channels allowed per connection. @default 10 */
  maxChannels: number
}

/** How to start a sandbox (`startSandbox`). */
export interface SandboxOptions {
  /** The folder served as the login directory `/`; created if missing. */
  root: string
  /** @default '127.0.0.1' */
  host?: string
  /** 0 picks a free port. @default 0 */
  port?: number
  /** @default 'posix' */
  mode?: SandboxMode
  /**
   * Public keys allowed to log in: OpenSSH one-line keys, or an authorized_keys file read
   * on every login (so keys added later work without a restart).
   */
  authorizedKeys: string[] | { file: string }
  /**
   * Where the host key lives. Created (Ed25519, 0600) when missing and reused afterwards, so
   * the fingerprint a user pinned stays valid. Without it a fresh key is made per start.
   */
  hostKeyPath?: string
  /** The only user name accepted. @default 'sandbox' */
  username?: string
  faults?: Partial<SandboxFaults>
  s3?: Partial<S3Options>
}

/** Counters tests read to see what the server received. */
export interface SandboxStats {
  /** WRITE payload bytes received (stored or not). */
  bytesReceived: number
  /** Session channels open right now. */
  openChannels: number
  /** TCP connections accepted since start. */
  connections: number
  /** TCP connections open right now. */
  activeConnections: number
}

/** A running sandbox: where to connect, how to recognise it, and its test controls. */
export interface SandboxServer {
  host: string
  port: number
  username: string
  mode: SandboxMode
  root: string
  /** `SHA256:...` of the host key, as OpenSSH prints it. */
  hostKeyFingerprint: string
  /** `[host]:port ssh-ed25519 AAAA...`: what `ssh-keyscan -p port host` would print. */
  knownHostsLine: string
  /** A live view of the counters. */
  readonly stats: SandboxStats
  /** Changes faults from now on; omitted knobs keep their value. */
  setFaults(faults: Partial<SandboxFaults>): void
  /** Stops listening and drops every connection; resolves when all are closed. */
  close(): Promise<void>
}
