// Clustering on an exact k-NN graph: scales to photo libraries (no n x n matrix; memory
// O(n k)). Three rules over the graph's edges, strongest first:
//   'average' - merge two groups while the mean score of the graph edges between them is
//               >= threshold (average linkage restricted to the k-NN graph; one odd photo
//               cannot chain two people together);
//   'single'  - connected components of the edges >= threshold (chains);
//   'core'    - Immich / DBSCAN: a face with >= minFaces faces (itself included) within the
//               threshold is a core face; core faces linked by an edge share a person; other
//               faces join the person of their best-scoring core neighbour, or stay unassigned.
import { knnGraph, type KnnGraph } from '../core/knn.js';
import { assertInteger, assertOneOf, assertOptionsObject, describe, rowsOf } from '../core/validate.js';
import type { Clustering } from './agglomerative.js';

export type GraphLinkage = 'average' | 'single' | 'core';
const GRAPH_LINKAGES: readonly GraphLinkage[] = ['average', 'single', 'core'];

export interface GraphClusterOptions {
  /** Cosine similarity at or above which two faces (or groups) are the same person. */
  threshold: number;
  /** Default 'average'. */
  linkage?: GraphLinkage;
  /** Groups smaller than this get label -1 (not assigned); for 'core', the core-face count. Default 1. */
  minFaces?: number;
  /** Neighbours per face in the graph (default 20). */
  neighbours?: number;
  threads?: number;
  signal?: AbortSignal;
  /** Fraction done, in [0, 1]. */
  onProgress?: (fraction: number) => void;
}

/** Union-find with path halving and union by size. */
class Groups {
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
  /** Joins the groups of roots a and b; returns the surviving root. */
  join(a: number, b: number): number {
    if (this.size[a] < this.size[b]) [a, b] = [b, a];
    this.parent[b] = a;
    this.size[a] += this.size[b];
    return a;
  }
}

/** Edge ids (row * k + slot) of the graph by score, best first (ties: lower id), each pair once. */
function edgesByScore(g: KnnGraph, minScore: number): Uint32Array {
  const { n, k, indices, scores } = g;
  const ids: number[] = [];
  for (let u = 0; u < n; u++) {
    for (let s = 0; s < k; s++) {
      const v = indices[u * k + s];
      if (v < 0 || scores[u * k + s] < minScore) continue;
      // Keep u -> v once: from the lower row, or from u when v does not list u.
      if (v < u && listed(g, v, u)) continue;
      ids.push(u * k + s);
    }
  }
  const out = Uint32Array.from(ids);
  return out.sort((a, b) => scores[b] - scores[a] || a - b);
}

function listed(g: KnnGraph, row: number, other: number): boolean {
  for (let s = 0; s < g.k; s++) if (g.indices[row * g.k + s] === other) return true;
  return false;
}

function singleLinkage(g: KnnGraph, threshold: number): Groups {
  const groups = new Groups(g.n);
  for (const e of edgesByScore(g, threshold)) {
    const a = groups.root(Math.floor(e / g.k)), b = groups.root(g.indices[e]);
    if (a !== b) groups.join(a, b);
  }
  return groups;
}

// Average linkage on the graph: per group, the sum and count of graph edges to each other
// group; the pair with the highest mean joins first (a heap with lazy deletion: an entry is
// stale once either group has changed), until no mean is >= threshold. On the full graph this
// is exact average linkage; on a k-NN graph the pairs no edge connects are not counted.
function averageLinkage(g: KnnGraph, threshold: number): Groups {
  const groups = new Groups(g.n);
  const links: (Map<number, [number, number]> | undefined)[] = new Array(g.n);
  const version = new Int32Array(g.n);
  const linkOf = (a: number) => (links[a] ??= new Map());
  const addLink = (a: number, b: number, sum: number, count: number) => {
    const m = linkOf(a), cur = m.get(b);
    if (cur) (cur[0] += sum), (cur[1] += count);
    else m.set(b, [sum, count]);
  };
  for (const e of edgesByScore(g, -Infinity)) {
    const u = Math.floor(e / g.k), v = g.indices[e];
    addLink(u, v, g.scores[e], 1);
    addLink(v, u, g.scores[e], 1);
  }
  const heap = new PairHeap();
  const offer = (a: number, b: number, [sum, count]: [number, number]) => {
    if (sum / count >= threshold) heap.push(sum / count, a, b, version[a], version[b]);
  };
  for (let a = 0; a < g.n; a++) for (const [b, link] of links[a] ?? []) if (a < b) offer(a, b, link);
  while (heap.size > 0) {
    const { a, b, va, vb } = heap.pop();
    if (version[a] !== va || version[b] !== vb || groups.parent[a] !== a || groups.parent[b] !== b) continue;
    const keep = groups.join(a, b), gone = keep === a ? b : a;
    version[keep]++;
    // Move the absorbed group's links to the survivor, repoint its neighbours, re-offer the pairs.
    const from = linkOf(gone);
    from.delete(keep);
    linkOf(keep).delete(gone);
    for (const [c, [s, n]] of from) {
      addLink(keep, c, s, n);
      linkOf(c).delete(gone);
      addLink(c, keep, s, n);
    }
    links[gone] = undefined;
    for (const [c, link] of linkOf(keep)) offer(keep, c, link);
  }
  return groups;
}

/** Max-heap of group pairs by mean score (ties: lower a, then lower b), with their versions. */
class PairHeap {
  #score: number[] = [];
  #a: number[] = [];
  #b: number[] = [];
  #va: number[] = [];
  #vb: number[] = [];
  get size() { return this.#score.length; }
  #before(i: number, j: number): boolean {
    const s = this.#score;
    return s[i] > s[j] || (s[i] === s[j] && (this.#a[i] < this.#a[j] || (this.#a[i] === this.#a[j] && this.#b[i] < this.#b[j])));
  }
  #swap(i: number, j: number) {
    for (const arr of [this.#score, this.#a, this.#b, this.#va, this.#vb]) [arr[i], arr[j]] = [arr[j], arr[i]];
  }
  push(score: number, a: number, b: number, va: number, vb: number) {
    if (a > b) [a, b, va, vb] = [b, a, vb, va];
    this.#score.push(score), this.#a.push(a), this.#b.push(b), this.#va.push(va), this.#vb.push(vb);
    for (let i = this.size - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.#before(i, p)) break;
      this.#swap(i, p);
      i = p;
    }
  }
  pop(): { a: number; b: number; va: number; vb: number } {
    const top = { a: this.#a[0], b: this.#b[0], va: this.#va[0], vb: this.#vb[0] };
    const last = this.size - 1;
    this.#swap(0, last);
    for (const arr of [this.#score, this.#a, this.#b, this.#va, this.#vb]) arr.pop();
    for (let i = 0; ;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < last && this.#before(l, m)) m = l;
      if (r < last && this.#before(r, m)) m = r;
      if (m === i) break;
      this.#swap(i, m);
      i = m;
    }
    return top;
  }
}

/** Immich's rule (DBSCAN): labels directly, -1 for faces that are neither core nor near one. */
function coreLabels(g: KnnGraph, threshold: number, minFaces: number): Int32Array {
  const { n, k, indices, scores } = g;
  const core = new Uint8Array(n);
  for (let u = 0; u < n; u++) {
    let near = 1; // the face itself
    for (let s = 0; s < k && scores[u * k + s] >= threshold; s++) near++;
    core[u] = near >= minFaces ? 1 : 0;
  }
  const groups = new Groups(n);
  for (const e of edgesByScore(g, threshold)) {
    const u = Math.floor(e / k), v = indices[e];
    if (!core[u] || !core[v]) continue;
    const a = groups.root(u), b = groups.root(v);
    if (a !== b) groups.join(a, b);
  }
  const owner = new Int32Array(n).fill(-1);
  for (let u = 0; u < n; u++) {
    if (core[u]) {
      owner[u] = groups.root(u);
      continue;
    }
    // A border face: the best core neighbour within the threshold (lists are best first).
    for (let s = 0; s < k && scores[u * k + s] >= threshold; s++) {
      const v = indices[u * k + s];
      if (core[v]) {
        owner[u] = groups.root(v);
        break;
      }
    }
  }
  return owner;
}

/** Labels 0..count-1 by first appearance; groups under minFaces faces get -1. */
function numberGroups(owner: Int32Array, minFaces: number): Clustering {
  const n = owner.length, members = new Map<number, number>();
  for (let i = 0; i < n; i++) if (owner[i] >= 0) members.set(owner[i], (members.get(owner[i]) ?? 0) + 1);
  const ids = new Map<number, number>(), labels = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const o = owner[i];
    if (o < 0 || members.get(o)! < minFaces) continue;
    if (!ids.has(o)) ids.set(o, ids.size);
    labels[i] = ids.get(o)!;
  }
  return { labels, count: ids.size };
}

/** Clusters the rows of a k-NN graph (from knnGraph, cosine, minScore unset for 'average'). */
export function clusterGraph(
  graph: KnnGraph, options: { threshold: number; linkage?: GraphLinkage; minFaces?: number },
): Clustering {
  const { threshold, linkage = 'average', minFaces = 1 } = options;
  if (linkage === 'core') return numberGroups(coreLabels(graph, threshold, minFaces), 1);
  const groups = linkage === 'single' ? singleLinkage(graph, threshold) : averageLinkage(graph, threshold);
  const owner = new Int32Array(graph.n);
  for (let i = 0; i < graph.n; i++) owner[i] = groups.root(i);
  return numberGroups(owner, minFaces);
}

export function checkThreshold(value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`options.threshold: expected a number, got ${describe(value)}`);
  if (!Number.isFinite(value) || value < -1 || value > 1) {
    throw new RangeError(`options.threshold: expected a cosine similarity in [-1, 1], got ${value}`);
  }
  return value;
}

/**
 * Clusters rows of `embeddings` (n x dim, any n up to millions) by cosine similarity on the
 * exact k-NN graph, off the main thread for the graph. Label -1 = not assigned (see minFaces).
 */
export async function clusterEmbeddingsAsync(
  embeddings: Float32Array, dim: number, options: GraphClusterOptions,
): Promise<Clustering> {
  const opts = assertOptionsObject('options', options);
  assertInteger('dim', dim, 1, 65536);
  rowsOf('embeddings', embeddings, dim);
  const threshold = checkThreshold(opts.threshold);
  const linkage = assertOneOf('options.linkage', opts.linkage ?? 'average', GRAPH_LINKAGES);
  const minFaces = assertInteger('options.minFaces', opts.minFaces ?? 1, 1);
  const neighbours = assertInteger('options.neighbours', opts.neighbours ?? 20, 1, 1024);
  const { signal, onProgress, threads } = options;
  const graph = await knnGraph(embeddings, dim, Math.max(neighbours, linkage === 'core' ? minFaces : 1), {
    metric: 'cosine', threads, signal, onProgress: onProgress && ((f) => onProgress(0.9 * f)),
    // Average linkage needs the below-threshold edges too: they are what stops a chain.
    minScore: linkage === 'average' ? undefined : threshold,
  });
  signal?.throwIfAborted();
  const result = clusterGraph(graph, { threshold, linkage, minFaces });
  onProgress?.(1);
  return result;
}
