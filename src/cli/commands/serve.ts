/**
 * `bulk-upload serve`: the desktop app's screens in a browser, for machines without a desktop
 * session and for the browser tests. The web host listens on 127.0.0.1 only and refuses any
 * request without the random token in the printed address. This command builds nothing: it
 * serves build/renderer (`npx vite build`, or `npm run web` which builds first).
 */
import { spawn } from 'node:child_process'
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

/** Opens the address in the desktop's browser when there is a desktop; failure is not an error. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]]
    : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]]
    : ['xdg-open', [url]]
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true })
    child.on('error', () => undefined)
    child.unref()
  } catch {
    // No browser: the printed address is enough.
  }
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the app to a browser on this computer (127.0.0.1 only), protected by a random access token.')
    .option('--port <n>', 'port to listen on (default: a free port)', parsePort)
    .option('--no-open', 'do not open a browser')
    .addHelpText('after', '\nThe app must be built first: `npx vite build` (or run `npm run web`, which builds and serves).\nData (keys, destinations, journals) is kept in BULK_UPLOAD_HOME when set.')
    .action(async (opts: { port?: number; open: boolean }) => {
      let host: { url: string; close(): Promise<void> }
      try {
        const { startWebHost } = await loadWebHost()
        host = await startWebHost(opts.port === undefined ? {} : { port: opts.port })
      } catch (err) {
        const error = toAppError(err)
        console.error(`${error.message}${error.details ? `\n${error.details}` : ''}`)
        process.exitCode = error.code === 'INTERNAL' ? EXIT.PROBLEMS : EXIT.BAD_INVOCATION
        return
      }
      console.log(`Bulk upload is running. Open this address in a browser on this computer:\n\n  ${host.url}\n`)
      console.log('Only this computer can connect, and only with the token in the address. Press Ctrl+C to stop.')
      if (opts.open) openBrowser(host.url)
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop)
          process.off('SIGTERM', stop)
          void host.close().finally(resolve)
        }
        process.on('SIGINT', stop)
        process.on('SIGTERM', stop)
      })
    })
}
