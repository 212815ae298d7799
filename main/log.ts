/**
 * The hosts' log: one text file in the app home (Help → Open logs shows its folder). Stack
 * traces go here and never to the UI, which only gets coded errors.
 */
import path from 'node:path'
import { appendFile, mkdir } from 'node:fs/promises'
import { appHome } from '../src/app-home'
import { escapeControls } from '../src/safe-text'

let home: string | null = null

/** Logs go to `<home>/logs` of the service that runs (set by CoreService; tests use temp homes). */
export function setLogHome(dir: string): void {
  home = dir
}

export function logDir(): string {
  return path.join(home ?? appHome(), 'logs')
}

export function logFile(): string {
  return path.join(logDir(), 'bulk-upload.log')
}

let queue: Promise<void> = Promise.resolve()

/** Appends a line (and the error's stack, when there is one). Never throws. */
export function log(level: 'info' | 'warn' | 'error', message: string, err?: unknown): void {
  const detail = err instanceof Error ? `\n${err.stack ?? err.message}${err.cause instanceof Error ? `\ncaused by: ${err.cause.stack ?? err.cause.message}` : ''}` : err === undefined ? '' : `\n${String(err)}`
  // Messages carry data (file names, CSV cells): one line each, controls escaped, so none can forge a line or drive a terminal.
  const line = `${new Date().toISOString()} ${level.toUpperCase()} ${escapeControls(message, { oneLine: true })}${escapeControls(detail)}\n`
  const file = logFile()
  // One write at a time, in order; a failing disk must not break the app.
  queue = queue
    .then(async () => {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
      await appendFile(file, line, { mode: 0o600 })
    })
    .catch(() => undefined)
}

/** Resolves when every line logged so far is written (tests and shutdown). */
export function flushLog(): Promise<void> {
  return queue
}
