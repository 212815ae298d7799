/**
 * Which command starts `bulk-upload` on this computer, for the scheduler entries that `job show`
 * prints and the desktop app's "Do this automatically…" shows. From a clone or `npm install -g`,
 * node runs bin/bulk-upload.js; in the installed desktop app there is no node, so its launcher
 * (resources/bin/bulk-upload, or bulk-upload.cmd on Windows) runs the app's own binary as Node
 * (ELECTRON_RUN_AS_NODE) on the compiled CLI inside it, and an entry names the launcher alone.
 */
import path from 'node:path'

/**
 * Set by the installed app's launcher to the path it was started by (e.g. /usr/bin/bulk-upload),
 * so a command run through it (`job show`) prints entries that start it the same way, instead
 * of the app binary and a script inside app.asar (which would open the desktop app).
 */
export const LAUNCHER_ENV = 'BULK_UPLOAD_LAUNCHER'

/** The launcher's file name in the packaged app's resources/bin (electron-builder.yml). */
export function launcherName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'bulk-upload.cmd' : 'bulk-upload'
}

/** The installed app's launcher, from Electron's `process.resourcesPath`. */
export function packagedLauncher(resourcesPath: string, platform: NodeJS.Platform): string {
  return (platform === 'win32' ? path.win32 : path.posix).join(resourcesPath, 'bin', launcherName(platform))
}

export interface CliCommandParts {
  /** The node binary and the bulk-upload script, absolute. */
  node: string
  script: string
  /** The installed app's launcher, which replaces node and script when set. */
  launcher?: string | null
}

/** The words that start the command: the launcher alone, or node and the script. */
export function cliCommandWords(c: CliCommandParts, env: NodeJS.ProcessEnv = process.env): string[] {
  const launcher = c.launcher ?? env[LAUNCHER_ENV] ?? null
  return launcher ? [launcher] : [c.node, c.script]
}
