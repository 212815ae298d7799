/**
 * Everything the CLI prints goes through here: control characters that come from data (a
 * CSV cell, a file name, a server's message) are shown escaped (`\x1B`, `\x07`), so a CSV
 * cannot clear the screen, retitle the window or hide text. Only the few sequences the CLI
 * itself writes pass: tabs, new lines, carriage return, colours, and the progress display's
 * cursor-up and erase. JSON output is unchanged (JSON.stringify already escapes controls).
 */
import { escapeControls } from '../safe-text'

// Our own sequences: SGR colours, erase line/below (\x1b[K, \x1b[J), cursor up N lines (\x1b[NF).
// eslint-disable-next-line no-control-regex
const OURS = /^\x1b\[(?:\d{0,2}m|K|J|\d{1,3}F)/
/** The text with every control character escaped except the CLI's own sequences. */
export function terminalSafe(text: string): string {
  let out = ''
  let at = 0
  while (at < text.length) {
    const esc = text.indexOf('\x1b', at)
    const end = esc < 0 ? text.length : esc
    out += escapeControls(text.slice(at, end))
    if (esc < 0) break
    const own = OURS.exec(text.slice(esc, esc + 8))
    if (own) {
      out += own[0]
      at = esc + own[0].length
    } else {
      out += '\\x1B'
      at = esc + 1
    }
  }
  return out
}

/** Makes a stream's `write` pass strings through terminalSafe (buffers are decoded first). */
export function guardStream(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : chunk
    return write(typeof text === 'string' ? terminalSafe(text) : text, ...rest)
  }) as typeof stream.write
}
