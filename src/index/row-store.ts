// The in-memory rows of a FaceIndex: stored vectors in slots, a live flag per slot, each
// slot's id, label and meta, and the id -> slot map. Deleted slots are reused by later adds,
// except while a search is in flight: a search reads slots [0, n) as they were when it
// started, so then new rows only go past n (see FaceIndex for the snapshot rule).
import { native } from '../native.js';
import { bytesPerValue, type Storage } from './file-format.js';

export type StoredArray = Float32Array | Uint16Array | Int8Array;
export type Meta = Record<string, unknown>;

export const STORAGE_CODE: Record<Storage, number> = { f32: 0, f16: 1, i8: 2 };

function allocRows(storage: Storage, n: number): StoredArray {
  return storage === 'f32' ? new Float32Array(n) : storage === 'f16' ? new Uint16Array(n) : new Int8Array(n);
}

/** Identity names <-> dense label numbers (for the native kernels), reference-counted. */
export class LabelTable {
  names: string[] = [];
  private index = new Map<string, number>();
  private refs: number[] = [];
  private free: number[] = [];
  private deferred: number[] = [];

  get count(): number {
    return this.names.length;
  }

  acquire(name: string): number {
    let l = this.index.get(name);
    if (l === undefined) {
      l = this.free.pop() ?? this.names.length;
      this.names[l] = name;
      this.refs[l] = 0;
      this.index.set(name, l);
    }
    this.refs[l]++;
    return l;
  }

  /** Drops a reference; an unused number is recycled once no search can still report it. */
  release(l: number, searching: boolean): void {
    if (--this.refs[l] > 0) return;
    this.index.delete(this.names[l]);
    (searching ? this.deferred : this.free).push(l);
  }

  settle(): void {
    for (const l of this.deferred) if (this.refs[l] === 0) this.free.push(l);
    this.deferred = [];
  }

  has(name: string): boolean {
    return this.index.has(name);
  }
}

export class RowStore {
  capacity = 0;
  /** Slots in use or freed: searches scan [0, n). */
  n = 0;
  data: StoredArray;
  scales: Float32Array;
  live: Uint8Array;
  labelOf: Int32Array;
  ids: string[] = [];
  meta: (Meta | undefined)[] = [];
  slotOf = new Map<string, number>();
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

  /** Capacity for at least `want` slots (doubling: amortised O(1) per add). */
  grow(want: number): void {
    if (want <= this.capacity) return;
    const cap = Math.max(want, Math.ceil(this.capacity * 1.5), 16);
    const data = allocRows(this.storage, cap * this.dim);
    data.set(this.data.subarray(0, this.n * this.dim) as never);
    const scales = new Float32Array(this.storage === 'i8' ? cap : 0);
    scales.set(this.scales.subarray(0, this.storage === 'i8' ? this.n : 0));
    const live = new Uint8Array(cap);
    live.set(this.live.subarray(0, this.n));
    const labelOf = new Int32Array(cap);
    labelOf.set(this.labelOf.subarray(0, this.n));
    Object.assign(this, { data, scales, live, labelOf, capacity: cap });
  }

  /** Uses stored rows as they are (from a file): no copy. False if an id repeats. */
  adopt(data: StoredArray, scales: Float32Array, ids: string[], labels: string[], meta: (Meta | null)[] | null): boolean {
    const n = ids.length;
    this.data = data;
    this.scales = scales;
    this.capacity = n;
    this.n = n;
    this.live = new Uint8Array(n).fill(1);
    this.labelOf = new Int32Array(n);
    this.ids = ids;
    this.meta = meta ? meta.map((m) => m ?? undefined) : new Array(n).fill(undefined);
    for (let i = 0; i < n; i++) {
      this.slotOf.set(ids[i], i);
      this.labelOf[i] = this.labels.acquire(labels[i]);
    }
    return this.slotOf.size === n;
  }

  /**
   * Puts encoded rows (`rows` x dim in `encoded`, scales for int8) into free slots.
   * The caller has validated everything: this cannot fail half-way.
   */
  insert(ids: string[], labels: string[], meta: (Meta | undefined)[], encoded: StoredArray, scales: Float32Array,
    reuseSlots: boolean): void {
    const dim = this.dim;
    const reusable = reuseSlots ? Math.min(this.free.length, ids.length) : 0;
    this.grow(this.n + ids.length - reusable);
    for (let r = 0; r < ids.length; r++) {
      const slot = r < reusable ? this.free.pop()! : this.n++;
      this.data.set(encoded.subarray(r * dim, (r + 1) * dim) as never, slot * dim);
      if (this.storage === 'i8') this.scales[slot] = scales[r];
      this.live[slot] = 1;
      this.labelOf[slot] = this.labels.acquire(labels[r]);
      this.ids[slot] = ids[r];
      this.meta[slot] = meta[r];
      this.slotOf.set(ids[r], slot);
    }
  }

  /** Removes rows by id; the slot keeps its id and label until reused (in-flight searches map them). */
  delete(id: string, searching: boolean): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.slotOf.delete(id);
    this.live[slot] = 0;
    this.meta[slot] = undefined;
    this.labels.release(this.labelOf[slot], searching);
    this.free.push(slot);
    return true;
  }

  /** Slot's stored vector as float32 (dequantised). */
  vector(slot: number): Float32Array {
    const out = new Float32Array(this.dim);
    native.indexDecode(this.data, this.scales, STORAGE_CODE[this.storage], this.dim, slot, 1, out);
    return out;
  }

  /** Live slots in slot order. */
  *liveSlots(): IterableIterator<number> {
    for (let s = 0; s < this.n; s++) if (this.live[s]) yield s;
  }

  /** A copy holding only the live rows, densely, in slot order (compaction). */
  dense(): RowStore {
    const out = new RowStore(this.dim, this.storage, this.size);
    const dim = this.dim;
    let r = 0;
    for (const s of this.liveSlots()) {
      out.data.set(this.data.subarray(s * dim, (s + 1) * dim) as never, r * dim);
      if (this.storage === 'i8') out.scales[r] = this.scales[s];
      out.live[r] = 1;
      out.labelOf[r] = out.labels.acquire(this.labels.names[this.labelOf[s]]);
      out.ids[r] = this.ids[s];
      out.meta[r] = this.meta[s];
      out.slotOf.set(this.ids[s], r);
      r++;
    }
    out.n = r;
    return out;
  }
}

export { allocRows };
