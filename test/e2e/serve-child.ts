/**
 * The web host as its own process for the browser tests (so a test can kill and restart the
 * host, as a user's crash or reboot would). Same code path as `bulk-upload serve`, with the
 * renderer build the test made. Prints one JSON line with the address, then serves until
 * SIGTERM. Usage: node bin/run-ts.js test/e2e/serve-child.ts RENDERER_DIR [PORT]
 */
import { startWebHost } from '../../main/web-host/index'

const [root, port] = process.argv.slice(2)
if (!root) {
  console.error('usage: serve-child.ts RENDERER_DIR [PORT]')
  process.exit(2)
}
const host = await startWebHost({ root, port: port ? Number(port) : 0 })
console.log(JSON.stringify({ url: host.url, port: host.port, token: host.token }))
process.on('SIGTERM', () => {
  void host.close().finally(() => process.exit(0))
})
