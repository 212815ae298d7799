/**
 * What connectThroughProxy hands to ssh2 after the handshake: the bare TCP socket (no stream
 * wrapper or pipe between ssh2 and the kernel, so a proxied upload costs our side nothing
 * more than a direct one), with none of the handshake's listeners left on it, and with any
 * bytes the server sent in the same read as the proxy's reply (an SSH server speaks first:
 * its banner) put back for ssh2 to read.
 */
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { connectThroughProxy, parseProxyUrl } from '../../../src/ssh/proxy'
import { startProxy } from '../../helpers/proxy-server'

const BANNER = 'SSH-2.0-OpenSSH_9.2p1 test\r\n'

const running: Array<{ close(): Promise<void> | void }> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()))
})

/** A TCP server on 127.0.0.1 that, like sshd, sends its banner on accept, then echoes. */
async function bannerServer(): Promise<number> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => s.destroy()) // a client that hangs up at once (directListeners) resets it
    s.write(BANNER)
    s.pipe(s)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  running.push({ close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()) }) })
  return (server.address() as net.AddressInfo).port
}

/**
 * An HTTP CONNECT proxy that answers and relays the server's first bytes in one write, so the
 * banner arrives in the same read as the `200`: the case where the handshake reader holds
 * bytes that belong to ssh2.
 */
async function eagerHttpProxy(targetPort: number): Promise<number> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    sockets.add(client)
    client.on('error', () => client.destroy())
    client.once('data', () => {
      const upstream = net.connect(targetPort, '127.0.0.1')
      sockets.add(upstream)
      upstream.on('error', () => upstream.destroy())
      upstream.once('data', (first: Buffer) => {
        client.write(Buffer.concat([Buffer.from('HTTP/1.1 200 Connection established\r\n\r\n'), first]))
        upstream.pipe(client)
        client.pipe(upstream)
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  running.push({ close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()) }) })
  return (server.address() as net.AddressInfo).port
}

/** Reads from the socket as ssh2 does (a data listener, then resume) until `n` bytes came. */
function readBytes(socket: net.Socket, n: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = ''
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1')
      if (got.length >= n) resolve(got)
    })
    socket.once('error', reject)
    socket.resume()
  })
}

const EVENTS = ['data', 'readable', 'close', 'end', 'error', 'connect', 'timeout'] as const

/** The listeners Node itself puts on a connected socket (net.Socket listens to its own 'end'). */
async function directListeners(port: number): Promise<Record<string, number>> {
  const direct = net.connect(port, '127.0.0.1')
  direct.on('error', () => undefined)
  await new Promise((resolve) => direct.once('connect', resolve))
  // Less the error listener just added here (the server may reset this throwaway socket).
  const counts = Object.fromEntries(EVENTS.map((e) => [e, direct.listenerCount(e) - (e === 'error' ? 1 : 0)]))
  direct.destroy()
  return counts
}

async function expectBareSocket(socket: net.Socket, serverPort: number): Promise<void> {
  running.push({ close: () => void socket.destroy() })
  expect(socket).toBeInstanceOf(net.Socket)
  // Nothing of the handshake stays attached: the socket has what a direct one has, no more.
  const direct = await directListeners(serverPort)
  expect(Object.fromEntries(EVENTS.map((e) => [e, socket.listenerCount(e)]))).toEqual(direct)
  expect(await readBytes(socket, BANNER.length)).toBe(BANNER)
  socket.write('SSH-2.0-bulk-upload\r\n')
  await expect.poll(() => socket.bytesRead).toBeGreaterThanOrEqual(BANNER.length + 21)
}

describe('the socket handed to ssh2 after the proxy handshake', () => {
  it('through SOCKS5 with a login: the bare socket, no handshake listeners, the banner and the echo come through', async () => {
    const port = await bannerServer()
    const proxy = await startProxy({ kind: 'socks5', username: 'qa', password: 's3cret' })
    running.push(proxy)
    await expectBareSocket(await connectThroughProxy(parseProxyUrl(proxy.url), '127.0.0.1', port), port)
    expect(proxy.connects).toEqual([{ target: `127.0.0.1:${port}`, allowed: true }])
  })

  it('through HTTP CONNECT whose reply carries the server\'s banner in the same read: those bytes are put back for ssh2', async () => {
    const port = await bannerServer()
    const proxyPort = await eagerHttpProxy(port)
    await expectBareSocket(await connectThroughProxy(parseProxyUrl(`http://127.0.0.1:${proxyPort}`), '127.0.0.1', port), port)
  })
})
