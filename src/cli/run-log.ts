/**
 * The log of unattended runs (`watch`, `job run`): one line per batch appended to
 * `<app home>/logs/unattended.log`, rotated at 1 MiB (three old files kept), so a nightly job
 * leaves a record an administrator can read without filling the disk.
 */
import { appendFile, mkdir, rename, stat } from 'node:fs/promises'
import path from 'node:path'
import { appHome } from '../app-home'
import { escapeControls } from '../safe-text'

const MAX_BYTES = 1024 * 1024
const KEEP = 3

export function runLogPath(home = appHome()): string {
  return path.join(home, 'logs', 'unattended.log')
}

/** Appends one line (ISO time first); a log that cannot be written never stops an upload. */
export async function appendRunLog(line: string, home = appHome()): Promise<void> {
  const file = runLogPath(home)
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
    const size = (await stat(file).catch(() => null))?.size ?? 0
    if (size > MAX_BYTES) {
      for (let i = KEEP - 1; i >= 1; i--) await rename(`${file}.${i}`, `${file}.${i + 1}`).catch(() => undefined)
      await rename(file, `${file}.1`).catch(() => undefined)
    }
    await appendFile(file, `${new Date().toISOString()} ${escapeControls(line, { oneLine: true })}\n`, { mode: 0o600 })
  } catch {
    // the log is a convenience: the run's own output and exit code still say what happened
  }
}
