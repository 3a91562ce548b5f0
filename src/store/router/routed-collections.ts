// The HTTP service in router mode (`facecore serve --route`): each key's collection searches by
// fanning out to the shards; everything else (subjects, faces, writes) goes to the store when
// the router has one (`--store`), and is refused, saying why, when it has none.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FaceRecord, LabelHit } from '../../gallery/gallery.js';
import type { Meta } from '../../gallery/row-store.js';
import type { CollectionHit, CollectionSource, ServerCollection } from '../../server/collections.js';
import { ApiError, CODES } from '../../server/errors.js';
import type { ShardRouter } from './shard-router.js';

/** Per request: did it opt into partial answers, and which shards did not answer. */
export interface RouteScope {
  partial: boolean;
  unavailable: Set<string>;
}

/** Set around each request's handler (src/server/routes/internal-partial.ts). */
export const routeScope = new AsyncLocalStorage<RouteScope>();

const noStore = () => new ApiError(501, CODES.unsupported, 'this router has no store: it only searches (recognize); start it with --store postgres://… to manage subjects and faces');

class RoutedCollection implements ServerCollection {
  constructor(private readonly router: ShardRouter, private readonly apiKey: string, private readonly dim: number, private readonly inner?: ServerCollection) {}

  async search(vectors: Float32Array, k: number): Promise<CollectionHit[][]> {
    const { faces } = await this.#routed(vectors, k, false);
    return faces!.map((row) => row.map((h) => ({ id: h.id, label: h.subject, score: h.score, ...(h.seq === null ? {} : { seq: h.seq }) })));
  }

  /** Subjects by their best face ('max': the only aggregate top-k lists merge exactly). */
  async searchLabels(vectors: Float32Array, k: number): Promise<LabelHit[][]> {
    const { labels } = await this.#routed(vectors, k, true);
    return labels!.map((row) => row.map((h) => ({ label: h.subject, score: h.score })));
  }

  async #routed(vectors: Float32Array, k: number, labels: boolean) {
    const scope = routeScope.getStore();
    const result = await this.router.search(this.apiKey, vectors, this.dim, k, { faces: !labels, labels, partial: scope?.partial ?? false });
    for (const s of result.unavailable) scope?.unavailable.add(s);
    return result;
  }

  // The rest is the store's (or refused).
  #store(): ServerCollection {
    if (!this.inner) throw noStore();
    return this.inner;
  }
  listSubjects = () => this.#store().listSubjects();
  createSubject = (subject: string) => this.#store().createSubject(subject);
  renameSubject = (from: string, to: string) => this.#store().renameSubject(from, to);
  deleteSubject = (subject: string) => this.#store().deleteSubject(subject);
  deleteAllSubjects = () => this.#store().deleteAllSubjects();
  addFace = (id: string, subject: string, vector: Float32Array, meta?: Meta) => this.#store().addFace(id, subject, vector, meta);
  listFaces = (options: { subject?: string; offset: number; limit: number }) => this.#store().listFaces(options);
  getFace = (id: string): Promise<FaceRecord | undefined> => this.#store().getFace(id);
  deleteFace = (id: string) => this.#store().deleteFace(id);
  deleteFacesById = (ids: string[]) => this.#store().deleteFacesById(ids);
  deleteFaces = (subject?: string) => this.#store().deleteFaces(subject);
  close = async () => this.inner?.close();
}

/** The key's collections: searches routed to the shards, the rest to `store` when given. */
export class RoutedCollections implements CollectionSource {
  readonly #open = new Map<string, Promise<ServerCollection>>();

  constructor(private readonly router: ShardRouter, private readonly dim: number, private readonly store?: CollectionSource) {}

  get(apiKey: string): Promise<ServerCollection> {
    let c = this.#open.get(apiKey);
    if (!c) {
      c = (async () => new RoutedCollection(this.router, apiKey, this.dim, await this.store?.get(apiKey)))();
      c.catch(() => this.#open.delete(apiKey));
      this.#open.set(apiKey, c);
    }
    return c;
  }

  async closeAll(): Promise<void> {
    this.router.close();
    await this.store?.closeAll();
  }
}
