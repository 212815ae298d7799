/**
 * A TCP relay on 127.0.0.1 in front of a test server, for a link that drops: it counts the bytes
 * clients send through it and, once `cutAfterBytes` have passed, cuts every open connection
 * (once). It keeps listening, so a client that reconnects gets through again — a Wi-Fi blip or
 * a VPN renewing, not a server that went away.
 */
import net from 'node:net'

export interface CuttableRelay {
  port: number
  /** Client bytes relayed so far, over all connections. */
  bytesUp: number
  /** Connections accepted so far (the first connection and every reconnection). */
  connections: number
  /** Resolves when the cut has happened. */
  cut: Promise<void>
  close(): Promise<void>
}

export async function startCuttableRelay(targetPort: number, cutAfterBytes: number): Promise<CuttableRelay> {
  const open = new Set<net.Socket>()
  let cutDone = false
  let announceCut = () => {}
  const relay: CuttableRelay = { port: 0, bytesUp: 0, connections: 0, cut: new Promise((resolve) => { announceCut = resolve }), close: async () => undefined }
  const cutAll = () => {
    cutDone = true
    for (const s of open) s.destroy()
    announceCut()
  }
  const server = net.createServer((client) => {
    relay.connections++
    const upstream = net.connect(targetPort, '127.0.0.1')
    for (const s of [client, upstream]) {
      open.add(s)
      s.on('close', () => { open.delete(s); client.destroy(); upstream.destroy() })
      s.on('error', () => s.destroy())
    }
    client.on('data', (chunk: Buffer) => {
      relay.bytesUp += chunk.length
      if (!upstream.write(chunk)) client.pause()
      if (!cutDone && relay.bytesUp >= cutAfterBytes) cutAll()
    })
    upstream.on('drain', () => client.resume())
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  relay.port = (server.address() as net.AddressInfo).port
  relay.close = async () => {
    for (const s of open) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return relay
}
