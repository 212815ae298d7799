/**
 * GET/HEAD /media/<handle>: a recording of a batch the user checked, to the session only.
 * The secret comes in the Authorization header, never in the URL or a cookie (auth.ts), so
 * the page fetches the file and plays it from a blob URL. Ranges are served (one range per
 * request, as audio elements and `fetch` ask), so a player reading the route directly can seek.
 * Anything but a recording of a kept check, inside its batch, is 403.
 */
import { createReadStream } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { MEDIA_PATH } from '../../src/api-calls'
import { parseRange, type MediaFile } from '../batch-media'

export interface MediaRouteOptions {
  validSecret(secret: string): boolean
  /** The file a handle names, or null (refused). */
  media(handle: string): Promise<MediaFile | null>
  /** Sets the headers every response of the host carries. */
  securityHeaders(res: ServerResponse): void
}

/** True when the request is for the media route (then `serveMedia` answers it). */
export function isMediaRequest(rawPath: string): boolean {
  return rawPath.startsWith(MEDIA_PATH)
}

function plain(res: ServerResponse, opts: MediaRouteOptions, status: number, text: string): void {
  opts.securityHeaders(res)
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

export async function serveMedia(req: IncomingMessage, res: ServerResponse, rawPath: string, opts: MediaRouteOptions): Promise<void> {
  const auth = req.headers.authorization ?? ''
  const secret = auth.startsWith('Bearer ') ? auth.slice(7) : ''
  if (!opts.validSecret(secret)) return plain(res, opts, 401, 'This needs the session of the page that checked the batch.')
  let handle: string
  try {
    handle = decodeURIComponent(rawPath.slice(MEDIA_PATH.length))
  } catch {
    return plain(res, opts, 403, 'Refused: not a recording of the checked batch.')
  }
  const file = /^[\w-]+\.\d{1,9}$/.test(handle) ? await opts.media(handle) : null
  if (file === null) return plain(res, opts, 403, 'Refused: not a recording of the checked batch.')
  const range = parseRange(req.headers.range, file.size)
  opts.securityHeaders(res)
  res.setHeader('Accept-Ranges', 'bytes')
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${file.size}`, 'Content-Length': 0 })
    return void res.end()
  }
  const { start, end } = range ?? { start: 0, end: file.size - 1 }
  const headers: Record<string, string | number> = { 'Content-Type': file.type, 'Content-Length': Math.max(0, end - start + 1) }
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${file.size}`
  res.writeHead(range ? 206 : 200, headers)
  if (req.method === 'HEAD' || file.size === 0) return void res.end()
  await new Promise<void>((resolve) => {
    const stream = createReadStream(file.path, { start, end })
    stream.on('error', () => {
      res.destroy()
      resolve()
    })
    res.on('close', () => {
      stream.destroy()
      resolve()
    })
    stream.pipe(res)
  })
}
