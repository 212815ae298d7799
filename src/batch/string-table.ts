/**
 * A set of strings with dense ids (0, 1, 2... in first-seen order), for the million-row pass:
 * contact references (for DUPLICATE_REFERENCE) and recording keys. A Map of a million strings
 * costs well over 100 MB of garbage-collected heap and a slice of the CSV chunk per key; this
 * keeps the characters in one typed-array arena (one byte a character while the text is
 * Latin-1, two after) and an open-addressing hash table of ids: about 25 bytes an entry,
 * outside the GC's reach.
 */
export class StringTable {
  private chars: Uint8Array | Uint16Array
  private used = 0
  /** Per id: where its characters start (they end where the next id's start). */
  private start: Int32Array
  private count = 0
  /** Slots hold id + 1 (0 = empty). Size is a power of two, kept at most half full. */
  private slots: Int32Array
  /** Whether the last intern() added the string. */
  added = false

  /** `expected`: rough number of strings, to size the arrays once instead of doubling. */
  constructor(expected = 4096, charsEach = 12) {
    const n = Math.max(1024, Math.min(expected, 1 << 26))
    this.chars = new Uint8Array(n * charsEach)
    this.start = new Int32Array(n + 1)
    let size = 1024
    while (size < n * 2) size *= 2
    this.slots = new Int32Array(size)
  }

  /** Number of distinct strings. */
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

  /** The id of `s`, adding it when new (then `added` is true). */
  intern(s: string): number {
    const mask = this.slots.length - 1
    let slot = StringTable.hash(s) & mask
    for (;;) {
      const id = this.slots[slot]! - 1
      if (id < 0) break
      if (this.equals(id, s)) {
        this.added = false
        return id
      }
      slot = (slot + 1) & mask
    }
    this.added = true
    return this.add(s, slot)
  }

  /**
   * The strings as code units: id `i` is `chars[start[i] .. start[i + 1])`. For reading them
   * without making a string each (a million references hashed for the delivery ledger).
   * Valid until the next intern(): the arrays are replaced as they grow.
   */
  codeUnits(): { chars: Uint8Array | Uint16Array; start: Int32Array } {
    return { chars: this.chars, start: this.start }
  }

  /** The string with this id (a new flat copy each call). */
  get(id: number): string {
    const sub = this.chars.subarray(this.start[id]!, this.start[id + 1]!)
    // apply() takes the typed array as it is; a spread walks it through the iterator protocol
    // (measured: a million 10-character references took 0.44 s to read back that way).
    if (sub.length <= 8192) return String.fromCharCode.apply(null, sub as unknown as number[])
    let out = ''
    for (let i = 0; i < sub.length; i += 8192) out += String.fromCharCode.apply(null, sub.subarray(i, i + 8192) as unknown as number[])
    return out
  }

  private add(s: string, slot: number): number {
    const id = this.count++
    if (id + 1 >= this.start.length) {
      const bigger = new Int32Array(this.start.length * 2)
      bigger.set(this.start)
      this.start = bigger
    }
    if (this.chars instanceof Uint8Array) {
      for (let i = 0; i < s.length; i++) {
        if (s.charCodeAt(i) > 255) {
          this.chars = Uint16Array.from(this.chars)
          break
        }
      }
    }
    if (this.used + s.length > this.chars.length) {
      const bigger = new (this.chars.constructor as Uint8ArrayConstructor | Uint16ArrayConstructor)(Math.max(this.chars.length * 2, this.used + s.length))
      bigger.set(this.chars)
      this.chars = bigger
    }
    for (let i = 0; i < s.length; i++) this.chars[this.used + i] = s.charCodeAt(i)
    this.used += s.length
    this.start[id + 1] = this.used
    this.slots[slot] = id + 1
    if (this.count * 2 > this.slots.length) this.rehash()
    return id
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
