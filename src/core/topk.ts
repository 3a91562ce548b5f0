// Exact top-k search of queries against a gallery of embeddings (native kernel).
import { native } from '../native.js';
import { metricCode, threadCount, type Metric } from './options.js';
import { assertInteger, assertOptionsObject, describe, rowsOf } from './validate.js';

export interface TopKOptions {
  /** 'cosine' (default) or 'dot'. */
  metric?: Metric;
  /** Rows scoring below this are left out: their slots get index -1 and score -Infinity. */
  minScore?: number;
  /** Threads for the kernel (default: the machine's cores). */
  threads?: number;
}

export interface TopKResult {
  /** q x min(k, n) gallery row indices, row-major, best first; ties go to the lower index; -1 past the hits >= minScore. */
  indices: Int32Array;
  /** The matching scores. */
  scores: Float32Array;
  /** Results per query: min(k, n). */
  k: number;
}

function prepare(queries: unknown, gallery: unknown, dim: unknown, k: unknown, options: unknown) {
  const opts = assertOptionsObject('options', options);
  assertInteger('dim', dim, 1, 1 << 20);
  const d = dim as number;
  const nq = rowsOf('queries', queries, d);
  const ng = rowsOf('gallery', gallery, d);
  if (ng > 2 ** 31 - 1) throw new RangeError(`gallery: expected at most 2^31 - 1 rows, got ${ng}`);
  assertInteger('k', k, 1, 2 ** 31 - 1);
  const minScore = opts.minScore;
  if (minScore !== undefined && typeof minScore !== 'number') throw new TypeError(`options.minScore: expected a number, got ${describe(minScore)}`);
  if (Number.isNaN(minScore)) throw new RangeError('options.minScore: expected a number, got NaN');
  const kk = Math.min(k as number, ng);
  const result: TopKResult = { indices: new Int32Array(nq * kk), scores: new Float32Array(nq * kk), k: kk };
  const args = {
    queries: queries as Float32Array, gallery: gallery as Float32Array, dim: d, k: k as number,
    metric: metricCode(opts.metric), minScore: minScore as number | undefined,
    outIndices: result.indices, outScores: result.scores, threads: threadCount(opts.threads),
  };
  return { args, result };
}

/**
 * For each query row, the k gallery rows of highest similarity, best first.
 * Never builds the q x n score matrix; the gallery is used in place.
 */
export function topK(queries: Float32Array, gallery: Float32Array, dim: number, k: number, options?: TopKOptions): TopKResult {
  const { args, result } = prepare(queries, gallery, dim, k, options);
  native.topK(args);
  return result;
}

/** `topK` off the main thread; the event loop keeps running while it searches. */
export async function topKAsync(
  queries: Float32Array, gallery: Float32Array, dim: number, k: number, options?: TopKOptions,
): Promise<TopKResult> {
  const { args, result } = prepare(queries, gallery, dim, k, options);
  await native.topKAsync(args);
  return result;
}
