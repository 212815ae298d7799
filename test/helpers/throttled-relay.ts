/**
 * A TCP relay on 127.0.0.1 in front of a test server whose uplink (client to server) carries
 * at most `bytesPerSecond`, shared by every connection: a slow office line, so that what an
 * upload has queued behind its requests is really still on the way when the user cancels.
 * The relay holds little itself (it stops reading a client that is ahead), so bytes waiting
 * stay in the client, as on a real link. Downstream (server answers) is not limited.
 */
import net from 'node:net'

export interface ThrottledRelay {
  port: number
  /** Client bytes delivered to the server so far, over all connections. */
  bytesUp: number
  /** Connections accepted so far. */
  connections: number
  close(): Promise<void>
}

/** Bytes a connection may hold in the relay before it stops reading from the client. */
const HOLD_BYTES = 64 * 1024
/** How often the link's budget is refilled and spent. */
const TICK_MS = 10

interface Link {
  client: net.Socket
  upstream: net.Socket
  queue: Buffer[]
  queued: number
}

export async function startThrottledRelay(targetPort: number, bytesPerSecond: number): Promise<ThrottledRelay> {
  const links = new Set<Link>()
  const relay: ThrottledRelay = { port: 0, bytesUp: 0, connections: 0, close: async () => undefined }
  let budget = 0
  let last = performance.now()
  // Refills the budget from the time that really passed (a late timer on a busy machine
  // sends more at once, keeping the average rate) and spends it round-robin over connections.
  const timer = setInterval(() => {
    const now = performance.now()
    budget = Math.min(budget + ((now - last) / 1000) * bytesPerSecond, bytesPerSecond / 4)
    last = now
    let progressed = true
    while (budget >= 1 && progressed) {
      progressed = false
      for (const link of links) {
        const head = link.queue[0]
        if (!head || budget < 1) continue
        const n = Math.min(head.length, Math.floor(budget), 16 * 1024)
        link.upstream.write(head.subarray(0, n))
        if (n === head.length) link.queue.shift()
        else link.queue[0] = head.subarray(n)
        link.queued -= n
        budget -= n
        relay.bytesUp += n
        progressed = true
        if (link.queued < HOLD_BYTES && link.client.isPaused()) link.client.resume()
      }
    }
    if (links.size === 0) budget = 0
  }, TICK_MS)
  const server = net.createServer((client) => {
    relay.connections++
    const upstream = net.connect(targetPort, '127.0.0.1')
    const link: Link = { client, upstream, queue: [], queued: 0 }
    links.add(link)
    const drop = () => {
      links.delete(link)
      client.destroy()
      upstream.destroy()
    }
    for (const s of [client, upstream]) {
      s.on('close', drop)
      s.on('error', drop)
    }
    client.on('data', (chunk: Buffer) => {
      link.queue.push(chunk)
      link.queued += chunk.length
      if (link.queued >= HOLD_BYTES) client.pause()
    })
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  relay.port = (server.address() as net.AddressInfo).port
  relay.close = async () => {
    clearInterval(timer)
    for (const link of links) {
      link.client.destroy()
      link.upstream.destroy()
    }
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return relay
}
