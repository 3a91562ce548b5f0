// The router: one search fanned out to every shard at once, the answers merged exactly
// (merge.ts). A shard that fails makes the whole search fail with a 503 naming it, unless the
// caller opted into partial answers: then the merge covers the shards that answered and says
// which did not.
import { ApiError, CODES } from '../../server/errors.js';
import { mergeFaceHits, mergeLabelHits } from './merge.js';
import { ShardClient, ShardError } from './shard-client.js';
import { encodeVectors } from './vectors-wire.js';
import type { ShardSearchAnswer, ShardSearchRequest, WireFaceHit, WireLabelHit } from './wire.js';

export interface ShardRouterOptions {
  /** Base URLs of the shards ("http://host:port"), each holding a slice of every collection. */
  shards: readonly string[];
  /** How long a shard may take to answer (ms; default 5000). */
  timeoutMs?: number;
}

export interface RoutedSearchOptions {
  minScore?: number;
  faces?: boolean;
  labels?: boolean;
  /** Answer from the shards that answered when some did not (default false: 503). */
  partial?: boolean;
  /** Shards answer once they have applied the store's changes up to this number. */
  after?: number;
}

export interface RoutedSearchResult {
  faces?: WireFaceHit[][];
  labels?: WireLabelHit[][];
  /** Shards that did not answer (only ever non-empty with `partial`). */
  unavailable: string[];
}

/** A 200 that does not hold a list per query for what was asked is a failed shard, never an empty answer. */
function checkAnswer(shard: string, answer: ShardSearchAnswer, request: { faces: boolean; labels: boolean }, nq: number): ShardSearchAnswer {
  for (const part of ['faces', 'labels'] as const) {
    const lists = answer?.[part];
    if (request[part] && !(Array.isArray(lists) && lists.length === nq && lists.every(Array.isArray))) {
      throw new ShardError(shard, `answered without ${part} for each of the ${nq} queries (not a facecore shard, or another version)`);
    }
  }
  return answer;
}

export class ShardRouter {
  readonly shards: readonly ShardClient[];

  constructor(options: ShardRouterOptions) {
    if (!Array.isArray(options?.shards) || options.shards.length === 0) {
      throw new RangeError(`options.shards: expected at least one shard URL, got ${JSON.stringify(options?.shards)}`);
    }
    const timeoutMs = options.timeoutMs ?? 5000;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new RangeError(`options.timeoutMs: expected a positive integer, got ${timeoutMs}`);
    this.shards = options.shards.map((url) => new ShardClient(url, timeoutMs));
    const names = this.shards.map((s) => s.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw new RangeError(`options.shards: expected distinct shards, got ${twice} twice`);
  }

  /** Per query row (of `dim` numbers), the merged top-k faces and/or subjects of the key's collection. */
  async search(apiKey: string, queries: Float32Array, dim: number, k: number, options: RoutedSearchOptions = {}): Promise<RoutedSearchResult> {
    const nq = queries.length / dim;
    const request = { faces: options.faces ?? true, labels: options.labels ?? false };
    // One body for every shard: encoded once, however many shards there are.
    const body = JSON.stringify({
      vectors: encodeVectors(queries), k, minScore: options.minScore, faces: request.faces, labels: request.labels, after: options.after,
    } satisfies ShardSearchRequest);
    const settled = await Promise.allSettled(this.shards.map(async (s) => checkAnswer(s.name, await s.search(apiKey, body), request, nq)));

    const answers: ShardSearchAnswer[] = [];
    const unavailable: string[] = [];
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') return void answers.push(s.value);
      if (!(s.reason instanceof ShardError)) throw s.reason;
      unavailable.push(this.shards[i]!.name);
    });
    if (unavailable.length > 0 && !(options.partial && answers.length > 0)) throw this.#unavailable(settled);

    const result: RoutedSearchResult = { unavailable };
    if (request.faces) result.faces = Array.from({ length: nq }, (_, q) => mergeFaceHits(answers.map((a) => a.faces?.[q] ?? []), k));
    if (request.labels) result.labels = Array.from({ length: nq }, (_, q) => mergeLabelHits(answers.map((a) => a.labels?.[q] ?? []), k));
    return result;
  }

  #unavailable(settled: PromiseSettledResult<unknown>[]): ApiError {
    const failed = settled.flatMap((s, i) => {
      if (s.status === 'fulfilled') return [];
      const e = s.reason as ShardError;
      return [`shard ${i + 1} of ${settled.length} ${e.shard}: ${e.reason}`];
    });
    return new ApiError(503, CODES.unavailable, `search needs every shard and ${failed.length === 1 ? 'one' : failed.length} did not answer (` +
      `${failed.join('; ')}); retry, or add ?partial=true to accept the answer of the shards that did`, { 'retry-after': '1' });
  }

  close(): void {
    for (const s of this.shards) s.close();
  }
}
