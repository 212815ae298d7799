/**
 * A TCP relay that delays every chunk by a fixed time in each direction, to measure uploads
 * over a long link (20 ms each way = 40 ms round trip, like an office to an AWS region).
 * Run as its own process so it does not share a CPU thread with the client being measured.
 * Usage: relay.ts TARGET_PORT DELAY_MS — prints the port it listens on (127.0.0.1).
 */
import net from 'node:net'

const [targetPort, delayMs] = process.argv.slice(2).map(Number)
if (!targetPort || delayMs === undefined || Number.isNaN(delayMs)) {
  console.error('usage: relay.ts TARGET_PORT DELAY_MS')
  process.exit(2)
}

/** Forwards `from` to `to`, each chunk `delayMs` later; timers with equal delays keep order. */
function delayedPipe(from: net.Socket, to: net.Socket): void {
  from.on('data', (chunk) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk)
    }, delayMs)
  })
  from.on('end', () => setTimeout(() => to.end(), delayMs))
  from.on('error', () => to.destroy())
}

const server = net.createServer((client) => {
  client.setNoDelay(true)
  const upstream = net.connect({ host: '127.0.0.1', port: targetPort }, () => upstream.setNoDelay(true))
  delayedPipe(client, upstream)
  delayedPipe(upstream, client)
  client.on('close', () => upstream.destroy())
  upstream.on('close', () => client.destroy())
})
server.listen(0, '127.0.0.1', () => {
  const addr = server.address()
  console.log(typeof addr === 'object' && addr ? addr.port : 0)
})
process.on('SIGTERM', () => process.exit(0))
