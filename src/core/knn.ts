// Exact k-nearest-neighbour graph of a set of embeddings against itself (native, off the
// main thread): the input every people/clustering algorithm starts from.
import { native } from '../native.js';
import { metricCode, threadCount, type Metric } from './options.js';
import { assertInteger, assertOneOf, assertOptionsObject, describe } from './validate.js';

/**
 * The rows: a Float32Array (n x dim), or stored rows as a FaceIndex keeps them:
 * `{ data: Uint16Array }` (binary16) or `{ data: Int8Array, scales: Float32Array }` (one scale per row).
 * For cosine, float16/int8 rows must already be L2-normalised (as FaceIndex stores them).
 */
export type KnnRows = Float32Array | { data: Uint16Array } | { data: Int8Array; scales: Float32Array };

export interface KnnGraphOptions {
  /** 'cosine' (default) or 'dot'. */
  metric?: Metric;
  /** Neighbours scoring below this are left out (index -1, score -Infinity). Default: keep all. */
  minScore?: number;
  /**
   * How Float32Array rows are scored: 'f32' (default, exact float32) or 'i8' (quantised as a
   * FaceIndex with int8 storage keeps them: normalised for cosine, one scale per row; faster,
   * scores within ~1e-3 of float32). Stored rows ({ data }) are always scored as stored.
   */
  storage?: 'f32' | 'i8';
  threads?: number;
  signal?: AbortSignal;
  /** Called with the fraction of the work done, in [0, 1]. */
  onProgress?: (fraction: number) => void;
}

export interface KnnGraph {
  /** Rows. */
  n: number;
  /** Neighbours per row: min(k, n - 1). */
  k: number;
  /** n x k row indices, best first; ties go to the lower index; never the row itself; -1 = none. */
  indices: Int32Array;
  /** The matching scores (-Infinity where the index is -1). */
  scores: Float32Array;
}

const PROGRESS_POLL_MS = 100;
const SCORE_STORAGES = ['f32', 'i8'] as const;

function storageOf(rows: unknown): { code: number; data: Float32Array | Uint16Array | Int8Array; scales: Float32Array } {
  const empty = new Float32Array(0);
  if (rows instanceof Float32Array) return { code: 0, data: rows, scales: empty };
  if (rows === null || typeof rows !== 'object' || !('data' in rows)) {
    throw new TypeError(`rows: expected a Float32Array or { data: Uint16Array | Int8Array }, got ${describe(rows)}`);
  }
  const { data, scales } = rows as { data: unknown; scales?: unknown };
  if (data instanceof Uint16Array) return { code: 1, data, scales: empty };
  if (data instanceof Int8Array) {
    if (!(scales instanceof Float32Array)) throw new TypeError(`rows.scales: expected a Float32Array, got ${describe(scales)}`);
    return { code: 2, data, scales };
  }
  throw new TypeError(`rows.data: expected a Uint16Array (float16) or Int8Array, got ${describe(data)}`);
}

/** For every row, its k most similar other rows, exactly (all pairs, on threads). */
export async function knnGraph(rows: KnnRows, dim: number, k: number, options?: KnnGraphOptions): Promise<KnnGraph> {
  const opts = assertOptionsObject('options', options);
  assertInteger('dim', dim, 1, 65536);
  assertInteger('k', k, 1, 2 ** 31 - 1);
  const { code, data, scales } = storageOf(rows);
  if (data.length % dim !== 0) {
    throw new RangeError(`rows: expected a length that is a multiple of dim (${dim}), got ${data.length}`);
  }
  const n = data.length / dim;
  if (n > 2 ** 31 - 1) throw new RangeError(`rows: expected at most 2^31 - 1 rows, got ${n}`);
  if (code === 2 && scales.length !== n) throw new RangeError(`rows.scales: expected ${n} elements, got ${scales.length}`);
  const minScore = opts.minScore ?? -Infinity;
  if (typeof minScore !== 'number') throw new TypeError(`options.minScore: expected a number, got ${describe(minScore)}`);
  if (Number.isNaN(minScore)) throw new RangeError('options.minScore: expected a number, got NaN');
  const scoreAs = assertOneOf('options.storage', opts.storage ?? 'f32', SCORE_STORAGES);
  if (scoreAs === 'i8' && code !== 0) {
    throw new TypeError(`options.storage: 'i8' needs Float32Array rows, got ${describe(rows)} (stored rows are scored as stored)`);
  }
  const { signal, onProgress } = opts as KnnGraphOptions;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`options.signal: expected an AbortSignal, got ${describe(signal)}`);
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new TypeError(`options.onProgress: expected a function, got ${describe(onProgress)}`);
  }
  signal?.throwIfAborted();

  const kk = n === 0 ? 0 : Math.min(k, n - 1);
  const graph: KnnGraph = { n, k: kk, indices: new Int32Array(n * kk), scores: new Float32Array(n * kk) };
  const control = new Int32Array(2); // [0] abort flag (JS writes), [1] rows done (native writes)
  const abort = () => Atomics.store(control, 0, 1);
  signal?.addEventListener('abort', abort, { once: true });
  // Rows [0, r) done means the pairs touching them, 1 - (1 - r/n)^2 of all: the self-join's work.
  const workDone = () => 1 - (1 - Atomics.load(control, 1) / n) ** 2;
  const poll = onProgress && n > 0 ? setInterval(() => onProgress(workDone()), PROGRESS_POLL_MS) : undefined;
  try {
    await native.knnGraphAsync({
      data, scales, storage: code, n, dim, k, metric: metricCode(opts.metric), minScore,
      threads: threadCount(opts.threads), scoreAsInt8: scoreAs === 'i8', outIndices: graph.indices, outScores: graph.scores, control,
    });
  } finally {
    clearInterval(poll);
    signal?.removeEventListener('abort', abort);
  }
  if (Atomics.load(control, 0) !== 0) signal?.throwIfAborted();
  onProgress?.(1);
  return graph;
}
