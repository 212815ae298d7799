/**
 * Everything the CLI prints goes through here: control characters that come from data (a
 * CSV cell, a header, an agent ID, a file name, a server's message) are shown as visible
 * escapes (`\x1B`, `\r`, `\x07`), so data cannot clear the screen, move the cursor back over
 * what was printed, hide text, retitle the window or forge a line such as a green "Ready".
 *
 * Only the CLI's own sequences reach the terminal, and they are told apart by who made them,
 * not by their shape (a file name can hold `\x1b[32m` as well as we can): terminal.ts builds
 * colours and cursor moves with `ownSequence`, which puts a mark only this process knows (a
 * random nonce) in the text; the guard turns marks back into the sequence when the stream is
 * a terminal, drops them when it is not (a file, a pipe, a scheduler's log), and escapes every
 * other control character. JSON output is unchanged (JSON.stringify already escapes controls).
 */
import { randomBytes } from 'node:crypto'
import { escapeControls } from '../safe-text'

/** Private-use characters around the nonce: printable if a mark ever leaked, never a control. */
const OPEN = '\uE000'
const CLOSE = '\uE001'
const NONCE = randomBytes(12).toString('hex')
const MARK = new RegExp(`${OPEN}${NONCE}(\\d+)${CLOSE}`, 'g')

/** The CLI's own sequences, by index: a handful (colours, erase, cursor moves). */
const OWN: string[] = []

/**
 * A sequence of the CLI's own (`\x1b[31m`, `\x1b[K`, `\r`) as a mark the guard lets through to
 * a terminal. Data can never carry one: it would need this process's nonce.
 */
export function ownSequence(raw: string): string {
  let at = OWN.indexOf(raw)
  if (at < 0) at = OWN.push(raw) - 1
  return `${OPEN}${NONCE}${at}${CLOSE}`
}

/** Data's control characters as visible escapes: everything but tab and new line. */
function escapeData(text: string): string {
  // eslint-disable-next-line no-control-regex
  return escapeControls(text).replace(/\r/g, '\\r').replace(/\x1b/g, '\\x1B')
}

export interface TerminalSafeOptions {
  /** The text goes to a terminal: the CLI's own sequences are written. @default false */
  terminal?: boolean
}

/** The text with every control character escaped; the CLI's own sequences kept for a terminal. */
export function terminalSafe(text: string, opts: TerminalSafeOptions = {}): string {
  let out = ''
  let at = 0
  MARK.lastIndex = 0
  for (let m = MARK.exec(text); m !== null; m = MARK.exec(text)) {
    out += escapeData(text.slice(at, m.index))
    if (opts.terminal) out += OWN[Number(m[1])] ?? ''
    at = m.index + m[0].length
  }
  return out + escapeData(text.slice(at))
}

/** Makes a stream's `write` pass strings through terminalSafe (buffers are decoded first). */
export function guardStream(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : chunk
    return write(typeof text === 'string' ? terminalSafe(text, { terminal: Boolean(stream.isTTY) }) : text, ...rest)
  }) as typeof stream.write
}
