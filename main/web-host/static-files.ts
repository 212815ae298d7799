/**
 * Serves the renderer build, and only it: a request path is decoded, normalised and resolved
 * inside the root; anything that lands outside it (`..`, encoded slashes, symlinks) is refused.
 */
import path from 'node:path'
import { realpath, stat, readFile } from 'node:fs/promises'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
}

export type StaticResult =
  | { status: 200; body: Buffer; contentType: string; file: string }
  | { status: 400 | 403 | 404 }

/** Resolves a URL path to a file inside `root`, or says why not. `/` is `index.html`. */
export async function resolveStatic(root: string, urlPath: string): Promise<StaticResult> {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return { status: 400 }
  }
  if (decoded.includes('\0') || decoded.includes('\\') || !decoded.startsWith('/')) return { status: 400 }
  // A build has no reason to name a parent folder: any `..` segment is an attempt to leave it.
  if (decoded.split('/').some((part) => part === '..')) return { status: 403 }
  const relative = path.posix.normalize(decoded === '/' ? '/index.html' : decoded).replace(/^\/+/, '')
  const realRoot = await realpath(root)
  const candidate = path.resolve(realRoot, relative)
  if (!inside(realRoot, candidate)) return { status: 403 }
  let real: string
  try {
    real = await realpath(candidate)
  } catch {
    return { status: 404 }
  }
  // A symlink inside the build that leads out of it is refused too.
  if (!inside(realRoot, real)) return { status: 403 }
  const info = await stat(real)
  if (!info.isFile()) return { status: 404 }
  const contentType = CONTENT_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream'
  return { status: 200, body: await readFile(real), contentType, file: real }
}

function inside(root: string, file: string): boolean {
  const rel = path.relative(root, file)
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel)
}
