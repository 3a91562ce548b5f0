// FaceIndex: the embedded face gallery. Faces (id -> vector, label = the identity, meta) in
// float32, float16 or int8 storage, searched exactly by the native kernels; in memory, or
// durable on disk with a write-ahead log (see durable-store.ts and docs/index-format.md).
import fs from 'node:fs';
import { AGGREGATES, bytesPerValue, METRICS, STORAGES, type Metric, type Storage } from '../core/codes.js';
import { searchRowLabels, searchRows, storedView } from '../core/gallery.js';
import { threadCount } from '../core/options.js';
import { assertInteger, assertOneOf, assertOptionsObject, describe, rowsOf } from '../core/validate.js';
import { DurableStore, type Durability, type WalRecovery } from './durable-store.js';
import { CorruptIndexError } from './errors.js';
import { type ImageToWrite, type IndexImage } from './file-format.js';
import { candidateMask, checkFilter } from './filter.js';
import type {
  FaceEntry, FaceHit, FaceRecord, Gallery, GalleryAddOptions, GallerySearchLabelsOptions, GallerySearchOptions, LabelHit,
} from './gallery.js';
import { RowStore, type Meta } from './row-store.js';
import { ADD, decodeRecord, encodeAdd, encodeRemove } from './wal-records.js';

export type { Storage, Durability, Meta, WalRecovery };

export interface FaceIndexOptions {
  /** Embedding length (1 .. 65536). */
  dim: number;
  /** 'f32' (default), 'f16' (half the memory) or 'i8' (a quarter, one scale per vector). */
  storage?: Storage;
  /** 'cosine' (default: vectors are stored L2-normalised) or 'dot'. */
  metric?: Metric;
}

export interface OpenOptions extends Partial<FaceIndexOptions> {
  /** 'fsync' (default): an add/remove resolves once its log record is on disk. 'none': once the OS has it. */
  durability?: Durability;
  /** Open even when the log is damaged with intact records after the damage, dropping them (see docs/reliability.md). */
  repair?: boolean;
}

export type AddOptions = GalleryAddOptions;
export type SearchOptions = GallerySearchOptions;
export type SearchLabelsOptions = GallerySearchLabelsOptions;
export type { FaceEntry, FaceHit, FaceRecord, LabelHit };

const MAX_DIM = 65536;
const F16_MAX = 65504;

function assertStrings(name: string, value: unknown, n?: number): string[] {
  if (!Array.isArray(value)) throw new TypeError(`${name}: expected an array of strings, got ${describe(value)}`);
  if (n !== undefined && value.length !== n) {
    throw new RangeError(`${name}: expected ${n} entries (one per vector), got ${value.length}`);
  }
  value.forEach((s, i) => {
    if (typeof s !== 'string') throw new TypeError(`${name}[${i}]: expected a string, got ${describe(s)}`);
    if (s.length === 0) throw new RangeError(`${name}[${i}]: expected a non-empty string, got ''`);
  });
  return value as string[];
}

/** A NUL, or a lone UTF-16 surrogate (which UTF-8 cannot hold): ids are stored NUL-terminated in UTF-8. */
export const BAD_ID = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function assertIds(ids: string[]): void {
  ids.forEach((id, i) => {
    if (BAD_ID.test(id)) throw new RangeError(`ids[${i}]: expected a string without NUL characters or lone surrogates, got ${JSON.stringify(id)}`);
  });
}

function cleanMeta(value: unknown, n: number): (Meta | undefined)[] {
  if (value === undefined) return new Array(n).fill(undefined);
  if (!Array.isArray(value)) throw new TypeError(`options.meta: expected an array of objects, got ${describe(value)}`);
  if (value.length !== n) throw new RangeError(`options.meta: expected ${n} entries (one per vector), got ${value.length}`);
  return value.map((m, i) => {
    if (m === undefined || m === null) return undefined;
    if (typeof m !== 'object' || Array.isArray(m)) {
      throw new TypeError(`options.meta[${i}]: expected an object, null or undefined, got ${describe(m)}`);
    }
    try {
      return JSON.parse(JSON.stringify(m)) as Meta;  // what is stored is what a reopen gives back
    } catch (e) {
      throw new TypeError(`options.meta[${i}]: expected a JSON-serialisable object (${(e as Error).message})`);
    }
  });
}

export class FaceIndex implements Gallery {
  #rows: RowStore;
  readonly #dim: number;
  readonly #storage: Storage;
  readonly #metric: Metric;
  /** Searches (and compactions) reading a snapshot of slots [0, n): slot reuse waits for them. */
  #readers = 0;
  #durable: DurableStore | null = null;
  #closed = false;
  /** Compactions run one after another. */
  #compaction: Promise<void> = Promise.resolve();

  constructor(options: FaceIndexOptions) {
    const opts = assertOptionsObject('options', options);
    if (opts.dim === undefined) throw new TypeError('options.dim: expected an integer, got undefined');
    this.#dim = assertInteger('options.dim', opts.dim, 1, MAX_DIM);
    this.#storage = assertOneOf('options.storage', opts.storage ?? 'f32', STORAGES);
    this.#metric = assertOneOf('options.metric', opts.metric ?? 'cosine', METRICS);
    this.#rows = new RowStore(this.#dim, this.#storage);
  }

  /**
   * Opens (or creates) a durable index at `file` (plus `file-wal` and `file.lock` beside it).
   * Creating needs `dim`; reopening checks any dim/storage/metric given against the file.
   */
  static async open(file: string, options?: OpenOptions): Promise<FaceIndex> {
    if (typeof file !== 'string' || file.length === 0) throw new TypeError(`path: expected a file path, got ${describe(file)}`);
    const opts = assertOptionsObject('options', options);
    const durability = assertOneOf('options.durability', opts.durability ?? 'fsync', ['fsync', 'none'] as const);
    if (opts.dim !== undefined) assertInteger('options.dim', opts.dim, 1, MAX_DIM);
    if (opts.storage !== undefined) assertOneOf('options.storage', opts.storage, STORAGES);
    if (opts.metric !== undefined) assertOneOf('options.metric', opts.metric, METRICS);
    if (opts.repair !== undefined && typeof opts.repair !== 'boolean') throw new TypeError(`options.repair: expected a boolean, got ${describe(opts.repair)}`);
    if (!fs.existsSync(file) && opts.dim === undefined) {
      throw new TypeError(`options.dim: expected an integer to create ${file}, got undefined`);
    }
    let index: FaceIndex | null = null;
    const store = await DurableStore.open(file, durability, (img) => {
      for (const [key, got] of [['dim', img.dim], ['storage', img.storage], ['metric', img.metric]] as const) {
        const want = opts[key];
        if (want !== undefined && want !== got) throw new RangeError(`options.${key}: ${file} has ${key} ${got}, got ${want}`);
      }
      index = new FaceIndex({ dim: img.dim, storage: img.storage, metric: img.metric });
      index.#load(file, img);
      return (payload: Buffer) => index!.#replay(payload);
    }, () => ({ dim: opts.dim as number, storage: (opts.storage ?? 'f32') as Storage, metric: (opts.metric ?? 'cosine') as Metric }), opts.repair === true);
    index!.#durable = store;
    return index!;
  }

  get size(): number {
    return this.#rows.size;
  }
  get dim(): number {
    return this.#dim;
  }
  get storage(): Storage {
    return this.#storage;
  }
  get metric(): Metric {
    return this.#metric;
  }
  /** The file of a durable index (undefined in memory). */
  get path(): string | undefined {
    return this.#durable?.file;
  }

  /** What opening cut off the end of the log (a torn tail; droppedBytes 0 when clean); durable only. */
  get recovery(): WalRecovery | undefined {
    return this.#durable?.recovery;
  }

  /** Log records written and the commits (write + fsync) that carried them, since open (durable only). */
  get logStats(): { records: number; commits: number } | undefined {
    return this.#durable?.stats;
  }

  /** Adds faces; rejects (and changes nothing) on bad input or an id already present. */
  async add(ids: string[], vectors: Float32Array, options?: AddOptions): Promise<void> {
    this.#assertOpen();
    const opts = assertOptionsObject('options', options);
    const idList = assertStrings('ids', ids);
    assertIds(idList);
    const n = rowsOf('vectors', vectors, this.#dim);
    if (n !== idList.length) throw new RangeError(`vectors: expected ${idList.length} rows (one per id) of dim ${this.#dim}, got ${n}`);
    const labels = opts.labels === undefined ? idList : assertStrings('options.labels', opts.labels, n);
    const meta = cleanMeta(opts.meta, n);
    const seen = new Set<string>();
    idList.forEach((id, i) => {
      if (seen.has(id)) throw new RangeError(`ids[${i}]: '${id}' appears twice in this call`);
      if (this.#rows.slotOf.has(id)) throw new RangeError(`ids[${i}]: '${id}' is already in the index (remove it first)`);
      seen.add(id);
    });
    if (n === 0) return;
    if (this.#storage === 'f16' && this.#metric === 'dot') {
      for (let i = 0; i < vectors.length; i++) {
        if (Math.abs(vectors[i]) > F16_MAX) {
          throw new RangeError(`vectors: expected |values| <= ${F16_MAX} for f16 storage with metric 'dot', got ${vectors[i]} at index ${i}`);
        }
      }
    }
    this.#rows.insert([...idList], [...labels], meta, vectors, this.#metric === 'cosine', this.#readers === 0);
    if (this.#durable) await this.#durable.log(encodeAdd(idList, labels, meta, vectors));
  }

  /** Removes faces by id (unknown ids are skipped); resolves to how many were removed. */
  async remove(ids: string[]): Promise<number> {
    this.#assertOpen();
    const removed = [...new Set(assertStrings('ids', ids))].filter((id) => this.#rows.delete(id, this.#readers > 0));
    if (this.#durable && removed.length > 0) await this.#durable.log(encodeRemove(removed));
    return removed.length;
  }

  has(id: string): boolean {
    return this.#rows.slotOf.has(id);
  }

  get(id: string): FaceRecord | undefined {
    const slot = this.#rows.slotOf.get(id);
    return slot === undefined ? undefined : this.#record(slot);
  }

  /** Every face, in slot order. */
  *entries(): IterableIterator<FaceRecord> {
    for (const slot of this.#rows.liveSlots()) yield this.#record(slot);
  }

  /** Per query row, the k best faces (best first; equal scores: the earlier slot). */
  async search(queries: Float32Array, k: number, options?: SearchOptions): Promise<FaceHit[][]> {
    const { nq, search, rows } = this.#prepareSearch(queries, k, options);
    if (nq === 0) return [];
    if (rows.size === 0) return Array.from({ length: nq }, () => []);
    const { ids, labelOf, labels } = { ids: rows.ids, labelOf: rows.labelOf, labels: rows.labels.names };
    const found = await this.#reading(() => searchRows(queries, this.#stored(rows), k, search));
    return this.#collect(nq, found.k, found.index, found.scores, (slot, score) => ({ id: ids[slot], label: labels[labelOf[slot]], score }));
  }

  /** Per query row, the k best identities: each label scored by its best (or mean) face. */
  async searchLabels(queries: Float32Array, k: number, options?: SearchLabelsOptions): Promise<LabelHit[][]> {
    const aggregate = assertOneOf('options.aggregate', (options as SearchLabelsOptions | undefined)?.aggregate ?? 'max', AGGREGATES);
    const { nq, search, rows } = this.#prepareSearch(queries, k, options);
    if (nq === 0) return [];
    if (rows.size === 0 || rows.labels.count === 0) return Array.from({ length: nq }, () => []);
    const names = rows.labels.names;
    const found = await this.#reading(() => searchRowLabels(queries, this.#stored(rows), rows.labelOf, rows.labels.count,
      aggregate, k, search));
    return this.#collect(nq, found.k, found.index, found.scores, (l, score) => ({ label: names[l], score }));
  }

  /**
   * Drops deleted slots. Durable: writes the whole index to a new file (fsync, rename, fsync the
   * directory) and starts an empty log; adds and removes made meanwhile go to the new log.
   */
  async compact(): Promise<void> {
    this.#assertOpen();
    if (!this.#durable) {
      this.#rows = this.#rows.dense();
      return;
    }
    const durable = this.#durable;
    const run = this.#compaction.then(() => durable.compact(() => {
      // Runs with the log paused: everything applied so far is in this snapshot.
      this.#rows = this.#rows.dense();
      return this.#image(this.#rows);
    }, (write) => this.#reading(write)));
    this.#compaction = run.catch(() => undefined);
    await run;
  }

  /** Waits for pending log writes, closes the files and releases the lock. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#compaction;
    await this.#durable?.close();
  }

  // --- internals ---

  #stored(rows: RowStore) {
    return { storage: this.#storage, dim: this.#dim, n: rows.n, data: rows.data, scales: rows.scales };
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`FaceIndex${this.path ? ` ${this.path}` : ''}: the index is closed`);
    const failed = this.#durable?.failed;
    if (failed) throw new Error(`FaceIndex ${this.path}: a log write failed earlier (${failed.message}); reopen the index`);
  }

  #record(slot: number): FaceRecord {
    const rows = this.#rows;
    const rec: FaceRecord = { id: rows.ids[slot], label: rows.labels.names[rows.labelOf[slot]], vector: rows.vector(slot) };
    const meta = rows.meta.get(slot);
    if (meta !== undefined) rec.meta = meta;
    return rec;
  }

  #prepareSearch(queries: Float32Array, k: number, options: SearchOptions | undefined) {
    this.#assertOpen();
    const opts = assertOptionsObject('options', options);
    const nq = rowsOf('queries', queries, this.#dim);
    assertInteger('k', k, 1, 2 ** 31 - 1);
    const minScore = opts.minScore;
    if (minScore !== undefined) {
      if (typeof minScore !== 'number') throw new TypeError(`options.minScore: expected a number, got ${describe(minScore)}`);
      if (Number.isNaN(minScore)) throw new RangeError('options.minScore: expected a number, got NaN');
    }
    const filter = checkFilter('options.filter', opts.filter);
    const threads = threadCount(opts.threads);
    const rows = this.#rows;
    // The candidates as of now: a copy, so removes made while the search runs do not touch it.
    // Every slot live and no filter: no mask at all (a fresh 1 MB copy per search of 1M faces
    // cost ~3 ms of page faults). Slots are not reused while a search runs, and it scans only
    // [0, n) as of now, so what it sees is still the index as of its start.
    const mask = !filter && rows.size === rows.n ? null : candidateMask(rows, filter);
    return { nq, rows, search: { metric: this.#metric, minScore: minScore as number | undefined, mask, threads } };
  }

  async #reading<T>(run: () => Promise<T>): Promise<T> {
    this.#readers++;
    try {
      return await run();
    } finally {
      if (--this.#readers === 0) this.#rows.labels.settle();
    }
  }

  #collect<T>(nq: number, kk: number, index: Int32Array, scores: Float32Array, make: (i: number, score: number) => T): T[][] {
    const out: T[][] = [];
    for (let q = 0; q < nq; q++) {
      const hits: T[] = [];
      for (let r = 0; r < kk && index[q * kk + r] >= 0; r++) hits.push(make(index[q * kk + r], scores[q * kk + r]));
      out.push(hits);
    }
    return out;
  }

  #image(rows: RowStore): Omit<ImageToWrite, 'generation'> {
    const n = rows.n;
    const bytes = n * rows.rowBytes;
    return {
      dim: this.#dim, storage: this.#storage, metric: this.#metric,
      ids: rows.ids.slice(0, n), labels: Array.from(rows.labelOf.subarray(0, n), (l) => rows.labels.names[l]),
      meta: rows.meta.size > 0 ? Array.from({ length: n }, (_, s) => rows.meta.get(s) ?? null) : null,
      vectors: new Uint8Array(rows.data.buffer, rows.data.byteOffset, bytes),
      scales: new Uint8Array(rows.scales.buffer, rows.scales.byteOffset, this.#storage === 'i8' ? n * 4 : 0),
    };
  }

  #load(file: string, img: IndexImage): void {
    const n = img.ids.length, v = img.vectors, bpv = bytesPerValue(this.#storage);
    // The file's vector section in place: mapped (room for img.capacity rows) or read whole.
    const aligned = v.byteOffset % bpv === 0 ? v : new Uint8Array(v);
    const capacity = aligned === v ? img.capacity : n;
    const len = capacity * this.#dim;
    const data = storedView(this.#storage, aligned.buffer, aligned.byteOffset, len);
    const scales = new Float32Array(n > 0 && this.#storage === 'i8' ? n : 0);
    if (scales.length > 0) new Uint8Array(scales.buffer).set(img.scales);
    this.#rows = new RowStore(this.#dim, this.#storage);
    if (!this.#rows.adopt(data, capacity, scales, img.ids, img.labels, img.meta, img.idTable)) {
      throw new CorruptIndexError(file, 'table', 'duplicate ids');
    }
  }

  #replay(payload: Buffer): void {
    const rec = decodeRecord(payload, this.#dim);
    if (rec.type === ADD) {
      const ids = rec.ids, labels = rec.labels, meta = rec.meta?.map((m) => m ?? undefined) ?? new Array(ids.length).fill(undefined);
      if (ids.some((id) => this.#rows.slotOf.has(id))) throw new Error('add record of an id already present');
      this.#rows.insert(ids, labels, meta, rec.vectors, this.#metric === 'cosine', true);
    } else {
      for (const id of rec.ids) this.#rows.delete(id, false);
    }
  }
}

export { CorruptIndexError };
