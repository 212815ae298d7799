/**
 * How a page served by `bulk-upload serve` gets its session secret (main/web-host/auth.ts):
 * the printed address ends in `#code=…`, a one-time code. The page takes it out of the address
 * bar at once (history.replaceState, so neither history nor a copied address keeps it), spends
 * it at POST /session, and keeps the secret in sessionStorage: a reload of this tab keeps
 * working, other tabs and later visits need a new address. Nothing goes in cookies.
 */
import type { AppErrorPayload } from '../../src/api'
import { CODE_PARAM, SESSION_MESSAGES, SESSION_PATH } from '../../src/api-calls'

export const SESSION_STORAGE_KEY = 'bulk-upload-session'

export interface SessionEnv {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>
  history: Pick<History, 'replaceState'>
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>
  fetch: typeof fetch
}

export type SessionResult = { ok: true; secret: string } | { ok: false; error: AppErrorPayload }

const spent = (): SessionResult => ({ ok: false, error: { code: 'ACCESS_CODE_SPENT', message: SESSION_MESSAGES.ACCESS_CODE_SPENT } })

/** The code in the address's fragment, if any. */
export function codeFromHash(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, '')).get(CODE_PARAM)
}

export async function openWebSession(env: SessionEnv): Promise<SessionResult> {
  const code = codeFromHash(env.location.hash)
  if (code !== null) {
    // Out of the address bar before anything else can read or record it.
    env.history.replaceState(null, '', env.location.pathname + env.location.search)
    let res: Response
    try {
      res = await env.fetch(SESSION_PATH, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code }), credentials: 'omit', cache: 'no-store' })
    } catch {
      return { ok: false, error: { code: 'CONNECTION_LOST', message: SESSION_MESSAGES.SESSION_ENDED } }
    }
    const body = (await res.json().catch(() => ({}))) as { secret?: unknown; error?: AppErrorPayload }
    if (res.ok && typeof body.secret === 'string') {
      env.storage.setItem(SESSION_STORAGE_KEY, body.secret)
      return { ok: true, secret: body.secret }
    }
    // A spent code must not fall back to an older secret of this tab: say what happened.
    env.storage.removeItem(SESSION_STORAGE_KEY)
    return body.error ? { ok: false, error: body.error } : spent()
  }
  const kept = env.storage.getItem(SESSION_STORAGE_KEY)
  return kept ? { ok: true, secret: kept } : spent()
}

/** Forgets this tab's secret (the host refused it). */
export function forgetWebSession(storage: Pick<Storage, 'removeItem'>): void {
  storage.removeItem(SESSION_STORAGE_KEY)
}

/**
 * A new address pasted into a tab of the same host differs from the page's only by its
 * fragment, which the browser handles without loading anything: the tab kept saying "Open a
 * new address" (or kept its old session) until reloaded. On a fragment carrying a code the page
 * loads again, and the load spends the code as a fresh tab would. Returns the way to stop.
 */
export function reloadOnNewAddress(win: Pick<Window, 'addEventListener' | 'removeEventListener'> & { location: Pick<Location, 'hash' | 'reload'> }): () => void {
  const onHash = () => {
    if (codeFromHash(win.location.hash) !== null) win.location.reload()
  }
  win.addEventListener('hashchange', onHash)
  return () => win.removeEventListener('hashchange', onHash)
}
