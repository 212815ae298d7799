/**
 * The in-memory index the delivery ledger answers "was this reference delivered?" from.
 *
 * Why not ask SQLite per reference: `check` asks about 1,000,000 references against a ledger of
 * 1,000,000, and a B-tree search per reference measured 1.2-3 s on the bench machine (random
 * page reads through a text-keyed tree that grows in random key order), against a whole-check
 * budget of about 3 s. Instead every delivery stores the 64-bit hashes of the references it was
 * first to deliver, as one blob; a handle loads the blobs once (8 bytes a reference, read in
 * sequence) into this open-addressing table of typed arrays (24 MB for 1,000,000 references)
 * and then answers in a few hundred nanoseconds per reference, and only reads new blobs after.
 *
 * A 64-bit hash can collide: with 1,000,000 references checked against 1,000,000 delivered the
 * chance that any one is mistaken for another is about 5 in 100 million. Such a row would be
 * flagged ALREADY_DELIVERED (visible, and resendable), never silently dropped.
 */

const EMPTY = 0

/** Output of `hashReference`, reused so hashing a million references allocates nothing. */
const out = new Uint32Array(2)

/**
 * A 64-bit hash of a Contact Reference, as two 32-bit halves in `referenceHash.lo/.hi`.
 * Stored in ledgers: never change it without a migration that rehashes the conversation table.
 * Two multiply-rotate lanes over the UTF-16 code units, cross-mixed by a murmur3-style
 * finaliser; measured on 4,000,000 sequential, numeric, UUID-like and 1-2 character keys:
 * each half collides as often as random 32-bit values do, the pair never.
 */
export function hashReference(reference: string): Uint32Array {
  const n = reference.length
  let h1 = 0x243f6a88 ^ n
  let h2 = 0x85a308d3 ^ Math.imul(n, 0x9e3779b1)
  for (let i = 0; i < n; i++) {
    const c = reference.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 0x9e3779b1)
    h1 = (h1 << 13) | (h1 >>> 19)
    h2 = Math.imul(h2 ^ c, 0x85ebca77)
    h2 = (h2 << 17) | (h2 >>> 15)
  }
  h1 ^= h2 >>> 15
  h1 = Math.imul(h1, 0x85ebca6b)
  h1 ^= h1 >>> 13
  h1 = Math.imul(h1, 0xc2b2ae35)
  h1 ^= h1 >>> 16
  h2 ^= h1
  h2 = Math.imul(h2, 0x85ebca6b)
  h2 ^= h2 >>> 13
  h2 = Math.imul(h2, 0xc2b2ae35)
  h2 ^= h2 >>> 16
  out[0] = h1
  out[1] = h2
  return out
}

/** A recording name's key in the ledger's index: 53 bits of the same hash, a safe integer. */
export function recordingKey(name: string): number {
  const h = hashReference(name)
  return (h[1]! & 0x1fffff) * 0x100000000 + h[0]!
}

/** 64-bit reference hash -> delivery id, linear probing, kept at most half full. */
export class ReferenceIndex {
  private keys: Uint32Array
  private ids: Uint32Array
  private mask: number
  size = 0

  constructor(expected = 0) {
    let capacity = 1024
    while (capacity < expected * 2) capacity *= 2
    this.keys = new Uint32Array(capacity * 2)
    this.ids = new Uint32Array(capacity)
    this.mask = capacity - 1
  }

  /** The delivery id recorded for this hash, or 0. */
  get(lo: number, hi: number): number {
    for (let slot = lo & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = this.ids[slot]!
      if (id === EMPTY) return 0
      if (this.keys[slot * 2] === lo && this.keys[slot * 2 + 1] === hi) return id
    }
  }

  /** Adds a hash for a delivery; false when it is already there (its first delivery stays). */
  add(lo: number, hi: number, deliveryId: number): boolean {
    if ((this.size + 1) * 2 > this.ids.length) this.grow()
    for (let slot = lo & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = this.ids[slot]!
      if (id === EMPTY) {
        this.keys[slot * 2] = lo
        this.keys[slot * 2 + 1] = hi
        this.ids[slot] = deliveryId
        this.size++
        return true
      }
      if (this.keys[slot * 2] === lo && this.keys[slot * 2 + 1] === hi) return false
    }
  }

  /** Adds every hash of one delivery's blob (see `HashList.toBlob`). */
  addBlob(deliveryId: number, blob: Uint8Array): void {
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength)
    for (let off = 0; off + 8 <= blob.byteLength; off += 8) this.add(view.getUint32(off, true), view.getUint32(off + 4, true), deliveryId)
  }

  private grow(): void {
    const { keys, ids } = this
    this.keys = new Uint32Array(keys.length * 2)
    this.ids = new Uint32Array(ids.length * 2)
    this.mask = this.ids.length - 1
    this.size = 0
    for (let slot = 0; slot < ids.length; slot++) {
      if (ids[slot] !== EMPTY) this.add(keys[slot * 2]!, keys[slot * 2 + 1]!, ids[slot]!)
    }
  }
}

/** A growing list of hashes, written as one blob: little-endian (lo, hi) pairs, 8 bytes each. */
export class HashList {
  private words = new Uint32Array(2048)
  length = 0

  push(lo: number, hi: number): void {
    if ((this.length + 1) * 2 > this.words.length) {
      const bigger = new Uint32Array(this.words.length * 2)
      bigger.set(this.words)
      this.words = bigger
    }
    this.words[this.length * 2] = lo
    this.words[this.length * 2 + 1] = hi
    this.length++
  }

  /** The blob, after `before` (the blob a retried delivery already had). */
  toBlob(before: Uint8Array | null = null): Buffer {
    const start = before?.byteLength ?? 0
    const blob = Buffer.alloc(start + this.length * 8)
    if (before) blob.set(before)
    for (let i = 0; i < this.length * 2; i++) blob.writeUInt32LE(this.words[i]!, start + i * 4)
    return blob
  }
}
