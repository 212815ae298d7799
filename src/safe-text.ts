/**
 * Control characters that come from data (a CSV cell, a file name, a server's message) are
 * shown escaped (`\x1B`, `\x07`, `\u202E`) wherever a person reads text: the terminal
 * (src/cli/safe-output.ts) and the log files. Otherwise a CSV could clear a screen, retitle
 * a window, reorder what is shown, or forge a log line with an embedded new line.
 */

// C0 except tab, \n and \r; DEL; C1; and the bidirectional overrides that reorder what is shown.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g
// The same, and new lines too: for text that must stay on one line.
// eslint-disable-next-line no-control-regex
const CONTROL_AND_LINES = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g

function escapeOne(c: string): string {
  const code = c.charCodeAt(0)
  return code <= 0xff ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase()}`
}

/** Escapes control characters; tabs, and new lines unless `oneLine`, are kept. */
export function escapeControls(text: string, opts: { oneLine?: boolean } = {}): string {
  return text.replace(opts.oneLine ? CONTROL_AND_LINES : CONTROL, escapeOne)
}
