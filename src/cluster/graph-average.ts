// Average linkage on a k-NN graph: merge the two groups whose graph edges between them have
// the highest mean score, until no mean is >= threshold. Every merge joins two groups linked
// by an edge >= threshold, so the clusters lie inside the connected components of those edges
// and each component is clustered on its own (edges between components never count). Small
// components (faces of one person) go through a dense matrix, which is plain array scans;
// large ones (chains of look-alikes, low thresholds) through a heap of group pairs and
// per-group link maps. On the full graph this is exact average linkage; on a k-NN graph the
// pairs no edge connects are not counted.
import type { KnnGraph } from '../core/knn.js';
import { doubled } from './doubled.js';
import { components, graphPairs, Groups } from './graph-groups.js';

// Components up to this many faces take the dense path: O(m^3) scans of an m x m matrix
// (64^3 = 262k steps), still cheaper than the heap and map upkeep per edge at that size.
const DENSE_MAX = 64;

export function averageLinkage(g: KnnGraph, threshold: number): Groups {
  const { n, k, indices } = g;
  const parts = components(g, threshold);
  const part = new Int32Array(n);
  for (let i = 0; i < n; i++) part[i] = parts.root(i);
  // Members grouped by component (counting sort on the root), in row order within each.
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[part[i] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const members = new Int32Array(n), fill = start.slice(0, n);
  for (let i = 0; i < n; i++) members[fill[part[i]]++] = i;

  const groups = new Groups(n), local = new Int32Array(n);
  let anyLarge = false;
  for (let r = 0; r < n; r++) {
    const m = start[r + 1] - start[r];
    if (m >= 2 && m <= DENSE_MAX) denseAverage(g, members.subarray(start[r], start[r + 1]), part, local, threshold, groups);
    anyLarge ||= m > DENSE_MAX;
  }
  if (!anyLarge) return groups;
  const large = graphPairs(g, -Infinity).filter((e) => {
    const u = Math.floor(e / k), p = part[u];
    return p === part[indices[e]] && start[p + 1] - start[p] > DENSE_MAX;
  });
  sparseAverage(g, large, threshold, groups);
  return groups;
}

// One component's members (row order): the edges between them in an m x m matrix of sums and
// counts; merge the best pair (ties: the lower pair of positions), fold the row of the one
// that goes into the one that stays.
function denseAverage(
  g: KnnGraph, members: Int32Array, part: Int32Array, local: Int32Array, threshold: number, groups: Groups,
): void {
  const { k, indices, scores } = g, m = members.length;
  const sum = new Float64Array(m * m), count = new Int32Array(m * m);
  for (let a = 0; a < m; a++) local[members[a]] = a;
  for (let a = 0; a < m; a++) {
    const u = members[a];
    for (let s = 0; s < k; s++) {
      const v = indices[u * k + s];
      if (v < 0 || part[v] !== part[u]) continue;
      const b = local[v];
      if (count[a * m + b] !== 0) continue; // listed from both sides: one edge
      sum[a * m + b] = sum[b * m + a] = scores[u * k + s];
      count[a * m + b] = count[b * m + a] = 1;
    }
  }
  const alive = new Uint8Array(m).fill(1);
  for (;;) {
    let best = -Infinity, keep = -1, gone = -1;
    for (let a = 0; a < m; a++) {
      if (!alive[a]) continue;
      for (let b = a + 1; b < m; b++) {
        const c = count[a * m + b];
        if (c !== 0 && alive[b] && sum[a * m + b] / c > best) (best = sum[a * m + b] / c), (keep = a), (gone = b);
      }
    }
    if (keep < 0 || best < threshold) return;
    alive[gone] = 0;
    for (let c = 0; c < m; c++) {
      if (!alive[c] || c === keep) continue;
      sum[keep * m + c] = sum[c * m + keep] = sum[keep * m + c] + sum[gone * m + c];
      count[keep * m + c] = count[c * m + keep] = count[keep * m + c] + count[gone * m + c];
    }
    groups.join(groups.root(members[keep]), groups.root(members[gone]));
  }
}

// Large components: per pair of groups, the sum and count of the graph edges between them
// (one record shared by both sides); a heap holds a fresh entry each time a pair's mean
// changes; an entry is stale when either side is no longer a group root or the mean moved
// on. Typed arrays, not objects: allocation is what costs here.
function sparseAverage(g: KnnGraph, edges: Uint32Array, threshold: number, groups: Groups): void {
  const links = new Map<number, Map<number, number>>();
  const linksOf = (i: number) => links.get(i) ?? links.set(i, new Map()).get(i)!;
  const sum = new Float64Array(edges.length), count = new Int32Array(edges.length);
  edges.forEach((e, id) => {
    const u = Math.floor(e / g.k), v = g.indices[e];
    sum[id] = g.scores[e];
    count[id] = 1;
    linksOf(u).set(v, id);
    linksOf(v).set(u, id);
  });
  const heap = new PairHeap(edges.length);
  const offer = (a: number, b: number, id: number) => {
    if (sum[id] / count[id] >= threshold) heap.push(sum[id] / count[id], Math.min(a, b), Math.max(a, b));
  };
  edges.forEach((e, id) => offer(Math.floor(e / g.k), g.indices[e], id));
  while (heap.size > 0) {
    const { a, b, score } = heap.pop();
    const id = groups.parent[a] === a && groups.parent[b] === b ? linksOf(a).get(b) : undefined;
    if (id === undefined || sum[id] / count[id] !== score) continue;
    // The group with more links survives, so links move small-to-large.
    const [keep, gone] = linksOf(a).size >= linksOf(b).size ? [a, b] : [b, a];
    groups.absorb(keep, gone);
    linksOf(keep).delete(gone);
    for (const [c, moved] of linksOf(gone)) {
      if (c === keep) continue;
      linksOf(c).delete(gone);
      const mine = linksOf(keep).get(c);
      if (mine === undefined) {
        linksOf(keep).set(c, moved);
        linksOf(c).set(keep, moved);
      } else {
        sum[mine] += sum[moved];
        count[mine] += count[moved];
      }
      offer(keep, c, mine ?? moved);
    }
    links.delete(gone);
  }
}

/** Max-heap of group pairs by mean score (ties: lower a, then lower b), in typed arrays. */
class PairHeap {
  #score: Float64Array;
  #a: Int32Array;
  #b: Int32Array;
  size = 0;
  constructor(capacity: number) {
    this.#score = new Float64Array(Math.max(16, capacity));
    this.#a = new Int32Array(this.#score.length);
    this.#b = new Int32Array(this.#score.length);
  }
  #before(score: number, a: number, b: number, j: number): boolean {
    const s = this.#score[j];
    return score > s || (score === s && (a < this.#a[j] || (a === this.#a[j] && b < this.#b[j])));
  }
  #put(i: number, score: number, a: number, b: number) {
    this.#score[i] = score;
    this.#a[i] = a;
    this.#b[i] = b;
  }
  push(score: number, a: number, b: number): void {
    if (this.size === this.#score.length) {
      this.#score = doubled(this.#score);
      this.#a = doubled(this.#a);
      this.#b = doubled(this.#b);
    }
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#before(score, a, b, p)) break;
      this.#put(i, this.#score[p], this.#a[p], this.#b[p]);
      i = p;
    }
    this.#put(i, score, a, b);
  }
  pop(): { score: number; a: number; b: number } {
    const top = { score: this.#score[0], a: this.#a[0], b: this.#b[0] };
    const n = --this.size;
    const score = this.#score[n], a = this.#a[n], b = this.#b[n];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = -1;
      if (l < n && !this.#before(score, a, b, l)) m = l;
      if (r < n && (m < 0 ? !this.#before(score, a, b, r) : this.#before(this.#score[r], this.#a[r], this.#b[r], m))) m = r;
      if (m < 0) break;
      this.#put(i, this.#score[m], this.#a[m], this.#b[m]);
      i = m;
    }
    this.#put(i, score, a, b);
    return top;
  }
}

