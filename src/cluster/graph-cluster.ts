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
import { ivfKnnGraph } from './ivf-graph.js';

export type GraphLinkage = 'average' | 'single' | 'core';
const GRAPH_LINKAGES: readonly GraphLinkage[] = ['average', 'single', 'core'];
const GRAPHS = ['exact', 'ivf'] as const;

/** Tuning of `graph: 'ivf'` (ivf-graph.ts); more cells and probes: closer to exact, slower. */
export interface IvfTuning {
  /** k-means cells (default 2 * sqrt(n)). */
  cells?: number;
  /** Cells each face is scored against (default 4). */
  probes?: number;
  /** k-means iterations (default 3). */
  iterations?: number;
  /** Faces left in groups smaller than this are searched against every face (default 4; 0: never). */
  rescueBelow?: number;
}

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
  /**
   * 'exact' (default): the exact k-NN graph (all pairs). 'ivf': an approximate graph from an
   * inverted file (k-means cells; exact scores within the probed cells, float32), several times
   * faster from ~10^4 faces; faces it leaves in groups under 4 are searched exactly. It can
   * still miss an edge, so a person may split where 'exact' would not (docs/people.md).
   */
  graph?: 'exact' | 'ivf';
  ivf?: IvfTuning;
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
 * exact k-NN graph (or the approximate 'ivf' one), off the main thread for the scoring. Label -1 = not assigned (see minFaces).
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
  const graphKind = assertOneOf('options.graph', opts.graph ?? 'exact', GRAPHS);
  const k = Math.max(neighbours, linkage === 'core' ? minFaces : 1);
  // Average linkage needs the below-threshold edges too: they are what stops a chain.
  const minScore = linkage === 'average' ? undefined : threshold;
  const graphProgress = onProgress && ((f: number) => onProgress(0.9 * f));
  let graph: KnnGraph;
  if (graphKind === 'ivf') {
    if (storage !== undefined && storage !== 'f32') {
      throw new RangeError(`options.storage: graph 'ivf' scores in float32, got '${String(storage)}' (it applies to graph 'exact')`);
    }
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(`options.signal: expected an AbortSignal, got ${describe(signal)}`);
    }
    if (onProgress !== undefined && typeof onProgress !== 'function') {
      throw new TypeError(`options.onProgress: expected a function, got ${describe(onProgress)}`);
    }
    signal?.throwIfAborted();
    const tuning = assertOptionsObject('options.ivf', opts.ivf);
    const n = embeddings.length / dim;
    graph = await ivfKnnGraph(embeddings, dim, k, {
      minScore, threshold, threads, signal, onProgress: graphProgress,
      cells: tuning.cells === undefined ? undefined : assertInteger('options.ivf.cells', tuning.cells, 1, Math.max(1, n)),
      probes: tuning.probes === undefined ? undefined : assertInteger('options.ivf.probes', tuning.probes, 1, 1 << 20),
      iterations: tuning.iterations === undefined ? undefined : assertInteger('options.ivf.iterations', tuning.iterations, 0, 1000),
      rescueBelow: tuning.rescueBelow === undefined ? undefined : assertInteger('options.ivf.rescueBelow', tuning.rescueBelow, 0),
    });
  } else {
    graph = await knnGraph(embeddings, dim, k, { metric: 'cosine', threads, signal, storage, minScore, onProgress: graphProgress });
  }
  signal?.throwIfAborted();
  const result = clusterGraph(graph, { threshold, linkage, minFaces });
  onProgress?.(1);
  return result;
}
