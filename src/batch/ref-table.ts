/**
 * Remembers each contact reference and the first row it appeared on, for DUPLICATE_REFERENCE
 * over 1,000,000 rows. A Map of a million strings costs well over 100 MB of garbage-collected
 * heap; this keeps the characters in one typed-array arena and an open-addressing hash table
 * of row numbers: about 30 bytes a row, outside the GC's reach.
 */
export class RefTable {
  private chars = new Uint16Array(1 << 16)
  private used = 0
  /** Per entry (index = entry id): start and length of its characters in `chars`, its row. */
  private start = new Int32Array(1 << 12)
  private length = new Int32Array(1 << 12)
  private row = new Int32Array(1 << 12)
  private hashes = new Int32Array(1 << 12)
  private count = 0
  /** Slots hold entry id + 1 (0 = empty). Size is a power of two, kept at most half full. */
  private slots = new Int32Array(1 << 13)

  get size(): number {
    return this.count
  }

  private static hash(s: string): number {
    let h = 0x811c9dc5
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
    return h | 0
  }

  private equals(id: number, s: string): boolean {
    if (this.length[id] !== s.length) return false
    const at = this.start[id]!
    for (let i = 0; i < s.length; i++) if (this.chars[at + i] !== s.charCodeAt(i)) return false
    return true
  }

  /** The first row `ref` was seen on; or, when new, records it on `row` and returns -1. */
  firstRowOrAdd(ref: string, row: number): number {
    const h = RefTable.hash(ref)
    const mask = this.slots.length - 1
    let slot = h & mask
    for (;;) {
      const id = this.slots[slot]! - 1
      if (id < 0) break
      if (this.hashes[id] === h && this.equals(id, ref)) return this.row[id]!
      slot = (slot + 1) & mask
    }
    this.add(ref, row, h, slot)
    return -1
  }

  private add(ref: string, row: number, h: number, slot: number): void {
    const id = this.count++
    if (id >= this.row.length) {
      this.start = grow(this.start)
      this.length = grow(this.length)
      this.row = grow(this.row)
      this.hashes = grow(this.hashes)
    }
    while (this.used + ref.length > this.chars.length) {
      const bigger = new Uint16Array(this.chars.length * 2)
      bigger.set(this.chars)
      this.chars = bigger
    }
    for (let i = 0; i < ref.length; i++) this.chars[this.used + i] = ref.charCodeAt(i)
    this.start[id] = this.used
    this.length[id] = ref.length
    this.row[id] = row
    this.hashes[id] = h
    this.used += ref.length
    this.slots[slot] = id + 1
    if (this.count * 2 > this.slots.length) this.rehash()
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2)
    const mask = slots.length - 1
    for (let id = 0; id < this.count; id++) {
      let slot = this.hashes[id]! & mask
      while (slots[slot] !== 0) slot = (slot + 1) & mask
      slots[slot] = id + 1
    }
    this.slots = slots
  }
}

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2)
  b.set(a)
  return b
}
