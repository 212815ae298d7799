/**
 * `bulk-upload serve`: the desktop app's screens in a browser, for machines without a desktop
 * session and for the browser tests. The web host listens on 127.0.0.1 only; the printed
 * address carries a one-time code that the page exchanges for its session secret (see
 * main/web-host/auth.ts). Enter prints a new address when stdin is a terminal. This command
 * builds nothing: it serves build/renderer (`npx vite build`, or `npm run web`).
 */
import os from 'node:os'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { InvalidArgumentError, type Command } from 'commander'
import { toAppError } from '../../errors'
import { EXIT } from '../exit-codes'

/**
 * The web host is a host of the core, like this CLI, and lives in main/ (DESIGN.md, Layout).
 * This is the one file of src/ allowed to import it (see eslint.config.js), and it loads it
 * only when `serve` runs, so other commands start without the HTTP and WebSocket code.
 */
async function loadWebHost() {
  return import('../../../main/web-host')
}

function parsePort(value: string): number {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`Expected \`--port\` to be an integer from 1 to 65535, got \`${value}\``)
  }
  return port
}

/**
 * Opens an address in the desktop's browser when there is a desktop; failure is not an error.
 * The browser's command line is visible to every user of the machine (`ps`), so it gets the
 * path of an owner-only file that forwards to the address, never the address itself. Returns
 * a function that removes the file.
 */
function openBrowser(url: string): () => void {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return () => undefined
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bulk-upload-open-'))
  const file = path.join(dir, 'open.html')
  const attr = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;')
  writeFileSync(file, `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${attr}"><title>Bulk upload</title>\n`, { mode: 0o600 })
  const remove = () => rmSync(dir, { recursive: true, force: true })
  const [command, args] =
    process.platform === 'darwin' ? ['open', [file]]
    : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', file]]
    : ['xdg-open', [file]]
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true })
    child.on('error', () => undefined)
    child.unref()
  } catch {
    // No browser: the printed address is enough.
  }
  // The code in the file is spent or stale after a few minutes anyway; don't leave it lying around.
  setTimeout(remove, 5 * 60_000).unref()
  return remove
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the app to a browser on this computer (127.0.0.1 only); each printed address opens it once.')
    .option('--port <n>', 'port to listen on (default: a free port)', parsePort)
    .option('--no-open', 'do not open a browser')
    .addHelpText('after', '\nThe app must be built first: `npx vite build` (or run `npm run web`, which builds and serves).\nData (keys, destinations, journals) is kept in BULK_UPLOAD_HOME when set.')
    .action(async (opts: { port?: number; open: boolean }) => {
      let host: { url: string; newAddress(): string; close(): Promise<void> }
      try {
        const { startWebHost } = await loadWebHost()
        host = await startWebHost(opts.port === undefined ? {} : { port: opts.port })
      } catch (err) {
        const error = toAppError(err)
        console.error(`${error.message}${error.details ? `\n${error.details}` : ''}`)
        process.exitCode = error.code === 'INTERNAL' ? EXIT.PROBLEMS : EXIT.BAD_INVOCATION
        return
      }
      const tty = process.stdin.isTTY === true
      console.log(`Bulk upload is running. Open this address in a browser on this computer:\n\n  ${host.url}\n`)
      console.log(`The address opens the app once, within 5 minutes; only this computer can connect.${tty ? ' Press Enter for a new address,' : ''} Press Ctrl+C to stop.`)
      // The browser opened here gets its own code, so the printed address stays unused for the user.
      const removeOpener = opts.open ? openBrowser(host.newAddress()) : () => undefined
      // Only a terminal asks for addresses: in CI stdin is closed or a pipe, and serving goes on.
      const lines = tty ? createInterface({ input: process.stdin, terminal: false }) : null
      lines?.on('line', () => console.log(`\nA new address (opens the app once, within 5 minutes):\n\n  ${host.newAddress()}\n`))
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop)
          process.off('SIGTERM', stop)
          lines?.close()
          removeOpener()
          void host.close().finally(resolve)
        }
        process.on('SIGINT', stop)
        process.on('SIGTERM', stop)
      })
    })
}
