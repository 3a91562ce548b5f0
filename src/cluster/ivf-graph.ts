// An approximate cosine k-NN graph for clustering large sets (10^4 - 10^6 faces): an inverted
// file (IVF, as faiss's IndexIVFFlat) instead of all pairs. Spherical k-means splits the faces
// into cells; each face is scored only against the faces of its `probes` nearest cells, so the
// work is ~probes / cells of the exact self-join plus the k-means. Every score it keeps is exact
// (the same topK kernel as knnGraph); what it can miss is a neighbour in a cell it did not probe.
// Three repairs make the misses rare where they change a clustering:
//   - every edge found from one side is added to the other side's list;
//   - faces that the found edges >= threshold leave in a group smaller than `rescueBelow`
//     (default 4) are searched against every face, exactly (2, lone faces only, was as good on
//     10 planted seeds but split a person of the shared photos at 0.35);
//   - groups whose mean faces are close have their cross pairs scored exactly (a person split
//     in two by missed edges).
import type { KnnGraph } from '../core/knn.js';
import { threadCount } from '../core/options.js';
import { topKAsync } from '../core/topk.js';
import { native } from '../native.js';
import { components } from './graph-groups.js';

export interface IvfGraphOptions {
  /** Neighbours scoring below this are left out (index -1, score -Infinity). */
  minScore?: number;
  /** k-means cells (default 2 * sqrt(n)). */
  cells?: number;
  /** Cells each face is scored against (default 4). */
  probes?: number;
  /** k-means iterations (default 3). */
  iterations?: number;
  /** With `rescueBelow`: faces in groups of fewer than `rescueBelow` faces at this cosine are searched exactly. */
  threshold?: number;
  /** Default 4; 0 turns the exact search of small groups off. */
  rescueBelow?: number;
  /** Small-group faces x faces up to which the rescue searches every face (default 2e9); past it, their nearest 32 cells. */
  exhaustivePairs?: number;
  /** Seed of the k-means start (default 1): the same seed gives the same graph. */
  seed?: number;
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

// Per-slot results of one native scan call at most (x 8 bytes): ~64 MiB.
const SCAN_RESULT_ENTRIES = 8 << 20;
// Faces searched exactly per topK call (a batch of queries against all rows).
const RESCUE_BATCH = 1024;
// Small-group faces x all faces up to which the rescue is exhaustive (2e9 pairs: ~15 s at 512-d
// on 2 cores); past it (a million faces, or many lone faces) it searches their nearest cells.
const EXHAUSTIVE_RESCUE_PAIRS = 2e9;
// Cells a small-group face is searched in past that bound (at least 8 x probes).
const WIDE_PROBES = 32;
// Groups whose means are compared for a split person (joinCloseGroups).
const NEAR_GROUPS = 3;
// k-means training rows per cell.
const TRAIN_ROWS_PER_CELL = 32;

/**
 * 1 / |row| for every row, refusing zero and non-finite rows. No unit-length copy of the rows:
 * the kernels score cosine themselves, and a fresh n x dim buffer costs its page faults
 * (~90 ms at 20k x 512 here) for nothing.
 */
function inverseNorms(x: Float32Array, n: number, dim: number): Float32Array {
  const inv = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = i * dim, e = c + dim; c < e; c++) s += x[c] * x[c];
    inv[i] = 1 / Math.sqrt(s);
    if (!(s > 0) || !Number.isFinite(inv[i]) || !Number.isFinite(s)) {
      throw new RangeError(`embeddings: row ${i}: expected a non-zero finite vector (cosine needs a direction), got ${s === 0 ? 'all zeros' : 'NaN or Infinity'}`);
    }
  }
  return inv;
}

/** n x k neighbour lists, best first (ties to the lower index), each row's list without repeats. */
class NeighbourLists {
  readonly indices: Int32Array;
  readonly scores: Float32Array;
  constructor(readonly n: number, readonly k: number) {
    this.indices = new Int32Array(n * k).fill(-1);
    this.scores = new Float32Array(n * k).fill(-Infinity);
  }

  /** Offers v to row u's list at score s (kept once: a pair scored twice keeps its first score). */
  offer(u: number, v: number, s: number): void {
    const { k, indices, scores } = this;
    const base = u * k, last = base + k - 1;
    if (s < scores[last] || (s === scores[last] && indices[last] >= 0 && v > indices[last])) return;
    let at = -1;
    for (let p = base; p <= last; p++) {
      if (indices[p] === v) return;
      if (at < 0 && (indices[p] < 0 || s > scores[p] || (s === scores[p] && v < indices[p]))) at = p;
    }
    for (let p = last; p > at; p--) {
      indices[p] = indices[p - 1];
      scores[p] = scores[p - 1];
    }
    indices[at] = v;
    scores[at] = s;
  }

  clear(u: number): void {
    this.indices.fill(-1, u * this.k, (u + 1) * this.k);
    this.scores.fill(-Infinity, u * this.k, (u + 1) * this.k);
  }
}

/** Deterministic uniform [0, 1) numbers. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) + 0.5) / 4294967296;
}

/** `count` distinct row numbers of [0, n), drawn with `random`. */
function distinctRows(n: number, count: number, random: () => number): Int32Array {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.subarray(0, count);
}

/**
 * Spherical k-means (Lloyd) on a random sample of the rows (TRAIN_ROWS_PER_CELL per cell, as
 * faiss trains its coarse quantizer on a sample): unit centroids of the cells.
 */
async function trainCells(
  rows: Float32Array, inv: Float32Array, total: number, dim: number, cells: number, iterations: number,
  random: () => number, threads: number | undefined, step: (done: number) => void,
): Promise<Float32Array> {
  const n = Math.min(total, Math.max(cells, TRAIN_ROWS_PER_CELL * cells));
  const picked = distinctRows(total, n, random), unit = new Float32Array(n * dim);
  picked.forEach((row, i) => {
    for (let c = 0, r = row * dim, o = i * dim; c < dim; c++) unit[o + c] = rows[r + c] * inv[row];
  });
  // The sample is in random order: its first `cells` rows are the random start.
  const centroids = unit.slice(0, cells * dim);
  const sums = new Float64Array(cells * dim), counts = new Int32Array(cells);
  for (let it = 0; it < iterations; it++) {
    const { indices } = await topKAsync(unit, centroids, dim, 1, { metric: 'dot', threads });
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const l = indices[i], o = l * dim;
      counts[l]++;
      for (let c = 0, r = i * dim; c < dim; c++) sums[o + c] += unit[r + c];
    }
    for (let l = 0; l < cells; l++) {
      const o = l * dim;
      let s = 0;
      for (let c = 0; c < dim; c++) s += sums[o + c] * sums[o + c];
      if (counts[l] === 0 || !(s > 0)) {
        // An empty cell restarts at a random face.
        const row = Math.floor(random() * n);
        centroids.set(unit.subarray(row * dim, (row + 1) * dim), o);
        continue;
      }
      const inv = 1 / Math.sqrt(s);
      for (let c = 0; c < dim; c++) centroids[o + c] = sums[o + c] * inv;
    }
    step(it + 1);
  }
  return centroids;
}

/** Offsets of a bucketing: start[b] .. start[b + 1] for b in [0, buckets). */
function bucketStarts(keys: Int32Array, buckets: number): Int32Array {
  const start = new Int32Array(buckets + 1);
  for (const b of keys) start[b + 1]++;
  for (let b = 0; b < buckets; b++) start[b + 1] += start[b];
  return start;
}

/**
 * For every row, (approximately) its k most similar other rows by cosine: exact scores, but only
 * rows in the probed cells are candidates. Same shape as knnGraph's result.
 */
export async function ivfKnnGraph(embeddings: Float32Array, dim: number, k: number, options: IvfGraphOptions = {}): Promise<KnnGraph> {
  const n = embeddings.length / dim;
  const kk = n === 0 ? 0 : Math.min(k, n - 1);
  const lists = new NeighbourLists(n, kk);
  const graph: KnnGraph = { n, k: kk, indices: lists.indices, scores: lists.scores };
  if (kk === 0) return graph;
  const { signal, onProgress, threads, minScore } = options;
  const cells = Math.min(n, options.cells ?? Math.max(1, Math.round(2 * Math.sqrt(n))));
  const probes = Math.min(cells, options.probes ?? 4);
  const iterations = options.iterations ?? 3;
  const rescueBelow = options.rescueBelow ?? 4;
  const random = lcg(options.seed ?? 1);
  const search = { metric: 'cosine' as const, threads, minScore };

  const inv = inverseNorms(embeddings, n, dim);
  // Progress: k-means 0-0.3, cells 0.3-0.8, exact search of small groups 0.8-1.
  const centroids = await trainCells(embeddings, inv, n, dim, cells, iterations, random, threads, (it) => {
    signal?.throwIfAborted();
    onProgress?.((0.3 * it) / (iterations + 1));
  });
  const probed = await topKAsync(embeddings, centroids, dim, probes, { metric: 'cosine', threads });
  signal?.throwIfAborted();

  // Faces listed by their nearest cell (each cell's members contiguous in `members`).
  const home = new Int32Array(n);
  for (let i = 0; i < n; i++) home[i] = probed.indices[i * probes];
  const memberStart = bucketStarts(home, cells), members = new Int32Array(n), fill = memberStart.slice(0, cells);
  for (let i = 0; i < n; i++) members[fill[home[i]]++] = i;
  const layout: CellLayout = { rows: embeddings, members, memberStart, n, dim, cells, k: kk, minScore, threads, signal };
  const everyRow = Int32Array.from({ length: n }, (_, i) => i);
  await scanProbes(layout, everyRow, probed.indices, probes, (u, v, score) => lists.offer(u, v, score),
    (f) => onProgress?.(0.3 + 0.5 * f));
  symmetrise(lists);

  if (rescueBelow > 0 && options.threshold !== undefined) {
    const groups = components(graph, options.threshold), small: number[] = [];
    for (let i = 0; i < n; i++) if (groups.size[groups.root(i)] < rescueBelow) small.push(i);
    const progress = (f: number) => onProgress?.(0.8 + 0.2 * f);
    if (small.length * n <= (options.exhaustivePairs ?? EXHAUSTIVE_RESCUE_PAIRS)) await searchAll(embeddings, dim, lists, small, search, signal, progress);
    else await searchWide(layout, lists, small, centroids, Math.min(cells, Math.max(WIDE_PROBES, 8 * probes)), progress);
    symmetrise(lists);
    await joinCloseGroups(embeddings, inv, dim, lists, options.threshold, search, signal);
  }
  onProgress?.(1);
  return graph;
}

/**
 * A person split in two by missed edges leaves two groups whose mean faces point the same way.
 * For every group, the NEAR_GROUPS groups of closest mean (cosine >= threshold) have all their
 * cross pairs scored exactly, and the edges found offered to both sides.
 */
async function joinCloseGroups(
  rows: Float32Array, inv: Float32Array, dim: number, lists: NeighbourLists, threshold: number,
  search: { metric: 'cosine'; threads?: number; minScore?: number }, signal?: AbortSignal,
): Promise<void> {
  const { n, k } = lists;
  const groups = components({ n, k, indices: lists.indices, scores: lists.scores }, threshold);
  const id = new Int32Array(n).fill(-1), roots: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = groups.root(i);
    if (groups.size[r] < 2) continue;
    if (id[r] < 0) (id[r] = roots.length), roots.push(r);
  }
  if (roots.length < 2) return;
  const start = new Int32Array(roots.length + 1);
  for (let i = 0; i < n; i++) if (groups.size[groups.root(i)] >= 2) start[id[groups.root(i)] + 1]++;
  for (let g = 0; g < roots.length; g++) start[g + 1] += start[g];
  const member = new Int32Array(start[roots.length]), fill = start.slice(0, roots.length);
  for (let i = 0; i < n; i++) if (groups.size[groups.root(i)] >= 2) member[fill[id[groups.root(i)]]++] = i;
  // Unit mean of each group.
  const means = new Float32Array(roots.length * dim), sum = new Float64Array(dim);
  for (let g = 0; g < roots.length; g++) {
    sum.fill(0);
    for (let m = start[g]; m < start[g + 1]; m++) {
      const w = inv[member[m]];
      for (let c = 0, r = member[m] * dim; c < dim; c++) sum[c] += rows[r + c] * w;
    }
    let norm = 0;
    for (let c = 0; c < dim; c++) norm += sum[c] * sum[c];
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let c = 0; c < dim; c++) means[g * dim + c] = sum[c] * scale;
  }
  const near = await topKAsync(means, means, dim, Math.min(NEAR_GROUPS + 1, roots.length), { ...search, minScore: threshold });
  const groupRows = (g: number) => {
    const out = new Float32Array((start[g + 1] - start[g]) * dim);
    for (let m = start[g]; m < start[g + 1]; m++) out.set(rows.subarray(member[m] * dim, (member[m] + 1) * dim), (m - start[g]) * dim);
    return out;
  };
  for (let a = 0; a < roots.length; a++) {
    for (let s = 0; s < near.k; s++) {
      const b = near.indices[a * near.k + s];
      if (b < 0) break;
      if (b <= a) continue; // each pair of groups once (and never a group with itself)
      const qa = groupRows(a), gb = groupRows(b), nb = start[b + 1] - start[b];
      const cross = await topKAsync(qa, gb, dim, Math.min(k, nb), search);
      for (let i = 0; i < start[a + 1] - start[a]; i++) {
        const u = member[start[a] + i];
        for (let t = 0; t < cross.k; t++) {
          const j = cross.indices[i * cross.k + t];
          if (j < 0) break;
          const v = member[start[b] + j], score = cross.scores[i * cross.k + t];
          lists.offer(u, v, score);
          lists.offer(v, u, score);
        }
      }
    }
    if (a % 256 === 0) signal?.throwIfAborted();
  }
}

/** The cells as the native scan takes them, and what every scan of them shares. */
interface CellLayout {
  /** The caller's rows, any length (the scan scores cosine). */
  rows: Float32Array;
  members: Int32Array;
  memberStart: Int32Array;
  n: number;
  dim: number;
  cells: number;
  k: number;
  minScore?: number;
  threads?: number;
  signal?: AbortSignal;
}

/**
 * Scores rows `who[i]` against the members of cells `probeCells[i * p .. i * p + p)`, natively, a
 * run of cells at a time (per-slot results bounded to SCAN_RESULT_ENTRIES); each hit goes to `hit`.
 */
async function scanProbes(
  c: CellLayout, who: Int32Array, probeCells: Int32Array, p: number, hit: (u: number, v: number, score: number) => void,
  progress: (fraction: number) => void,
): Promise<void> {
  const probeStart = bucketStarts(probeCells, c.cells), askers = new Int32Array(probeCells.length);
  const fill = probeStart.slice(0, c.cells);
  for (let i = 0; i < probeCells.length; i++) askers[fill[probeCells[i]]++] = who[Math.floor(i / p)];
  const control = new Int32Array(2);
  const abort = () => Atomics.store(control, 0, 1);
  c.signal?.addEventListener('abort', abort, { once: true });
  const k = c.k, maxSlots = Math.max(1, Math.floor(SCAN_RESULT_ENTRIES / k));
  try {
    for (let from = 0; from < c.cells;) {
      let to = from + 1;
      while (to < c.cells && probeStart[to + 1] - probeStart[from] <= maxSlots) to++;
      const slots = probeStart[to] - probeStart[from];
      const outIndices = new Int32Array(slots * k), outScores = new Float32Array(slots * k);
      await native.ivfScanAsync({
        rows: c.rows, members: c.members, metric: 1, memberStart: c.memberStart, askers, probeStart, n: c.n,
        dim: c.dim, k, minScore: c.minScore ?? -Infinity, threads: threadCount(c.threads), cellFrom: from, cellTo: to,
        outIndices, outScores, control,
      });
      if (Atomics.load(control, 0) !== 0) c.signal?.throwIfAborted();
      for (let a = 0; a < slots; a++) {
        const u = askers[probeStart[from] + a];
        for (let s = 0, e = a * k; s < k && outIndices[e + s] >= 0; s++) hit(u, outIndices[e + s], outScores[e + s]);
      }
      progress(to / c.cells);
      from = to;
    }
  } finally {
    c.signal?.removeEventListener('abort', abort);
  }
}

/** The rows `small` searched against every row, exactly; their lists replaced. */
async function searchAll(
  rows: Float32Array, dim: number, lists: NeighbourLists, small: number[],
  search: { metric: 'cosine'; threads?: number; minScore?: number }, signal: AbortSignal | undefined,
  progress: (fraction: number) => void,
): Promise<void> {
  for (let b = 0; b < small.length; b += RESCUE_BATCH) {
    const batch = small.slice(b, b + RESCUE_BATCH);
    const q = new Float32Array(batch.length * dim);
    batch.forEach((row, a) => q.set(rows.subarray(row * dim, (row + 1) * dim), a * dim));
    const exact = await topKAsync(q, rows, dim, lists.k + 1, search);
    batch.forEach((u, a) => {
      lists.clear(u);
      for (let s = 0; s < exact.k; s++) {
        const v = exact.indices[a * exact.k + s];
        if (v >= 0 && v !== u) lists.offer(u, v, exact.scores[a * exact.k + s]);
      }
    });
    signal?.throwIfAborted();
    progress(Math.min(small.length, b + batch.length) / small.length);
  }
}

/** Past EXHAUSTIVE_RESCUE_PAIRS: the rows `small` searched against the members of their `wide` nearest cells. */
async function searchWide(
  c: CellLayout, lists: NeighbourLists, small: number[], centroids: Float32Array, wide: number,
  progress: (fraction: number) => void,
): Promise<void> {
  const who = Int32Array.from(small), q = new Float32Array(who.length * c.dim);
  who.forEach((row, a) => q.set(c.rows.subarray(row * c.dim, (row + 1) * c.dim), a * c.dim));
  const near = await topKAsync(q, centroids, c.dim, wide, { metric: 'cosine', threads: c.threads });
  for (const u of who) lists.clear(u);
  await scanProbes(c, who, near.indices, near.k, (u, v, score) => lists.offer(u, v, score), progress);
}

/** Every edge u -> v also offered as v -> u (a pair has one score; either side may have found it). */
function symmetrise(lists: NeighbourLists): void {
  const { n, k } = lists, indices = lists.indices.slice(), scores = lists.scores.slice();
  for (let u = 0; u < n; u++) {
    for (let s = 0; s < k; s++) {
      const v = indices[u * k + s];
      if (v < 0) break;
      lists.offer(v, u, scores[u * k + s]);
    }
  }
}
