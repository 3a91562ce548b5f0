// The graph's groups: union-find, the graph's edges each pair once, connected components.
import type { KnnGraph } from '../core/knn.js';

/** Union-find with path halving and union by size. */
export class Groups {
  readonly parent: Int32Array;
  readonly size: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
    this.size = new Int32Array(n).fill(1);
  }
  root(i: number): number {
    const p = this.parent;
    while (p[i] !== i) i = p[i] = p[p[i]];
    return i;
  }
  /** Joins root `gone` into root `keep`. */
  absorb(keep: number, gone: number): void {
    this.parent[gone] = keep;
    this.size[keep] += this.size[gone];
  }
  /** Joins the groups of roots a and b; returns the surviving root. */
  join(a: number, b: number): number {
    if (this.size[a] < this.size[b]) [a, b] = [b, a];
    this.parent[b] = a;
    this.size[a] += this.size[b];
    return a;
  }
}

/** Edge ids (row * k + slot) scoring >= minScore, each pair of rows once, in row order. */
export function graphPairs(g: KnnGraph, minScore: number): Uint32Array {
  const { n, k, indices, scores } = g;
  const ids = new Uint32Array(n * k);
  let m = 0;
  for (let u = 0; u < n; u++) {
    for (let s = 0; s < k; s++) {
      const v = indices[u * k + s];
      if (v < 0 || scores[u * k + s] < minScore) continue;
      // Keep u -> v once: from the lower row, or from u when v does not list u.
      if (v < u && listed(g, v, u)) continue;
      ids[m++] = u * k + s;
    }
  }
  return ids.subarray(0, m);
}

function listed(g: KnnGraph, row: number, other: number): boolean {
  for (let s = 0; s < g.k; s++) if (g.indices[row * g.k + s] === other) return true;
  return false;
}

/** Connected components of the edges >= threshold (= single linkage at that threshold). */
export function components(g: KnnGraph, threshold: number): Groups {
  const groups = new Groups(g.n);
  for (const e of graphPairs(g, threshold)) {
    const a = groups.root(Math.floor(e / g.k)), b = groups.root(g.indices[e]);
    if (a !== b) groups.join(a, b);
  }
  return groups;
}
