/**
 * Remembers each contact reference and the first row it appeared on, for DUPLICATE_REFERENCE
 * over 1,000,000 rows. A Map of a million strings costs well over 100 MB of garbage-collected
 * heap; this keeps the characters in one typed-array arena (one byte a character while the
 * text is Latin-1, two after) and an open-addressing hash table of entry ids: about 25 bytes
 * a reference, outside the GC's reach.
 */
export class RefTable {
  private chars: Uint8Array | Uint16Array
  private used = 0
  /** Per entry id: where its characters start (they end where the next entry's start). */
  private start: Int32Array
  private row: Int32Array
  private count = 0
  /** Slots hold entry id + 1 (0 = empty). Size is a power of two, kept at most half full. */
  private slots: Int32Array

  /** `expected`: rough number of references, to size the arrays once instead of doubling. */
  constructor(expected = 4096) {
    const n = Math.max(1024, Math.min(expected, 1 << 26))
    this.chars = new Uint8Array(n * 12)
    this.start = new Int32Array(n + 1)
    this.row = new Int32Array(n)
    let size = 1024
    while (size < n * 2) size *= 2
    this.slots = new Int32Array(size)
  }

  get size(): number {
    return this.count
  }

  private static hash(s: string): number {
    let h = 0x811c9dc5
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
    return h | 0
  }

  private hashOf(id: number): number {
    let h = 0x811c9dc5
    for (let i = this.start[id]!; i < this.start[id + 1]!; i++) h = Math.imul(h ^ this.chars[i]!, 0x01000193)
    return h | 0
  }

  private equals(id: number, s: string): boolean {
    const at = this.start[id]!
    if (this.start[id + 1]! - at !== s.length) return false
    for (let i = 0; i < s.length; i++) if (this.chars[at + i] !== s.charCodeAt(i)) return false
    return true
  }

  /** The first row `ref` was seen on; or, when new, records it on `row` and returns -1. */
  firstRowOrAdd(ref: string, row: number): number {
    const mask = this.slots.length - 1
    let slot = RefTable.hash(ref) & mask
    for (;;) {
      const id = this.slots[slot]! - 1
      if (id < 0) break
      if (this.equals(id, ref)) return this.row[id]!
      slot = (slot + 1) & mask
    }
    this.add(ref, row, slot)
    return -1
  }

  private add(ref: string, row: number, slot: number): void {
    const id = this.count++
    if (id >= this.row.length) {
      this.start = grow(this.start, this.start.length * 2)
      this.row = grow(this.row, this.row.length * 2)
    }
    if (this.chars instanceof Uint8Array) {
      for (let i = 0; i < ref.length; i++) {
        if (ref.charCodeAt(i) > 255) {
          this.chars = Uint16Array.from(this.chars)
          break
        }
      }
    }
    if (this.used + ref.length > this.chars.length) {
      const bigger = new (this.chars.constructor as Uint8ArrayConstructor | Uint16ArrayConstructor)(Math.max(this.chars.length * 2, this.used + ref.length))
      bigger.set(this.chars)
      this.chars = bigger
    }
    for (let i = 0; i < ref.length; i++) this.chars[this.used + i] = ref.charCodeAt(i)
    this.used += ref.length
    this.start[id + 1] = this.used
    this.row[id] = row
    this.slots[slot] = id + 1
    if (this.count * 2 > this.slots.length) this.rehash()
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2)
    const mask = slots.length - 1
    for (let id = 0; id < this.count; id++) {
      let slot = this.hashOf(id) & mask
      while (slots[slot] !== 0) slot = (slot + 1) & mask
      slots[slot] = id + 1
    }
    this.slots = slots
  }
}

function grow(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size)
  b.set(a)
  return b
}
