/**
 * `mediaUrl` for the web host: the media route wants the session secret in a header (never in
 * a URL or a cookie, see main/web-host/auth.ts), which an audio element cannot send; so the
 * recording is fetched with it and played from a blob URL, which seeks without the network.
 * One recording is held at a time: asking for the next frees the last.
 */
import type { AppErrorPayload, Result } from '../../src/api'
import { MEDIA_PATH } from '../../src/api-calls'

const REFUSED: AppErrorPayload = {
  code: 'NOT_FOUND',
  message: 'This recording cannot be played: it is no longer part of the checked batch. Check the batch again.',
}

export function createMediaFetcher(secret: string, fetchFn: typeof fetch = fetch) {
  let current: string | null = null
  return async function mediaUrl(media: string): Promise<Result<string>> {
    if (current !== null) URL.revokeObjectURL(current)
    current = null
    let res: Response
    try {
      res = await fetchFn(MEDIA_PATH + encodeURIComponent(media), { headers: { Authorization: `Bearer ${secret}` } })
    } catch {
      return { ok: false, error: { code: 'CONNECTION_LOST', message: 'The app\'s host cannot be reached. Check that bulk-upload serve is still running, then try again.' } }
    }
    if (!res.ok) return { ok: false, error: REFUSED }
    current = URL.createObjectURL(await res.blob())
    return { ok: true, value: current }
  }
}
