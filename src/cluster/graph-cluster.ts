// Clustering on an exact k-NN graph: scales to photo libraries (no n x n matrix; memory
// O(n k)). Three rules over the graph's edges, strongest first:
//   'average' - merge two groups while the mean score of the graph edges between them is
//               >= threshold (average linkage restricted to the k-NN graph; one odd photo
//               cannot chain two people together; graph-average.ts);
//   'single'  - connected components of the edges >= threshold (chains; graph-groups.ts);
//   'core'    - Immich / DBSCAN: a face with >= minFaces faces (itself included) within the
//               threshold is a core face; core faces linked by an edge share a person; other
//               faces join the person of their best-scoring core neighbour, or stay unassigned.
import { knnGraph, type KnnGraph } from '../core/knn.js';
import { assertInteger, assertOneOf, assertOptionsObject, describe, rowsOf } from '../core/validate.js';
import type { Clustering } from './agglomerative.js';
import { averageLinkage } from './graph-average.js';
import { components, graphPairs, Groups } from './graph-groups.js';

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
  for (const e of graphPairs(g, threshold)) {
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
  const groups = linkage === 'single' ? components(graph, threshold) : averageLinkage(graph, threshold);
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
