/**
 * Who may talk to the web host: only a client holding the random access token printed by
 * `bulk-upload serve`. The token arrives in the address (`?token=`) once; the host then sets
 * an HttpOnly, SameSite=Strict cookie so the page's own files and its WebSocket carry it.
 * The Host header must name this server (a DNS-rebinding page cannot pass), and a browser's
 * WebSocket must come from this server's own origin (another local page cannot hijack it).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { TOKEN_PARAM } from '../../src/api-calls'

/** 32 random bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Cookies ignore ports, so two hosts on one machine each get their own cookie name. */
export function cookieName(port: number): string {
  return `bulk_upload_token_${port}`
}

export function sameToken(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return null
}

export interface AccessCheck {
  ok: boolean
  /** The token came in the address: the response should set the cookie. */
  fromQuery: boolean
}

/** Checks the token of a request, from the query or from the cookie. */
export function checkToken(req: IncomingMessage, url: URL, token: string, port: number): AccessCheck {
  if (sameToken(url.searchParams.get(TOKEN_PARAM), token)) return { ok: true, fromQuery: true }
  return { ok: sameToken(cookieValue(req.headers.cookie, cookieName(port)), token), fromQuery: false }
}

/** The names this server answers to; anything else is refused (DNS rebinding). */
export function allowedHost(hostHeader: string | undefined, port: number): boolean {
  return hostHeader === `127.0.0.1:${port}` || hostHeader === `localhost:${port}`
}

/** A browser's WebSocket must come from our page; non-browser clients send no Origin and still need the token. */
export function allowedOrigin(origin: string | undefined, port: number): boolean {
  return origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`
}

export function tokenCookie(token: string, port: number): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`
}
