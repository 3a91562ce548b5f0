// PostgresGallery: the Gallery interface (src/gallery/gallery.ts) over one collection of a
// PostgresStore. Writes commit in PostgreSQL; reads and searches use an in-memory FaceIndex
// copy kept by a ShardReplica (writes resolve once the copy has them, so a caller reads its
// own writes; other processes' writes arrive on NOTIFY). Ties go to the earlier-numbered face.
import type { FaceIndex } from '../gallery/face-index.js';
import type {
  FaceHit, FaceRecord, Gallery, GalleryAddOptions, GallerySearchLabelsOptions, GallerySearchOptions, LabelHit,
} from '../gallery/gallery.js';
import { assertOptionsObject, rowsOf } from '../core/validate.js';
import { collectionStem } from './collection-stem.js';
import { assertNames } from './face-input.js';
import { PostgresStore, type StoreOptions } from './postgres-store.js';
import { ShardReplica } from './replica.js';

/** A replica record as the caller stored it: without the store number the replica adds to meta. */
function asStored(record: FaceRecord): FaceRecord {
  const { seq: _seq, ...meta } = record.meta ?? {};
  return { id: record.id, label: record.label, vector: record.vector, ...(Object.keys(meta).length > 0 ? { meta } : {}) };
}

export class PostgresGallery implements Gallery {
  readonly #stem: string;

  private constructor(private readonly store: PostgresStore, private readonly replica: ShardReplica, private readonly key: string) {
    this.#stem = collectionStem(key);
  }

  /** Connects to the store at `url` and loads a copy of `collection`'s faces (the collection is named like an API key). */
  static async open(url: string, collection: string, options: StoreOptions): Promise<PostgresGallery> {
    const store = await PostgresStore.connect(url, options);
    try {
      return new PostgresGallery(store, await ShardReplica.start(store), collection);
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  get dim(): number {
    return this.store.dim;
  }

  get size(): number {
    return this.#index().size;
  }

  async add(ids: string[], vectors: Float32Array, options?: GalleryAddOptions): Promise<void> {
    const opts = assertOptionsObject('options', options) as GalleryAddOptions;
    const idList = assertNames('ids', ids);
    const n = rowsOf('vectors', vectors, this.dim);
    if (n !== idList.length) throw new RangeError(`vectors: expected ${idList.length} rows (one per id) of dim ${this.dim}, got ${n}`);
    const labels = opts.labels === undefined ? idList : assertNames('options.labels', opts.labels);
    if (labels.length !== n) throw new RangeError(`options.labels: expected ${n} entries (one per vector), got ${labels.length}`);
    if (opts.meta !== undefined && (!Array.isArray(opts.meta) || opts.meta.length !== n)) {
      throw new RangeError(`options.meta: expected an array of ${n} entries (one per vector)`);
    }
    const faces = idList.map((id, i) => ({ id, subject: labels[i]!, vector: vectors.subarray(i * this.dim, (i + 1) * this.dim), meta: opts.meta?.[i] ?? undefined }));
    const { seq } = await this.store.addFaces(this.key, faces);
    await this.replica.waitFor(seq);
  }

  async remove(ids: string[]): Promise<number> {
    const { seq, removed } = await this.store.removeFaces(this.key, [...new Set(assertNames('ids', ids))]);
    await this.replica.waitFor(seq);
    return removed.length;
  }

  get(id: string): FaceRecord | undefined {
    const record = this.#index().get(id);
    return record && asStored(record);
  }

  has(id: string): boolean {
    return this.#index().has(id);
  }

  search(queries: Float32Array, k: number, options?: GallerySearchOptions): Promise<FaceHit[][]> {
    return this.#index().search(queries, k, options);
  }

  searchLabels(queries: Float32Array, k: number, options?: GallerySearchLabelsOptions): Promise<LabelHit[][]> {
    return this.#index().searchLabels(queries, k, options);
  }

  *entries(): IterableIterator<FaceRecord> {
    for (const record of this.#index().entries()) yield asStored(record);
  }

  /** Waits for every write committed so far (by any process) to be in the copy. */
  async sync(): Promise<void> {
    await this.replica.waitFor(await this.store.head());
  }

  async close(): Promise<void> {
    await this.replica.close();
    await this.store.close();
  }

  #index(): FaceIndex {
    return this.replica.index(this.#stem);
  }
}
