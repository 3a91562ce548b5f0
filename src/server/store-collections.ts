// The server's collections kept in PostgreSQL (src/store/): reads of subjects and faces go to
// the store; searches run on this process's replica of its shard slice. A write answers once
// it has committed and the replica here has applied it, so a client reads its own writes from
// the process it wrote through; other processes apply it on their NOTIFY (or poll).
import type { FaceRecord, LabelHit } from '../gallery/gallery.js';
import type { Meta } from '../gallery/row-store.js';
import { collectionStem } from '../store/collection-stem.js';
import { PostgresStore } from '../store/postgres-store.js';
import { ReplicaLagError, ShardReplica } from '../store/replica.js';
import type { ShardSlice } from '../store/shard.js';
import { type CollectionHit, type CollectionSource, type ServerCollection } from './collections.js';
import { ApiError, CODES } from './errors.js';

export interface StoreConfig {
  /** postgres://… */
  url: string;
  /** This process's slice of the faces for searching (default: all). */
  shard?: ShardSlice;
  /** Catch-up poll interval in ms when no notification comes (default 1000). */
  pollMs?: number;
}

// Errors meaning "the database cannot be reached now": class 08 (connection), 53300 (too many
// connections), 57P0x (shutting down), and the socket's own.
const UNREACHABLE = /^(08...|53300|57P0[1-3]|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|EPIPE)$/;

/** A store that cannot be reached, or a replica that cannot catch up, is a 503 with Retry-After (the client's input was fine). */
function asUnavailable(err: unknown): never {
  const e = err as { code?: unknown; message?: string };
  if (err instanceof ReplicaLagError || (typeof e?.code === 'string' && UNREACHABLE.test(e.code)) || /Connection terminated/.test(e?.message ?? '')) {
    throw new ApiError(503, CODES.busy, `store unavailable: ${e.message}`, { 'retry-after': '1' });
  }
  throw err;
}

class StoreCollection implements ServerCollection {
  readonly #stem: string;

  constructor(private readonly store: PostgresStore, private readonly replica: ShardReplica, private readonly key: string) {
    this.#stem = collectionStem(key);
  }

  listSubjects(): Promise<string[]> {
    return this.store.subjects(this.key).catch(asUnavailable);
  }
  createSubject(subject: string): Promise<boolean> {
    return this.store.addSubject(this.key, subject).catch(asUnavailable);
  }
  renameSubject(from: string, to: string): Promise<boolean> {
    return this.#visible(this.store.renameSubject(this.key, from, to)).then((r) => r.renamed);
  }
  deleteSubject(subject: string): Promise<boolean> {
    return this.#visible(this.store.removeSubjects(this.key, [subject])).then((r) => r.subjects.length > 0);
  }
  deleteAllSubjects(): Promise<number> {
    const all = this.store.subjects(this.key).then((subjects) => this.store.removeSubjects(this.key, subjects));
    return this.#visible(all).then((r) => r.subjects.length);
  }
  addFace(id: string, subject: string, vector: Float32Array, meta?: Meta): Promise<void> {
    return this.#visible(this.store.addFaces(this.key, [{ id, subject, vector, meta }])).then(() => undefined);
  }
  listFaces(options: { subject?: string; offset: number; limit: number }) {
    return this.store.listFaces(this.key, options).catch(asUnavailable);
  }
  async getFace(id: string): Promise<FaceRecord | undefined> {
    const face = await this.store.getFace(this.key, id).catch(asUnavailable);
    if (!face) return undefined;
    // The store keeps vectors as given; a FaceRecord's is unit-length (the routes compare by dot product).
    const norm = Math.hypot(...face.vector);
    return { id: face.id, label: face.subject, vector: face.vector.map((x) => x / norm), ...(face.meta ? { meta: face.meta } : {}) };
  }
  async deleteFace(id: string): Promise<{ id: string; subject: string } | undefined> {
    return (await this.deleteFacesById([id]))[0];
  }
  async deleteFacesById(ids: string[]): Promise<{ id: string; subject: string }[]> {
    const { removed } = await this.#visible(this.store.removeFaces(this.key, ids));
    const byId = new Map(removed.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r) => r !== undefined);
  }
  deleteFaces(subject?: string): Promise<number> {
    return this.#visible(this.store.removeAllFaces(this.key, subject)).then((r) => r.removed.length);
  }
  async search(vectors: Float32Array, k: number): Promise<CollectionHit[][]> {
    const index = this.replica.index(this.#stem);
    const rows = await index.search(vectors, k);
    return rows.map((row) => row.map((h) => ({ ...h, seq: index.get(h.id)?.meta?.seq as number | undefined })));
  }
  searchLabels(vectors: Float32Array, k: number): Promise<LabelHit[][]> {
    return this.replica.index(this.#stem).searchLabels(vectors, k);
  }
  async close(): Promise<void> {}

  /** A committed write's result, once this process's replica has applied it. */
  async #visible<T extends { seq: number }>(write: Promise<T>): Promise<T> {
    try {
      const result = await write;
      await this.replica.waitFor(result.seq);
      return result;
    } catch (err) {
      return asUnavailable(err);
    }
  }
}

/** Collections in the store, searched on a replica of this process's slice (loaded before it serves). */
export class StoreCollections implements CollectionSource {
  readonly #open = new Map<string, StoreCollection>();

  private constructor(readonly store: PostgresStore, readonly replica: ShardReplica) {}

  static async open(config: StoreConfig, model: { dim: number; modelKey: string }): Promise<StoreCollections> {
    const store = await PostgresStore.connect(config.url, model);
    try {
      const replica = await ShardReplica.start(store, { shard: config.shard, pollMs: config.pollMs });
      return new StoreCollections(store, replica);
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  async get(apiKey: string): Promise<ServerCollection> {
    let c = this.#open.get(apiKey);
    if (!c) {
      c = new StoreCollection(this.store, this.replica, apiKey);
      this.#open.set(apiKey, c);
    }
    return c;
  }

  async closeAll(): Promise<void> {
    this.#open.clear();
    await this.replica.close();
    await this.store.close();
  }
}
