/**
 * The in-memory index the delivery ledger answers "was this reference delivered?" from.
 *
 * Why not ask SQLite per reference: `check` asks about 1,000,000 references against a ledger of
 * 1,000,000, and a B-tree search per reference measured 1.2-3 s on the bench machine (random
 * page reads through a text-keyed tree that grows in random key order), against a whole-check
 * budget of about 3 s. Instead every delivery stores the 64-bit hashes of the references it was
 * first to deliver, as one blob; a handle loads the blobs once (8 bytes a reference, read in
 * sequence) into an open-addressing table in one typed array (24 MB for 1,000,000 references)
 * and then answers in a few hundred nanoseconds per reference, and only reads new blobs after.
 *
 * A 64-bit hash can collide: with 1,000,000 references checked against 1,000,000 delivered the
 * chance that any one is mistaken for another is about 5 in 100 million. Such a row would be
 * flagged ALREADY_DELIVERED (visible, and resendable), never silently dropped.
 */

const EMPTY = 0
/** Linear probing slows sharply past this; 1,000,000 references then take 24 MB. */
const MAX_LOAD = 0.7
/** Blobs are little-endian; most hosts are too, and read them without conversion. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

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
  return finish(h1, h2)
}

/**
 * `hashReference` of the string whose UTF-16 code units are `units[from..to)`: the same value,
 * without making the string (a batch's references are kept as code units, see StringTable).
 */
export function hashUnits(units: ArrayLike<number>, from: number, to: number): Uint32Array {
  const n = to - from
  let h1 = 0x243f6a88 ^ n
  let h2 = 0x85a308d3 ^ Math.imul(n, 0x9e3779b1)
  for (let i = from; i < to; i++) {
    const c = units[i]!
    h1 = Math.imul(h1 ^ c, 0x9e3779b1)
    h1 = (h1 << 13) | (h1 >>> 19)
    h2 = Math.imul(h2 ^ c, 0x85ebca77)
    h2 = (h2 << 17) | (h2 >>> 15)
  }
  return finish(h1, h2)
}

/** The murmur3-style finaliser both hash forms end with. */
function finish(h1: number, h2: number): Uint32Array {
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

/**
 * 64-bit reference hash -> delivery id, linear probing, at most 70% full. Each slot is three
 * words side by side (lo, hi, id) so a probe touches one cache line, not two arrays.
 */
export class ReferenceIndex {
  private table: Uint32Array
  private mask: number
  size = 0

  constructor(expected = 0) {
    let capacity = 1024
    while (capacity * MAX_LOAD < expected) capacity *= 2
    this.table = new Uint32Array(capacity * 3)
    this.mask = capacity - 1
  }

  /** The delivery id recorded for this hash, or 0. */
  get(lo: number, hi: number): number {
    const t = this.table
    for (let slot = lo & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = slot * 3
      const id = t[at + 2]!
      if (id === EMPTY) return 0
      if (t[at] === lo && t[at + 1] === hi) return id
    }
  }

  /** Adds a hash for a delivery; false when it is already there (its first delivery stays). */
  add(lo: number, hi: number, deliveryId: number): boolean {
    if (this.size + 1 > (this.mask + 1) * MAX_LOAD) this.grow()
    const t = this.table
    for (let slot = lo & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = slot * 3
      const id = t[at + 2]!
      if (id === EMPTY) {
        t[at] = lo
        t[at + 1] = hi
        t[at + 2] = deliveryId
        this.size++
        return true
      }
      if (t[at] === lo && t[at + 1] === hi) return false
    }
  }

  /** Adds every hash of one delivery's blob (see `HashList.toBlob`). */
  addBlob(deliveryId: number, blob: Uint8Array): void {
    const n = Math.floor(blob.byteLength / 8) * 2
    if (LITTLE_ENDIAN) {
      // Read the words in place (a copy when the blob is not 4-byte aligned): a DataView read
      // per word made loading 1,000,000 hashes take 0.3 s instead of under 0.1 s.
      const aligned = blob.byteOffset % 4 === 0 ? blob : Uint8Array.prototype.slice.call(blob, 0, n * 4)
      const words = new Uint32Array(aligned.buffer, aligned.byteOffset, n)
      for (let i = 0; i < n; i += 2) this.add(words[i]!, words[i + 1]!, deliveryId)
      return
    }
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength)
    for (let off = 0; off < n * 4; off += 8) this.add(view.getUint32(off, true), view.getUint32(off + 4, true), deliveryId)
  }

  private grow(): void {
    const old = this.table
    this.table = new Uint32Array(old.length * 2)
    this.mask = this.mask * 2 + 1
    this.size = 0
    for (let at = 0; at < old.length; at += 3) {
      if (old[at + 2] !== EMPTY) this.add(old[at]!, old[at + 1]!, old[at + 2]!)
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
