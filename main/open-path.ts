/**
 * What "open" may do with a path the renderer names. Opening a file in its default app runs
 * executables on some systems, so only documents the app writes (reports, problem lists,
 * mappings, logs) are opened; folders are shown; anything else is only revealed in the file
 * manager, never launched. A compromised page therefore cannot start a program.
 */
import path from 'node:path'

/** Extensions the app writes and a user may want to open. */
export const OPENABLE_EXTENSIONS: readonly string[] = ['.csv', '.json', '.txt', '.log']

export type OpenAction = 'open' | 'reveal'

export function openAction(target: string, isDirectory: boolean): OpenAction {
  // A macOS application is a folder too; opening it would launch it.
  if (isDirectory) return path.extname(target).toLowerCase() === '.app' ? 'reveal' : 'open'
  return OPENABLE_EXTENSIONS.includes(path.extname(target).toLowerCase()) ? 'open' : 'reveal'
}
