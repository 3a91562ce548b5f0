// Descending argsort of scores. A comparator sort of an index array costs ~0.6 s per million
// entries in V8; sorting the values with the native typed-array sort and placing each index by
// binary search costs a fraction of that.

/** Indices of `scores` by descending score; equal scores keep ascending index order (stable). */
export function orderDescending(scores: Float64Array): Uint32Array {
  const n = scores.length;
  const sorted = Float64Array.from(scores).sort(); // ascending, native
  const used = new Uint32Array(n); // per tie group (keyed by its first slot): slots handed out
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < s) lo = mid + 1;
      else hi = mid;
    }
    // lo = first ascending slot of s's tie group. Descending, the group occupies
    // [n - lo - size, n - lo); fill it from its end so that the reversal below leaves it in index order.
    order[n - 1 - lo - used[lo]++] = i;
  }
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && scores[order[j]] === scores[order[i]]) j++;
    for (let a = i, b = j - 1; a < b; a++, b--) {
      const t = order[a];
      order[a] = order[b];
      order[b] = t;
    }
    i = j;
  }
  return order;
}
