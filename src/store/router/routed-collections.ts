// The HTTP service in router mode (`facecore serve --route`): each key's collection searches by
// fanning out to the shards; everything else (subjects, faces, writes) goes to the store when
// the router has one (`--store`), and is refused, saying why, when it has none. After a write
// through this router, its searches of that collection ask the shards to have applied the
// write first: a client reads its own writes, as from one server.
import type { FaceRecord, LabelHit } from '../../gallery/gallery.js';
import type { Meta } from '../../gallery/row-store.js';
import type { CollectionHit, CollectionSource, RouteScope, ServerCollection } from '../../server/collections.js';
import { ApiError, CODES } from '../../server/errors.js';
import type { ShardReplica } from '../replica.js';
import type { ShardRouter } from './shard-router.js';

const noStore = () => new ApiError(501, CODES.unsupported, 'this router has no store: it only searches (recognize); start it with --store postgres://… to manage subjects and faces');

/** The store behind a router: its collections, and the (thin) replica that says how far the store's feed is applied. */
export interface RouterStore {
  collections: CollectionSource;
  replica: ShardReplica;
}

class RoutedCollection implements ServerCollection {
  /** The store's number of this router's last write to the collection (0: none yet). */
  #written = 0;

  constructor(private readonly router: ShardRouter, private readonly apiKey: string, private readonly dim: number,
    private readonly inner?: ServerCollection, private readonly replica?: ShardReplica) {}

  /** `scope`: the request's (src/server/routes/internal-partial.ts); without one, every shard must answer. */
  async search(vectors: Float32Array, k: number, scope?: RouteScope): Promise<CollectionHit[][]> {
    const { faces } = await this.#routed(vectors, k, false, scope);
    return faces!.map((row) => row.map((h) => ({ id: h.id, label: h.subject, score: h.score, ...(h.seq === null ? {} : { seq: h.seq }) })));
  }

  /** Subjects by their best face ('max': the only aggregate top-k lists merge exactly). */
  async searchLabels(vectors: Float32Array, k: number, scope?: RouteScope): Promise<LabelHit[][]> {
    const { labels } = await this.#routed(vectors, k, true, scope);
    return labels!.map((row) => row.map((h) => ({ label: h.subject, score: h.score })));
  }

  async #routed(vectors: Float32Array, k: number, labels: boolean, scope: RouteScope | undefined) {
    const result = await this.router.search(this.apiKey, vectors, this.dim, k, {
      faces: !labels, labels, partial: scope?.partial ?? false, ...(this.#written > 0 ? { after: this.#written } : {}),
    });
    for (const s of result.unavailable) scope?.unavailable.add(s);
    return result;
  }

  // The rest is the store's (or refused).
  #store(): ServerCollection {
    if (!this.inner) throw noStore();
    return this.inner;
  }
  /** A write that changes faces: once the store has it (and this router's replica has passed it), remember its number. */
  async #write<T>(job: (store: ServerCollection) => Promise<T>): Promise<T> {
    const result = await job(this.#store());
    this.#written = Math.max(this.#written, this.replica?.applied ?? 0);
    return result;
  }
  listSubjects = () => this.#store().listSubjects();
  createSubject = (subject: string) => this.#store().createSubject(subject);
  renameSubject = (from: string, to: string) => this.#write((s) => s.renameSubject(from, to));
  deleteSubject = (subject: string) => this.#write((s) => s.deleteSubject(subject));
  deleteAllSubjects = () => this.#write((s) => s.deleteAllSubjects());
  addFace = (id: string, subject: string, vector: Float32Array, meta?: Meta) => this.#write((s) => s.addFace(id, subject, vector, meta));
  listFaces = (options: { subject?: string; offset: number; limit: number }) => this.#store().listFaces(options);
  getFace = (id: string): Promise<FaceRecord | undefined> => this.#store().getFace(id);
  deleteFace = (id: string) => this.#write((s) => s.deleteFace(id));
  deleteFacesById = (ids: string[]) => this.#write((s) => s.deleteFacesById(ids));
  deleteFaces = (subject?: string) => this.#write((s) => s.deleteFaces(subject));
  close = async () => this.inner?.close();
}

/** The key's collections: searches routed to the shards, the rest to `store` when given. */
export class RoutedCollections implements CollectionSource {
  readonly #open = new Map<string, Promise<ServerCollection>>();

  constructor(private readonly router: ShardRouter, private readonly dim: number, private readonly store?: RouterStore) {}

  get(apiKey: string): Promise<ServerCollection> {
    let c = this.#open.get(apiKey);
    if (!c) {
      c = (async () => new RoutedCollection(this.router, apiKey, this.dim, await this.store?.collections.get(apiKey), this.store?.replica))();
      c.catch(() => this.#open.delete(apiKey));
      this.#open.set(apiKey, c);
    }
    return c;
  }

  async closeAll(): Promise<void> {
    this.router.close();
    await this.store?.collections.closeAll();
  }
}
