// Plain float64 references for the similarity kernels.
export type RefMetric = 'cosine' | 'dot';

export function refSimilarity(a: Float32Array, i: number, b: Float32Array, j: number, dim: number, metric: RefMetric): number {
  let dot = 0, na = 0, nb = 0;
  for (let c = 0; c < dim; c++) {
    const x = a[i * dim + c], y = b[j * dim + c];
    dot += x * y; na += x * x; nb += y * y;
  }
  if (metric === 'dot') return dot;
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Reference top-k: all scores in float64, stable-sorted by score desc then index asc. */
export function refTopK(q: Float32Array, g: Float32Array, dim: number, k: number, metric: RefMetric) {
  const nq = q.length / dim, ng = g.length / dim, kk = Math.min(k, ng);
  const indices: number[][] = [], scores: number[][] = [];
  for (let i = 0; i < nq; i++) {
    const all = Array.from({ length: ng }, (_, j) => ({ j, s: refSimilarity(q, i, g, j, dim, metric) }));
    all.sort((x, y) => y.s - x.s || x.j - y.j);
    indices.push(all.slice(0, kk).map((h) => h.j));
    scores.push(all.slice(0, kk).map((h) => h.s));
  }
  return { indices, scores, k: kk };
}
