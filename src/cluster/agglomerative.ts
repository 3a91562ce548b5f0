// Agglomerative clustering of face embeddings by cosine similarity: how a photo library
// groups the same person across photos without knowing how many people there are.
import { similarityMatrix } from '../core/similarity.js';
import { assertInteger, assertOneOf, assertOptionsObject, rowsOf } from '../core/validate.js';

export type Linkage = 'average' | 'single' | 'complete';

export interface ClusterOptions {
  /** Merge two clusters while their linkage similarity is >= threshold (cosine). */
  threshold: number;
  /** 'average' (default; robust to one odd photo), 'single' (chains) or 'complete' (strict). */
  linkage?: Linkage;
}

export interface Clustering {
  /** Cluster id per row, 0..count-1, numbered by first appearance. */
  labels: Int32Array;
  count: number;
}

const LINKAGES: readonly Linkage[] = ['average', 'single', 'complete'];

/**
 * Clusters rows of `embeddings` (n x dim). Exact (no approximation): repeatedly merges the most
 * similar pair of clusters (Lance-Williams updates of the similarity matrix), O(n^2) memory and
 * O(n^3) time worst case, fine for the faces of a photo set (thousands).
 */
export function clusterEmbeddings(embeddings: Float32Array, dim: number, options: ClusterOptions): Clustering {
  const opts = assertOptionsObject('options', options);
  assertInteger('dim', dim, 1, 1 << 20);
  const n = rowsOf('embeddings', embeddings, dim);
  if (typeof opts.threshold !== 'number') throw new TypeError(`options.threshold: expected a number, got ${typeof opts.threshold}`);
  const threshold = opts.threshold;
  if (!Number.isFinite(threshold) || threshold < -1 || threshold > 1) {
    throw new RangeError(`options.threshold: expected a cosine similarity in [-1, 1], got ${threshold}`);
  }
  const linkage = assertOneOf('options.linkage', opts.linkage ?? 'average', LINKAGES);
  if (n > 20_000) throw new RangeError(`embeddings: expected at most 20000 rows for exact clustering, got ${n}`);

  const sim = Float64Array.from(similarityMatrix(embeddings, embeddings, dim, { metric: 'cosine' }));
  const size = new Int32Array(n).fill(1);
  const alive = new Uint8Array(n).fill(1);
  const parent = Int32Array.from({ length: n }, (_, i) => i);

  for (;;) {
    let best = -Infinity, bi = -1, bj = -1;
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      for (let j = i + 1; j < n; j++) {
        if (alive[j] && sim[i * n + j] > best) (best = sim[i * n + j]), (bi = i), (bj = j);
      }
    }
    if (bi < 0 || best < threshold) break;
    // Merge bj into bi; update bi's similarity to every other live cluster.
    for (let k = 0; k < n; k++) {
      if (!alive[k] || k === bi || k === bj) continue;
      const a = sim[bi * n + k], b = sim[bj * n + k];
      const merged = linkage === 'single' ? Math.max(a, b)
        : linkage === 'complete' ? Math.min(a, b)
          : (a * size[bi] + b * size[bj]) / (size[bi] + size[bj]);
      sim[bi * n + k] = sim[k * n + bi] = merged;
    }
    size[bi] += size[bj];
    alive[bj] = 0;
    parent[bj] = bi;
  }

  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i])));
  const labels = new Int32Array(n);
  const ids = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = root(i);
    if (!ids.has(r)) ids.set(r, ids.size);
    labels[i] = ids.get(r)!;
  }
  return { labels, count: ids.size };
}
