/**
 * Who may talk to the web host. No secret ever travels in a cookie (browsers send 127.0.0.1's
 * cookies to every port), a request URL, a command line or a log line:
 * - the printed address carries a one-time code in its fragment (never sent in a request);
 * - the page POSTs the code once to /session and gets a session secret, kept in the page
 *   (sessionStorage, for reloads of that tab); the code is spent on first use and expires
 *   after a few minutes either way;
 * - the secret is the first message on the WebSocket; a socket that does not send a known one
 *   is closed with SESSION_CLOSE_CODE.
 * The Host header must name this server (a DNS-rebinding page cannot pass), and the session
 * exchange and the WebSocket must come from this server's own origin.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'

/** How long a printed address stays usable if nobody opens it. */
export const CODE_TTL_MS = 5 * 60_000

/** WebSocket close code for "no valid session" (4000-4999 are the application's). */
export const SESSION_CLOSE_CODE = 4401

/** 32 random bytes, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url')
}

export function sameSecret(given: unknown, secret: string): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(given)
  const b = Buffer.from(secret)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Issues one-time codes and the session secrets they are exchanged for; all in memory. */
export class SessionKeeper {
  private readonly codes = new Map<string, number>()
  private readonly secrets = new Set<string>()

  constructor(
    private readonly ttlMs = CODE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fresh code, valid once, for `ttlMs`. */
  newCode(): string {
    this.prune()
    const code = newSecret()
    this.codes.set(code, this.now() + this.ttlMs)
    return code
  }

  /** Spends `code` and returns a new session secret, or null when it is unknown, used or expired. */
  exchange(code: unknown): string | null {
    this.prune()
    if (typeof code !== 'string') return null
    // Compared one by one in constant time: a map lookup would leak nothing useful, but this keeps one rule.
    for (const [known] of this.codes) {
      if (!sameSecret(code, known)) continue
      this.codes.delete(known)
      const secret = newSecret()
      this.secrets.add(secret)
      return secret
    }
    return null
  }

  /** True when `secret` was handed out by this process. */
  validSecret(secret: unknown): boolean {
    for (const known of this.secrets) if (sameSecret(secret, known)) return true
    return false
  }

  private prune(): void {
    const now = this.now()
    for (const [code, expires] of this.codes) if (expires <= now) this.codes.delete(code)
  }
}

/** The names this server answers to; anything else is refused (DNS rebinding). */
export function allowedHost(hostHeader: string | undefined, port: number): boolean {
  return hostHeader === `127.0.0.1:${port}` || hostHeader === `localhost:${port}`
}

/** A browser's WebSocket must come from our page; non-browser clients send no Origin and still need a secret. */
export function allowedOrigin(origin: string | undefined, port: number): boolean {
  return origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`
}
