/**
 * SFTP WRITE requests whose data is read from the file straight into the SSH packet.
 *
 * ssh2's `sftp.write` copies the data into an SFTP request, which its channel copies again
 * into an SSH packet that is then encrypted in place: two copies and two allocations of every
 * byte sent. On loopback, where the CPU is the limit, those copies and the garbage they leave
 * were a third of the client's CPU (a profile of 200 x 2 MiB to sshd: copies, allocations and
 * the collector's threads). Here a WRITE's packets are allocated first, the file's bytes read
 * straight into them where the data goes (one readv), and hashed there before the cipher
 * encrypts each in place.
 *
 * This reads ssh2's insides, as `bulk-padding.ts` does: the channel's window, packet size and
 * pending requests, the protocol's packet writer and cipher (ssh2 1.x, lib/protocol). Each
 * request is built as ssh2's own `channelData` and `sftp.write` build theirs, including during
 * a key re-exchange (ssh2 then queues the payload and sends it once the new keys are in
 * place) and with compression. Where those insides are not as expected (another ssh2, the
 * OpenSSH transport's channel) `directWriter` gives null and the caller uses `sftp.write`.
 */
import type { SFTPWrapper } from 'ssh2'

const CHANNEL_DATA = 94
const SFTP_WRITE = 6
const MAX_REQID = 2 ** 32 - 1

interface PacketWriter {
  allocStart: number
  alloc(payloadLen: number): Buffer
  finalize(packet: Buffer): Buffer
}

interface Protocol {
  _packetRW: { write: PacketWriter }
  _cipher: { encrypt(packet: Buffer): void }
  _kexinit: unknown
  _queue?: Buffer[]
}

interface SftpInsides {
  _protocol: Protocol
  _requests: Record<number, { cb: (err?: Error) => void }>
  _writeReqid: number
  outgoing: { id: number; window: number; packetSize: number; state: string }
  readable?: boolean
  once(event: 'close' | 'end', listener: () => void): unknown
}

/**
 * Puts the request's data, in order, into `views` (the parts of its packets that carry data);
 * returns the bytes it put (fewer than their total: the file shrank).
 */
export type Fill = (views: Buffer[]) => number

export interface DirectWriter {
  /**
   * Null when a WRITE of `dataLength` bytes to `handle` fits in the channel's window now; else
   * a promise that settles once the server has opened it further (or the channel ended).
   */
  room(handle: Buffer, dataLength: number): Promise<void> | null
  /**
   * Sends a WRITE of `length` bytes at `position`, its data put in place by `fill`, in as many
   * SSH packets as the channel's packet size asks. Returns the bytes `fill` put; when fewer than
   * `length`, nothing was sent. `done` gets the server's answer. Call only when `room` gave null.
   */
  write(handle: Buffer, position: number, length: number, fill: Fill, done: (err?: Error) => void): number
}

/** Bytes of an SFTP WRITE request before its data: length, type, id, handle, offset, data length. */
const requestHeader = (handle: Buffer): number => 4 + 1 + 4 + 4 + handle.length + 8 + 4

const writers = new WeakMap<object, DirectWriter | null>()

/** The direct writer of this SFTP channel, or null where ssh2's insides are not the expected ones. */
export function directWriter(sftp: SFTPWrapper): DirectWriter | null {
  let writer = writers.get(sftp)
  if (writer === undefined) {
    writer = makeWriter(sftp as unknown as SftpInsides)
    writers.set(sftp, writer)
  }
  return writer
}

function makeWriter(sftp: SftpInsides): DirectWriter | null {
  const proto = sftp._protocol
  const outgoing = sftp.outgoing
  if (
    !isPacketWriter(proto?._packetRW?.write) ||
    typeof proto._cipher?.encrypt !== 'function' ||
    typeof sftp._requests !== 'object' ||
    typeof sftp._writeReqid !== 'number' ||
    !outgoing ||
    typeof outgoing.window !== 'number' ||
    typeof outgoing.packetSize !== 'number' ||
    // A packet must hold a request's header (a handle is at most 256 bytes) and some data.
    outgoing.packetSize < 1024 ||
    typeof sftp.once !== 'function'
  ) {
    return null
  }
  const waitingForWindow = watchWindow(sftp)

  return {
    room: (handle, dataLength) => {
      // A closed channel never opens its window: the caller finds it closed and stops.
      const closed = outgoing.state !== 'open' || sftp.readable === false
      return closed || outgoing.window >= requestHeader(handle) + dataLength ? null : waitingForWindow()
    },
    write(handle, position, length, fill, done) {
      const header = requestHeader(handle)
      const requestLength = header + length
      const reqid = (sftp._writeReqid = (sftp._writeReqid + 1) & MAX_REQID)
      // Looked up for each request: a key re-exchange replaces the protocol's writer and cipher.
      const writer = proto._packetRW.write
      // Every packet is allocated and filled before any is sent: a short read sends nothing.
      const packets: Buffer[] = []
      const views: Buffer[] = []
      for (let placed = 0; placed < requestLength; ) {
        const carried = Math.min(outgoing.packetSize, requestLength - placed)
        // As ssh2's channelData: where the payload starts depends on the writer's state (a key
        // re-exchange or compression leaves no room for the packet's header).
        let p = writer.allocStart
        const packet = writer.alloc(1 + 4 + 4 + carried)
        packet[p] = CHANNEL_DATA
        packet.writeUInt32BE(outgoing.id, p + 1)
        packet.writeUInt32BE(carried, p + 5)
        p += 9
        if (placed === 0) p = writeRequestHeader(packet, p, reqid, handle, position, length)
        views.push(packet.subarray(p, p + carried - (placed === 0 ? header : 0)))
        packets.push(packet)
        placed += carried
      }
      const filled = fill(views)
      // A short read sends nothing; its request id goes unused (ids need only be distinct).
      if (filled !== length) return filled
      sftp._requests[reqid] = { cb: done }
      outgoing.window -= requestLength
      for (const packet of packets) {
        const finalized = writer.finalize(packet)
        // As ssh2's sendPacket: during a key re-exchange the payload waits in the protocol's queue.
        if (proto._kexinit !== undefined) (proto._queue ??= []).push(finalized)
        else proto._cipher.encrypt(finalized)
      }
      return filled
    },
  }
}

function isPacketWriter(writer: PacketWriter | undefined): writer is PacketWriter {
  return typeof writer?.alloc === 'function' && typeof writer.finalize === 'function' && typeof writer.allocStart === 'number'
}

/** Writes an SFTP WRITE request's header at `p`; returns where its data goes. */
function writeRequestHeader(packet: Buffer, p: number, reqid: number, handle: Buffer, position: number, length: number): number {
  packet.writeUInt32BE(requestHeader(handle) - 4 + length, p)
  packet[p + 4] = SFTP_WRITE
  packet.writeUInt32BE(reqid, p + 5)
  packet.writeUInt32BE(handle.length, p + 9)
  handle.copy(packet, p + 13)
  p += 13 + handle.length
  // The 64-bit offset, high half first (a file's offsets stay below 2^53).
  packet.writeUInt32BE(Math.floor(position / 2 ** 32), p)
  packet.writeUInt32BE(position >>> 0, p + 4)
  packet.writeUInt32BE(length, p + 8)
  return p + 12
}

/**
 * Calls back once the channel's window grows (the server's WINDOW_ADJUST) or the channel
 * ends. ssh2 keeps the window as a plain number it adds to; an accessor in its place sees
 * each change without touching ssh2's own wait for window (its queued requests).
 */
function watchWindow(sftp: SftpInsides): () => Promise<void> {
  const outgoing = sftp.outgoing
  let window = outgoing.window
  let waiters: Array<() => void> = []
  const wake = (): void => {
    const now = waiters
    waiters = []
    for (const resolve of now) resolve()
  }
  Object.defineProperty(outgoing, 'window', {
    configurable: true,
    enumerable: true,
    get: () => window,
    set: (value: number) => {
      const grew = value > window
      window = value
      // After ssh2's own handler has run (it drains its queued requests first).
      if (grew && waiters.length > 0) queueMicrotask(wake)
    },
  })
  // A dead connection ends the channel (ssh2 leaves its outgoing state at 'open').
  sftp.once('end', wake)
  sftp.once('close', wake)
  return () => new Promise<void>((resolve) => waiters.push(resolve))
}
