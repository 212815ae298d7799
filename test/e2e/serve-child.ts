/**
 * The web host as its own process for the browser tests (so a test can kill and restart the
 * host, as a user's crash or reboot would). Same code path as `bulk-upload serve`, with the
 * renderer build the test made. Prints one JSON line with the first address and a supply of
 * further ones (each address opens the app once), then serves until SIGTERM; each line on
 * stdin prints one more address as a JSON line. Usage: node bin/run-ts.js
 * test/e2e/serve-child.ts RENDERER_DIR [PORT]
 */
import { createInterface } from 'node:readline'
import { startWebHost } from '../../main/web-host/index'

const [root, port] = process.argv.slice(2)
if (!root) {
  console.error('usage: serve-child.ts RENDERER_DIR [PORT]')
  process.exit(2)
}
// A test file may run longer than the few minutes a user's address lasts.
const host = await startWebHost({ root, port: port ? Number(port) : 0, codeTtlMs: 60 * 60_000 })
const spare = Array.from({ length: 32 }, () => host.newAddress())
console.log(JSON.stringify({ url: host.url, port: host.port, spare }))
createInterface({ input: process.stdin }).on('line', () => console.log(JSON.stringify({ address: host.newAddress() })))
process.on('SIGTERM', () => {
  void host.close().finally(() => process.exit(0))
})
