// The server's collections kept in PostgreSQL (src/store/): reads of subjects and faces go to
// the store; searches run on this process's replica of its shard slice. A write answers once
// it has committed and the replica here has applied it, so a client reads its own writes from
// the process it wrote through; other processes apply it on their NOTIFY (or poll).
import type { FaceRecord, LabelHit } from '../gallery/gallery.js';
import type { Meta } from '../gallery/row-store.js';
import { collectionStem } from '../store/collection-stem.js';
import { PostgresStore } from '../store/postgres-store.js';
import { ShardReplica } from '../store/replica.js';
import type { ShardSlice } from '../store/shard.js';
import { noHits, type CollectionHit, type CollectionSource, type ServerCollection } from './collections.js';

export interface StoreConfig {
  /** postgres://… */
  url: string;
  /** This process's slice of the faces for searching (default: all). */
  shard?: ShardSlice;
  /** Catch-up poll interval in ms when no notification comes (default 1000). */
  pollMs?: number;
}

class StoreCollection implements ServerCollection {
  readonly #stem: string;

  constructor(private readonly store: PostgresStore, private readonly replica: ShardReplica, private readonly key: string) {
    this.#stem = collectionStem(key);
  }

  listSubjects(): Promise<string[]> {
    return this.store.subjects(this.key);
  }
  createSubject(subject: string): Promise<boolean> {
    return this.store.addSubject(this.key, subject);
  }
  async renameSubject(from: string, to: string): Promise<boolean> {
    const { seq, renamed } = await this.store.renameSubject(this.key, from, to);
    await this.replica.waitFor(seq);
    return renamed;
  }
  async deleteSubject(subject: string): Promise<boolean> {
    const { seq, subjects } = await this.store.removeSubjects(this.key, [subject]);
    await this.replica.waitFor(seq);
    return subjects.length > 0;
  }
  async deleteAllSubjects(): Promise<number> {
    const { seq, subjects } = await this.store.removeSubjects(this.key, await this.store.subjects(this.key));
    await this.replica.waitFor(seq);
    return subjects.length;
  }
  async addFace(id: string, subject: string, vector: Float32Array, meta?: Meta): Promise<void> {
    const { seq } = await this.store.addFaces(this.key, [{ id, subject, vector, meta }]);
    await this.replica.waitFor(seq);
  }
  listFaces(options: { subject?: string; offset: number; limit: number }) {
    return this.store.listFaces(this.key, options);
  }
  async getFace(id: string): Promise<FaceRecord | undefined> {
    const face = await this.store.getFace(this.key, id);
    return face && { id: face.id, label: face.subject, vector: face.vector, ...(face.meta ? { meta: face.meta } : {}) };
  }
  async deleteFace(id: string): Promise<{ id: string; subject: string } | undefined> {
    return (await this.deleteFacesById([id]))[0];
  }
  async deleteFacesById(ids: string[]): Promise<{ id: string; subject: string }[]> {
    const { seq, removed } = await this.store.removeFaces(this.key, ids);
    await this.replica.waitFor(seq);
    const byId = new Map(removed.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r) => r !== undefined);
  }
  async deleteFaces(subject?: string): Promise<number> {
    const { seq, removed } = await this.store.removeAllFaces(this.key, subject);
    await this.replica.waitFor(seq);
    return removed.length;
  }
  async search(vectors: Float32Array, k: number): Promise<CollectionHit[][]> {
    const index = this.replica.index(this.#stem);
    if (!index || index.size === 0) return noHits(vectors, this.store.dim);
    const rows = await index.search(vectors, k);
    return rows.map((row) => row.map((h) => ({ ...h, seq: index.get(h.id)?.meta?.seq as number | undefined })));
  }
  async searchLabels(vectors: Float32Array, k: number): Promise<LabelHit[][]> {
    const index = this.replica.index(this.#stem);
    if (!index || index.size === 0) return noHits(vectors, this.store.dim);
    return index.searchLabels(vectors, k);
  }
  async close(): Promise<void> {}
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
