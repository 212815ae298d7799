/**
 * Electron's way to play a checked batch's recordings: the `bulk-media://recording/<handle>`
 * protocol, under the same rule as the web host's media route (batch-media.ts): only a
 * recording of a check still kept, inside its batch's folders; 403 otherwise. Ranges are
 * served so the audio element seeks. Only the app's own window exists in this session (other
 * navigation is blocked), so the protocol answers nothing to anyone else.
 */
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { protocol } from 'electron'
import { MEDIA_PROTOCOL } from '../src/api-calls'
import { parseRange, type MediaFile } from './batch-media'

/** Scheme privileges: fetchable, streamable (ranges), secure like the app's own scheme. Before `ready`. */
export const MEDIA_SCHEME = { scheme: MEDIA_PROTOCOL, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }

export function registerMediaProtocol(media: (handle: string) => Promise<MediaFile | null>): void {
  protocol.handle(MEDIA_PROTOCOL, async (request) => {
    const url = new URL(request.url)
    const handle = url.host === 'recording' ? decodeURIComponent(url.pathname.slice(1)) : ''
    const file = /^[\w-]+\.\d{1,9}$/.test(handle) ? await media(handle) : null
    if (file === null) return new Response('Refused: not a recording of the checked batch.', { status: 403 })
    const range = parseRange(request.headers.get('range'), file.size)
    if (range === 'unsatisfiable') return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${file.size}` } })
    const { start, end } = range ?? { start: 0, end: file.size - 1 }
    const headers: Record<string, string> = { 'Content-Type': file.type, 'Content-Length': String(end - start + 1), 'Accept-Ranges': 'bytes' }
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${file.size}`
    const body = file.size === 0 ? null : (Readable.toWeb(createReadStream(file.path, { start, end })) as ReadableStream<Uint8Array>)
    return new Response(body, { status: range ? 206 : 200, headers })
  })
}
