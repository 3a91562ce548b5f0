// The in-memory rows of a FaceIndex: stored vectors in slots, a live flag per slot, each
// slot's id, label and meta, and the id -> slot index. Deleted slots are reused by later adds,
// except while a search is in flight: a search reads slots [0, n) as they were when it
// started, so then new rows only go past n (see FaceIndex for the snapshot rule).
//
// Per face, beyond its vector: the id reference (8 B), its index entry (~6-11 B), live flag
// (1 B), label number (4 B), and per identity a name reference, a reference count and an
// index entry (~19 B); meta only where a face has some.
import { bytesPerValue, type Storage } from '../core/codes.js';
import { decodeRows, encodeRows, reserveRows, storedArray, storedView, type StoredArray } from '../core/gallery.js';
import { StringIndex } from './string-index.js';

export type { StoredArray };
export type Meta = Record<string, unknown>;

/** Node 20's largest ArrayBuffer. */
const MAX_BUFFER_BYTES = 2 ** 32;
/** From this size rows live in reserved memory (reserveRows): pages are only allocated when written. */
const RESERVE_FROM_BYTES = 1 << 20;

/** Zeroed storage for `n` values. */
export function allocRows(storage: Storage, n: number): StoredArray {
  const bytes = n * bytesPerValue(storage);
  const reserved = bytes >= RESERVE_FROM_BYTES && bytes <= MAX_BUFFER_BYTES ? reserveRows(bytes) : null;
  return reserved ? storedView(storage, reserved, 0, n) : storedArray(storage, n);
}

/**
 * Capacity in rows for at least `want` rows: twice that (amortised O(1) adds however large
 * each batch is; reserved pages cost nothing until written), within Node's buffer limit.
 */
function nextCapacity(want: number, rowBytes: number): number {
  return Math.max(want, Math.min(Math.max(2 * want, 16), Math.floor(MAX_BUFFER_BYTES / Math.max(rowBytes, 1))));
}

/** Identity names <-> dense label numbers (for the native kernels), reference-counted. */
export class LabelTable {
  names: string[] = [];
  private refs = new Int32Array(16);
  /** Built on first use: an index opened with labels = ids may never need it. */
  private index: StringIndex | null = new StringIndex(this.names);
  private free: number[] = [];
  private deferred: number[] = [];
  /** `names` is the row store's id array (adoptDistinct) until the first change. */
  private shared = false;

  get count(): number {
    return this.names.length;
  }

  /**
   * Labels where every face is its own identity (label l = face l): `ids` itself serves as the
   * names, shared until the first change to the labels, which copies it first.
   */
  adoptDistinct(ids: string[]): void {
    this.names = ids;
    this.shared = true;
    this.refs = new Int32Array(Math.max(16, ids.length)).fill(1, 0, ids.length);
    this.index = null;
  }

  /** Every change (and every name lookup) goes through here: unshares the names, builds the index. */
  private lookup(): StringIndex {
    if (this.index === null) {
      if (this.shared) {
        this.names = this.names.slice();
        this.shared = false;
      }
      this.index = new StringIndex(this.names, this.names.length);
      this.names.forEach((name, l) => {
        if (this.refs[l] > 0) this.index!.add(name, l);
      });
    }
    return this.index;
  }

  acquire(name: string): number {
    const index = this.lookup();
    let l = index.get(name);
    if (l === undefined) {
      l = this.free.pop() ?? this.names.length;
      if (l >= this.refs.length) {
        const refs = new Int32Array(this.refs.length * 2);
        refs.set(this.refs);
        this.refs = refs;
      }
      this.names[l] = name;
      this.refs[l] = 0;
      index.add(name, l);
    }
    this.refs[l]++;
    return l;
  }

  /** Drops a reference; an unused number is recycled once no search can still report it. */
  release(l: number, searching: boolean): void {
    if (--this.refs[l] > 0) return;
    this.lookup().delete(this.names[l]);
    (searching ? this.deferred : this.free).push(l);
  }

  settle(): void {
    for (const l of this.deferred) if (this.refs[l] === 0) this.free.push(l);
    this.deferred = [];
  }

  has(name: string): boolean {
    return this.lookup().has(name);
  }

  /** The label number of a name in use, or undefined. */
  find(name: string): number | undefined {
    return this.lookup().get(name);
  }
}

export class RowStore {
  /** Rows the stored-vector buffer holds (reserved memory may hold far more than the other arrays). */
  capacity = 0;
  /** Slots in use or freed: searches scan [0, n). */
  n = 0;
  data: StoredArray;
  scales: Float32Array;
  live: Uint8Array;
  labelOf: Int32Array;
  ids: string[] = [];
  /** Meta by slot, for the faces that have any. */
  meta = new Map<number, Meta>();
  slotOf: StringIndex = new StringIndex(this.ids);
  labels = new LabelTable();
  private free: number[] = [];

  constructor(readonly dim: number, readonly storage: Storage, capacity = 0) {
    this.data = allocRows(storage, 0);
    this.scales = new Float32Array(0);
    this.live = new Uint8Array(0);
    this.labelOf = new Int32Array(0);
    this.grow(capacity);
  }

  get size(): number {
    return this.slotOf.size;
  }

  get rowBytes(): number {
    return this.dim * bytesPerValue(this.storage);
  }

  /**
   * Room for at least `want` slots: the vector buffer and the per-slot arrays grow separately.
   * `exact` sizes the per-slot arrays to `want` (a compacted store that may never grow).
   */
  grow(want: number, exact = false): void {
    if (want > this.capacity) {
      const cap = nextCapacity(want, this.rowBytes);
      const data = allocRows(this.storage, cap * this.dim);
      data.set(this.data.subarray(0, this.n * this.dim) as never);
      this.data = data;
      this.capacity = cap;
    }
    if (want > this.live.length) {
      const cap = exact ? want : nextCapacity(want, 4);
      const scales = new Float32Array(this.storage === 'i8' ? cap : 0);
      scales.set(this.scales.subarray(0, this.storage === 'i8' ? this.n : 0));
      const live = new Uint8Array(cap);
      live.set(this.live.subarray(0, this.n));
      const labelOf = new Int32Array(cap);
      labelOf.set(this.labelOf.subarray(0, this.n));
      Object.assign(this, { scales, live, labelOf });
    }
  }

  /**
   * Uses stored rows as they are (from a file, possibly mapped with room for `capacity` rows):
   * no copy. `labels` null means each face's label is its id. False if an id repeats.
   */
  adopt(data: StoredArray, capacity: number, scales: Float32Array, ids: string[], labels: string[] | null,
    meta: (Meta | null)[] | null, idTable?: Int32Array): boolean {
    const n = ids.length;
    this.data = data;
    this.capacity = capacity;
    this.scales = scales;
    this.n = n;
    this.live = new Uint8Array(n).fill(1);
    this.ids = ids;
    if (idTable) {
      this.slotOf = StringIndex.fromTable(ids, idTable, n);
    } else {
      this.slotOf = new StringIndex(ids, n);
      for (let i = 0; i < n; i++) if (!this.slotOf.add(ids[i], i)) return false;
    }
    if (labels === null) {
      this.labels.adoptDistinct(ids);
      this.labelOf = new Int32Array(n);
      for (let i = 0; i < n; i++) this.labelOf[i] = i;
    } else {
      this.labelOf = new Int32Array(n);
      for (let i = 0; i < n; i++) this.labelOf[i] = this.labels.acquire(labels[i]);
    }
    meta?.forEach((m, i) => {
      if (m) this.meta.set(i, m);
    });
    return true;
  }

  /**
   * Encodes `vectors` (rows x dim float32) into free slots. Encoding runs first and is the
   * only step that can fail (non-finite values): it writes the appended rows straight into
   * the unused tail of the buffer (no scratch copy, whose fresh pages would cost more than
   * the encoding) and rows for reused slots into a small scratch, so a failure leaves the
   * store as it was.
   */
  insert(ids: string[], labels: string[], meta: (Meta | undefined)[], vectors: Float32Array, normalize: boolean,
    reuseSlots: boolean): void {
    const dim = this.dim, count = ids.length, i8 = this.storage === 'i8';
    const reusable = reuseSlots ? Math.min(this.free.length, count) : 0;
    const appended = count - reusable;
    this.grow(this.n + appended);
    const encode = (from: number, to: number, out: StoredArray, scales: Float32Array) =>
      encodeRows(vectors.subarray(from * dim, to * dim), dim, this.storage, normalize, out, scales);
    const scratch = allocRows(this.storage, reusable * dim), scratchScales = new Float32Array(i8 ? reusable : 0);
    if (reusable > 0) encode(0, reusable, scratch, scratchScales);
    if (appended > 0) {
      encode(reusable, count, this.data.subarray(this.n * dim, (this.n + appended) * dim),
        this.scales.subarray(i8 ? this.n : 0, i8 ? this.n + appended : 0));
    }
    for (let r = 0; r < count; r++) {
      const slot = r < reusable ? this.free.pop()! : this.n++;
      if (r < reusable) {
        this.data.set(scratch.subarray(r * dim, (r + 1) * dim) as never, slot * dim);
        if (i8) this.scales[slot] = scratchScales[r];
      }
      this.live[slot] = 1;
      this.labelOf[slot] = this.labels.acquire(labels[r]);
      this.ids[slot] = ids[r];
      if (meta[r] !== undefined) this.meta.set(slot, meta[r]!);
      this.slotOf.add(ids[r], slot);
    }
  }

  /** Removes rows by id; the slot keeps its id and label until reused (in-flight searches map them). */
  delete(id: string, searching: boolean): boolean {
    const slot = this.slotOf.delete(id);
    if (slot === undefined) return false;
    this.live[slot] = 0;
    this.meta.delete(slot);
    this.labels.release(this.labelOf[slot], searching);
    this.free.push(slot);
    return true;
  }

  /** Slot's stored vector as float32 (dequantised). */
  vector(slot: number): Float32Array {
    return decodeRows(this, slot, 1);
  }

  /** Live slots in slot order. */
  *liveSlots(): IterableIterator<number> {
    for (let s = 0; s < this.n; s++) if (this.live[s]) yield s;
  }

  /** A copy holding only the live rows, densely, in slot order (compaction). */
  dense(): RowStore {
    const out = new RowStore(this.dim, this.storage);
    out.grow(this.size, true);
    out.ids.length = this.size;  // sized once: no growth slack in the id array
    out.slotOf = new StringIndex(out.ids, this.size);
    const dim = this.dim, names = this.labels.names;
    // Every face its own identity (the default): label r = face r, and no label index until an add needs one.
    let distinct = true;
    for (const s of this.liveSlots()) if (names[this.labelOf[s]] !== this.ids[s]) distinct = false;
    let r = 0;
    for (const s of this.liveSlots()) {
      out.data.set(this.data.subarray(s * dim, (s + 1) * dim) as never, r * dim);
      if (this.storage === 'i8') out.scales[r] = this.scales[s];
      out.live[r] = 1;
      out.labelOf[r] = distinct ? r : out.labels.acquire(names[this.labelOf[s]]);
      out.ids[r] = this.ids[s];
      const m = this.meta.get(s);
      if (m !== undefined) out.meta.set(r, m);
      out.slotOf.add(this.ids[s], r);
      r++;
    }
    if (distinct) out.labels.adoptDistinct(out.ids);
    out.n = r;
    return out;
  }

}
