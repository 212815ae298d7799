/**
 * Checks a recording name written in a CSV before it is ever joined to a folder path
 * (DESIGN.md, Paths). Input may come from Windows or POSIX exports, so both separators are
 * treated alike whatever the platform we run on.
 */

/** A name reduced to `/`-separated segments inside the folder, or why it is refused. */
export type SafeName = { ok: true; relPath: string; baseName: string } | { ok: false; reason: string }

/**
 * Normalises `value` as a path relative to the batch folder. Refuses absolute paths (`/x`,
 * `\x`), drive letters (`C:\x`, `C:x`), UNC and device paths (`\\server\x`, `\\?\x`), `~`,
 * control characters, and any `..` that climbs above the folder (also via backslashes).
 */
export function checkRecordingName(value: string): SafeName {
  // Most names are plain ("call-123.wav"): no separator, colon, tilde, control character or
  // leading dot-dot. Those skip the full analysis below (this runs once per row).
  // eslint-disable-next-line no-control-regex
  if (!/[\\/:~\u0000-\u001f]|^\s|\s$|^\.\.?$/.test(value) && value !== '' && !/^\.+\s*$/.test(value)) return { ok: true, relPath: value, baseName: value }
  const v = value.trim()
  if (v === '') return { ok: false, reason: 'empty name' }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(v)) return { ok: false, reason: 'control characters in the name' }
  if (/^[A-Za-z]:/.test(v)) return { ok: false, reason: 'a drive letter' }
  if (v.startsWith('\\\\') || v.startsWith('//')) return { ok: false, reason: 'a network or device path' }
  if (v.startsWith('/') || v.startsWith('\\')) return { ok: false, reason: 'an absolute path' }
  if (v === '~' || v.startsWith('~/') || v.startsWith('~\\')) return { ok: false, reason: 'a home-folder path' }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return { ok: false, reason: 'a URL' }
  const out: string[] = []
  for (const seg of v.split(/[\\/]+/)) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') {
      if (out.length === 0) return { ok: false, reason: 'a ".." that leaves the folder' }
      out.pop()
      continue
    }
    // Windows ignores trailing dots and spaces: "..." or ".. " act like "..".
    if (/^\.+\s*$/.test(seg) && seg.replace(/\s+$/, '').length >= 2) return { ok: false, reason: 'a ".." that leaves the folder' }
    if (seg.includes(':')) return { ok: false, reason: 'a colon (drive or stream name) in the path' }
    out.push(seg)
  }
  if (out.length === 0) return { ok: false, reason: 'no file name' }
  return { ok: true, relPath: out.join('/'), baseName: out[out.length - 1]! }
}

/** True when `child` (absolute, resolved) is `parent` or inside it. Both must use one separator style. */
export function isInside(parent: string, child: string, sep: string): boolean {
  if (child === parent) return true
  const p = parent.endsWith(sep) ? parent : parent + sep
  return child.startsWith(p)
}
