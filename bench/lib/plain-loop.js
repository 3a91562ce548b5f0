// The plain TypeScript a user would write without a native library (types stripped so the
// bench runs on plain node): a dot product per pair and an insertion-sorted top-k list.

export function plainTopK(queries, gallery, dim, k) {
  const nq = queries.length / dim;
  const n = gallery.length / dim;
  const kk = Math.min(k, n);
  const indices = new Int32Array(nq * kk);
  const scores = new Float32Array(nq * kk);
  for (let q = 0; q < nq; q++) {
    const best = new Float64Array(kk).fill(-Infinity);
    const bestIndex = new Int32Array(kk).fill(-1);
    const qo = q * dim;
    for (let i = 0; i < n; i++) {
      const go = i * dim;
      let s = 0;
      for (let j = 0; j < dim; j++) s += queries[qo + j] * gallery[go + j];
      if (s <= best[kk - 1]) continue;
      let p = kk - 1;
      while (p > 0 && best[p - 1] < s) {
        best[p] = best[p - 1];
        bestIndex[p] = bestIndex[p - 1];
        p--;
      }
      best[p] = s;
      bestIndex[p] = i;
    }
    for (let r = 0; r < kk; r++) {
      indices[q * kk + r] = bestIndex[r];
      scores[q * kk + r] = best[r];
    }
  }
  return { indices, scores };
}

export function plainSimilarity(a, b, dim, out) {
  const na = a.length / dim;
  const nb = b.length / dim;
  for (let i = 0; i < na; i++) {
    for (let j = 0; j < nb; j++) {
      let s = 0;
      for (let t = 0; t < dim; t++) s += a[i * dim + t] * b[j * dim + t];
      out[i * nb + j] = s;
    }
  }
  return out;
}
