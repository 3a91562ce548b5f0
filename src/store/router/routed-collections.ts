// The HTTP service in router mode (`facecore serve --route`): the search routes ask
// ctx.collections for a key's collection as always, and get one whose index fans the search
// out to the shards. Only searches are routed: detection and embedding run here, and writes go
// to the shards (or, with the PostgreSQL store, to the store; see docs/scale-out.md).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FaceHit, GallerySearchOptions, LabelHit } from '../../gallery/gallery.js';
import type { ShardRouter } from './shard-router.js';

/** Per request: did it opt into partial answers, and which shards did not answer. */
export interface RouteScope {
  partial: boolean;
  unavailable: Set<string>;
}

/** Set around each request's handler (src/server/routes/internal-partial.ts). */
export const routeScope = new AsyncLocalStorage<RouteScope>();

/** The part of a collection's index the search routes use, answered by the shards. */
export class RoutedIndex {
  constructor(private readonly router: ShardRouter, private readonly apiKey: string, readonly dim: number) {}

  /** Not known here (each shard knows its own): never 0, so a route always asks the shards. */
  get size(): number {
    return Number.NaN;
  }

  async search(queries: Float32Array, k: number, options?: GallerySearchOptions): Promise<FaceHit[][]> {
    const { faces } = await this.#routed(queries, k, options, false);
    return faces!.map((row) => row.map((h) => ({ id: h.id, label: h.subject, score: h.score })));
  }

  /** Subjects by their best face (the routes use the default aggregate, 'max'; 'mean' cannot be merged from top-k lists). */
  async searchLabels(queries: Float32Array, k: number, options?: GallerySearchOptions): Promise<LabelHit[][]> {
    const { labels } = await this.#routed(queries, k, options, true);
    return labels!.map((row) => row.map((h) => ({ label: h.subject, score: h.score })));
  }

  async #routed(queries: Float32Array, k: number, options: GallerySearchOptions | undefined, labels: boolean) {
    if (options?.filter) throw new RangeError('options.filter: not supported through the router');
    const scope = routeScope.getStore();
    const result = await this.router.search(this.apiKey, queries, this.dim, k, { minScore: options?.minScore, faces: !labels, labels, partial: scope?.partial ?? false });
    for (const s of result.unavailable) scope?.unavailable.add(s);
    return result;
  }
}

/** Stands in for the server's Collections: one routed collection per key. */
export class RoutedCollections {
  readonly #open = new Map<string, { index: RoutedIndex }>();

  constructor(private readonly router: ShardRouter, private readonly dim: number) {}

  async get(apiKey: string): Promise<{ index: RoutedIndex }> {
    let c = this.#open.get(apiKey);
    if (!c) this.#open.set(apiKey, (c = { index: new RoutedIndex(this.router, apiKey, this.dim) }));
    return c;
  }

  async closeAll(): Promise<void> {
    this.router.close();
  }
}
