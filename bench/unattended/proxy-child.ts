/**
 * This repo's test proxy (test/helpers/proxy-server.ts) in a process of its own, so the proxy
 * hop bench does not run it in the bench's process, on the same thread as the samplers and
 * child bookkeeping. Usage: proxy-child.ts socks5|http — prints the port it listens on
 * (127.0.0.1) and runs until SIGTERM.
 */
import { startProxy } from '../../test/helpers/proxy-server'

const kind = process.argv[2]
if (kind !== 'socks5' && kind !== 'http') {
  console.error('usage: proxy-child.ts socks5|http')
  process.exit(2)
}
const proxy = await startProxy({ kind })
console.log(proxy.port)
process.on('SIGTERM', () => void proxy.close().then(() => process.exit(0)))
