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
import { doubled } from './doubled.js';

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
  /** How the graph scores the embeddings: 'f32' (default) or 'i8' (faster; see KnnGraphOptions.storage). */
  storage?: 'f32' | 'i8';
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

// Average linkage on the graph: per pair of groups, the sum and count of the graph edges
// between them (one record shared by both sides); the pair with the highest mean joins
// first, until no mean is >= threshold. A heap holds a fresh entry each time a pair's mean
// changes; an entry is stale when either side is no longer a group root or the mean moved
// on. On the full graph this is exact average linkage; on a k-NN graph the pairs no edge
// connects are not counted. Typed arrays, not objects: allocation is what costs here.
function averageLinkage(g: KnnGraph, threshold: number): Groups {
  const groups = new Groups(g.n);
  const links: Map<number, number>[] = Array.from({ length: g.n }, () => new Map());
  const edges = edgesByScore(g, -Infinity);
  const sum = new Float64Array(edges.length), count = new Int32Array(edges.length);
  edges.forEach((e, id) => {
    const u = Math.floor(e / g.k), v = g.indices[e];
    sum[id] = g.scores[e];
    count[id] = 1;
    links[u].set(v, id);
    links[v].set(u, id);
  });
  const heap = new PairHeap(edges.length);
  const offer = (a: number, b: number, id: number) => {
    if (sum[id] / count[id] >= threshold) heap.push(sum[id] / count[id], Math.min(a, b), Math.max(a, b));
  };
  edges.forEach((e, id) => offer(Math.floor(e / g.k), g.indices[e], id));
  while (heap.size > 0) {
    const { a, b, score } = heap.pop();
    const id = groups.parent[a] === a && groups.parent[b] === b ? links[a].get(b) : undefined;
    if (id === undefined || sum[id] / count[id] !== score) continue;
    // The group with more links survives, so links move small-to-large.
    const [keep, gone] = links[a].size >= links[b].size ? [a, b] : [b, a];
    groups.absorb(keep, gone);
    links[keep].delete(gone);
    for (const [c, moved] of links[gone]) {
      if (c === keep) continue;
      links[c].delete(gone);
      const mine = links[keep].get(c);
      if (mine === undefined) {
        links[keep].set(c, moved);
        links[c].set(keep, moved);
      } else {
        sum[mine] += sum[moved];
        count[mine] += count[moved];
      }
      offer(keep, c, mine ?? moved);
    }
    links[gone] = new Map();
  }
  return groups;
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
  const { signal, onProgress, threads, storage } = options;
  const graph = await knnGraph(embeddings, dim, Math.max(neighbours, linkage === 'core' ? minFaces : 1), {
    metric: 'cosine', threads, signal, storage, onProgress: onProgress && ((f) => onProgress(0.9 * f)),
    // Average linkage needs the below-threshold edges too: they are what stops a chain.
    minScore: linkage === 'average' ? undefined : threshold,
  });
  signal?.throwIfAborted();
  const result = clusterGraph(graph, { threshold, linkage, minFaces });
  onProgress?.(1);
  return result;
}
