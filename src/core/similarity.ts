// Batched cosine / dot similarity between two sets of embeddings (native kernel).
import { native } from '../native.js';
import { metricCode, threadCount, type Metric } from './options.js';
import { assertFloat32Array, assertInteger, assertNoOverlap, assertOptionsObject, rowsOf } from './validate.js';

export interface SimilarityOptions {
  /** 'cosine' (default) normalises inside; a zero vector scores 0 with everything. */
  metric?: Metric;
  /** Threads for the kernel (default: the machine's cores). */
  threads?: number;
  /** Write into this buffer (length >= na * nb) instead of allocating one. */
  out?: Float32Array;
}

const MAX_ELEMENTS = 2 ** 32 - 1;

function prepare(a: unknown, b: unknown, dim: unknown, options: unknown) {
  const opts = assertOptionsObject('options', options);
  assertInteger('dim', dim, 1, 1 << 20);
  const d = dim as number;
  const na = rowsOf('a', a, d);
  const nb = rowsOf('b', b, d);
  if (na * nb > MAX_ELEMENTS) {
    throw new RangeError(`a, b: expected na * nb <= ${MAX_ELEMENTS} similarities, got ${na} x ${nb}`);
  }
  let out: Float32Array;
  if (opts.out !== undefined) {
    assertFloat32Array('options.out', opts.out);
    if (opts.out.length < na * nb) {
      throw new RangeError(`options.out: expected a Float32Array of at least ${na * nb} elements, got ${opts.out.length}`);
    }
    out = opts.out.length === na * nb ? opts.out : opts.out.subarray(0, na * nb);
    assertNoOverlap('options.out', out, { a: a as Float32Array, b: b as Float32Array });
  } else {
    out = new Float32Array(na * nb);
  }
  return { args: [a as Float32Array, b as Float32Array, d, metricCode(opts.metric), out, threadCount(opts.threads)] as const, out };
}

/**
 * Similarity of every row of `a` (na x dim) with every row of `b` (nb x dim):
 * a row-major na x nb Float32Array. Inputs are used in place.
 */
export function similarityMatrix(a: Float32Array, b: Float32Array, dim: number, options?: SimilarityOptions): Float32Array {
  const { args, out } = prepare(a, b, dim, options);
  native.similarityMatrix(...args);
  return out;
}

/** `similarityMatrix` off the main thread; the event loop keeps running. */
export async function similarityMatrixAsync(
  a: Float32Array, b: Float32Array, dim: number, options?: SimilarityOptions,
): Promise<Float32Array> {
  const { args, out } = prepare(a, b, dim, options);
  await native.similarityMatrixAsync(...args);
  return out;
}
