/**
 * ssh2 pads every SSH packet with random bytes drawn by one randomFillSync call per packet:
 * 102 ms of the main thread for 2,000 x 128 KiB to sshd (a CPU profile of the whole command),
 * 12 us a call for 4 to 19 bytes. Here the padding of the AES-GCM ciphers (the ones negotiated
 * with AES-NI, which is every x86 and ARMv8 computer of the last decade) comes from a buffer of
 * random bytes filled 64 KiB at a time; each byte is used once, so the padding is as random as
 * before (RFC 4253, section 6).
 *
 * This reads ssh2's insides (the fourth place: sftp-ops.ts has two, openssh-transport.ts one):
 * the outbound cipher object and its allocPacket, replicated for the two AES-GCM classes of
 * ssh2 1.x (lib/protocol/crypto.js). Any other cipher class is left as it is, and so is the
 * cipher a rekey brings: ssh2's own allocPacket then draws its padding as before.
 */
import { randomFillSync } from 'node:crypto'
import type { Client } from 'ssh2'

const POOL_BYTES = 64 * 1024

/** The AES-GCM cipher classes of ssh2, and the bytes each adds after the packet for its tag. */
const GCM_TAG_BYTES: Record<string, number> = { AESGCMCipherBinding: 16, AESGCMCipherNative: 0 }

interface OutboundCipher {
  allocPacket(payloadLen: number): Buffer
}

/** Replaces the connection's outbound cipher's per-packet randomness with draws from a pool; false if the cipher is another. */
export function drawPaddingInBulk(client: Client): boolean {
  const cipher = (client as unknown as { _protocol?: { _cipher?: OutboundCipher } })._protocol?._cipher
  const tagBytes = cipher ? GCM_TAG_BYTES[cipher.constructor.name] : undefined
  if (!cipher || tagBytes === undefined || typeof cipher.allocPacket !== 'function') return false
  const pool = Buffer.allocUnsafeSlow(POOL_BYTES)
  let used = POOL_BYTES
  cipher.allocPacket = (payloadLen: number): Buffer => {
    // As ssh2 does for AES-GCM: the packet less its length field is a multiple of 16, with at
    // least 4 bytes of padding.
    let pktLen = 4 + 1 + payloadLen
    let padLen = 16 - ((pktLen - 4) & 15)
    if (padLen < 4) padLen += 16
    pktLen += padLen
    const packet = Buffer.allocUnsafe(pktLen + tagBytes)
    packet.writeUInt32BE(pktLen - 4, 0)
    packet[4] = padLen
    if (used + padLen > POOL_BYTES) {
      randomFillSync(pool)
      used = 0
    }
    pool.copy(packet, 5 + payloadLen, used, used + padLen)
    used += padLen
    return packet
  }
  return true
}
