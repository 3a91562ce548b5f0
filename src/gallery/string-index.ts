// A set of strings numbered by the caller: key -> v where keys[v] is the key (face ids ->
// slots, identity names -> label numbers). Open addressing over one Int32Array, so an entry
// costs 6-11 bytes where a Map costs ~40, and building it for 1M ids takes a fraction of
// the 0.7 s a Map took (V8 hashes each fresh string on insert, then rehashes as it grows).

const EMPTY = 0;
const DELETED = -1;

/** FNV-1a over UTF-16 code units, with a final mix so the low bits (the slot) use them all. */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}

export class StringIndex {
  /** v + 1 per occupied slot; EMPTY, or DELETED (keeps probe chains intact). */
  #table: Int32Array;
  #used = 0;  // occupied + deleted slots
  #size = 0;

  /** `keys` is read, never written: keys[v] must hold v's key while v is in the index. */
  constructor(private readonly keys: ArrayLike<string | undefined>, expected = 0) {
    this.#table = new Int32Array(StringIndex.#capacityFor(expected));
  }

  /** Adopts a table built by the native id-table kernel (core/gallery.ts buildIdTable) for keys[0, size) (the same layout and hash). */
  static fromTable(keys: ArrayLike<string | undefined>, table: Int32Array, size: number): StringIndex {
    const index = new StringIndex(keys);
    index.#table = table;
    index.#size = size;
    index.#used = size;
    return index;
  }

  /** Table length for n keys: a power of two, load factor <= 0.7. */
  static capacityFor(n: number): number {
    return StringIndex.#capacityFor(n);
  }

  static #capacityFor(n: number): number {
    let cap = 16;
    while (cap * 0.7 < n) cap *= 2;  // load factor <= 0.7
    return cap;
  }

  get size(): number {
    return this.#size;
  }

  get(key: string): number | undefined {
    const t = this.#table, mask = t.length - 1;
    for (let i = hashOf(key) & mask; ; i = (i + 1) & mask) {
      const e = t[i];
      if (e === EMPTY) return undefined;
      if (e > 0 && this.keys[e - 1] === key) return e - 1;
    }
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Adds key -> v (keys[v] must already be key); false, changing nothing, if key is present. */
  add(key: string, v: number): boolean {
    if ((this.#used + 1) > this.#table.length * 0.7) this.#rehash(StringIndex.#capacityFor(this.#size + 1) * 2);
    const t = this.#table, mask = t.length - 1;
    let free = -1;
    for (let i = hashOf(key) & mask; ; i = (i + 1) & mask) {
      const e = t[i];
      if (e === EMPTY) {
        if (free < 0) {
          free = i;
          this.#used++;
        }
        break;
      }
      if (e === DELETED) {
        if (free < 0) free = i;
      } else if (this.keys[e - 1] === key) {
        return false;
      }
    }
    t[free] = v + 1;
    this.#size++;
    return true;
  }

  /** Removes key; its number is returned (undefined if absent). */
  delete(key: string): number | undefined {
    const t = this.#table, mask = t.length - 1;
    for (let i = hashOf(key) & mask; ; i = (i + 1) & mask) {
      const e = t[i];
      if (e === EMPTY) return undefined;
      if (e > 0 && this.keys[e - 1] === key) {
        t[i] = DELETED;
        this.#size--;
        return e - 1;
      }
    }
  }

  /** Every number in the index, in table order. */
  *values(): IterableIterator<number> {
    for (const e of this.#table) if (e > 0) yield e - 1;
  }

  #rehash(capacity: number): void {
    const old = this.#table;
    const t = new Int32Array(capacity), mask = capacity - 1;
    for (const e of old) {
      if (e <= 0) continue;
      let i = hashOf(this.keys[e - 1]!) & mask;
      while (t[i] !== EMPTY) i = (i + 1) & mask;
      t[i] = e;
    }
    this.#table = t;
    this.#used = this.#size;
  }
}
