import { describe, expect, it } from 'vitest';
import { clusterEmbeddings } from '../../src/cluster/agglomerative.js';
import { clusterEmbeddingsAsync, clusterGraph } from '../../src/cluster/graph-cluster.js';
import { knnGraph } from '../../src/core/knn.js';
import { clusteringScores } from '../../src/eval/clustering-metrics.js';
import { faces } from './planted.js';

/** Same partition up to renaming (labels numbered by first appearance make it plain equality). */
const partition = (labels: Int32Array) => Array.from(labels);

function cosine(x: Float32Array, dim: number, i: number, j: number) {
  let d = 0, a = 0, b = 0;
  for (let c = 0; c < dim; c++) (d += x[i * dim + c] * x[j * dim + c]), (a += x[i * dim + c] ** 2), (b += x[j * dim + c] ** 2);
  return d / Math.sqrt(a * b);
}

// Brute-force DBSCAN (Immich's rule) with border faces joining their best core neighbour.
function refCore(x: Float32Array, dim: number, threshold: number, minFaces: number): number[] {
  const n = x.length / dim;
  const near = (i: number) => Array.from({ length: n }, (_, j) => j).filter((j) => j !== i && cosine(x, dim, i, j) >= threshold);
  const core = Array.from({ length: n }, (_, i) => near(i).length + 1 >= minFaces);
  const owner = new Array<number>(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (!core[i] || owner[i] >= 0) continue;
    const stack = [i];
    owner[i] = i;
    while (stack.length) for (const j of near(stack.pop()!)) if (core[j] && owner[j] < 0) (owner[j] = i), stack.push(j);
  }
  for (let i = 0; i < n; i++) {
    if (core[i]) continue;
    let best = -Infinity;
    for (const j of near(i)) {
      const s = cosine(x, dim, i, j);
      if (core[j] && s > best) (best = s), (owner[i] = owner[j]);
    }
  }
  const ids = new Map<number, number>();
  return owner.map((o) => (o < 0 ? -1 : ids.get(o) ?? (ids.set(o, ids.size), ids.size - 1)));
}

describe('clusterEmbeddingsAsync', () => {
  it('single linkage on the full graph equals exact single-linkage clustering', async () => {
    for (const [ids, per, noise, t] of [[6, 5, 0.5, 0.4], [10, 4, 1.2, 0.3], [3, 12, 1.5, 0.2]] as const) {
      const { x } = faces(ids, per, 16, noise, ids * 7 + per);
      const n = ids * per;
      const got = await clusterEmbeddingsAsync(x, 16, { threshold: t, linkage: 'single', neighbours: n });
      const want = clusterEmbeddings(x, 16, { threshold: t, linkage: 'single' });
      expect(partition(got.labels), `${ids}x${per}`).toEqual(partition(want.labels));
      expect(got.count).toBe(want.count);
    }
  });

  it("'core' equals brute-force DBSCAN (border faces to their best core neighbour, others -1)", async () => {
    for (const [minFaces, t] of [[2, 0.3], [3, 0.25], [5, 0.35]] as const) {
      const { x } = faces(8, 5, 16, 1.3, minFaces);
      const got = await clusterEmbeddingsAsync(x, 16, { threshold: t, linkage: 'core', minFaces, neighbours: 39 });
      expect(partition(got.labels), `minFaces=${minFaces}`).toEqual(refCore(x, 16, t, minFaces));
    }
  });

  it('average linkage on the full graph equals exact average linkage', async () => {
    for (const seed of [1, 2, 3]) {
      const { x, truth } = faces(12, 6, 32, 1.0, seed);
      const got = await clusterEmbeddingsAsync(x, 32, { threshold: 0.3, neighbours: 71 });
      const want = clusterEmbeddings(x, 32, { threshold: 0.3 });
      expect(partition(got.labels), `seed ${seed}`).toEqual(partition(want.labels));
      expect(clusteringScores(truth, got.labels).bcubed.f).toBeGreaterThan(0.9);
    }
  });

  it('average linkage equals exact average linkage on components over 64 faces too (the heap path)', async () => {
    for (const [seed, t] of [[5, 0.1], [6, 0.05]] as const) {
      const { x } = faces(14, 8, 32, 1.2, seed);
      const n = x.length / 32;
      const single = await clusterEmbeddingsAsync(x, 32, { threshold: t, linkage: 'single', neighbours: n });
      const largest = Math.max(...Array.from({ length: single.count }, (_, c) => single.labels.filter((l) => l === c).length));
      expect(largest, 'a component larger than the dense path takes').toBeGreaterThan(64);
      const got = await clusterEmbeddingsAsync(x, 32, { threshold: t, neighbours: n });
      const want = clusterEmbeddings(x, 32, { threshold: t });
      expect(partition(got.labels), `seed ${seed}`).toEqual(partition(want.labels));
      expect(got.count).toBeGreaterThan(1);
    }
  });

  it('average linkage does not chain two people through one in-between face (single linkage does)', async () => {
    // Two tight groups on e1 and e2, and one face halfway: single linkage joins all three.
    const dim = 3, rows: number[][] = [];
    for (let i = 0; i < 5; i++) rows.push([1, 0.01 * i, 0.02], [0.01 * i, 1, 0.02]);
    rows.push([Math.SQRT1_2, Math.SQRT1_2, 0]);
    const x = Float32Array.from(rows.flat());
    const single = await clusterEmbeddingsAsync(x, dim, { threshold: 0.7, linkage: 'single' });
    const average = await clusterEmbeddingsAsync(x, dim, { threshold: 0.7 });
    expect(single.count).toBe(1);
    expect(average.count).toBe(2);
  });

  it('invariants: labels in [-1, count), numbered by first appearance; minFaces leaves small groups out', async () => {
    const { x } = faces(20, 3, 24, 1.4, 9);
    for (const minFaces of [1, 2, 4]) {
      const { labels, count } = await clusterEmbeddingsAsync(x, 24, { threshold: 0.35, minFaces, neighbours: 5 });
      let next = 0;
      const sizes = new Map<number, number>();
      for (const l of labels) {
        expect(l).toBeGreaterThanOrEqual(-1);
        expect(l).toBeLessThan(count);
        if (l >= 0 && !sizes.has(l)) expect(l).toBe(next++);
        if (l >= 0) sizes.set(l, (sizes.get(l) ?? 0) + 1);
      }
      expect(next).toBe(count);
      for (const size of sizes.values()) expect(size).toBeGreaterThanOrEqual(minFaces);
    }
  });

  it('thresholds at the ends: 1 keeps distinct faces apart, -1 joins everyone', async () => {
    const { x } = faces(4, 4, 8, 0.8, 4);
    expect((await clusterEmbeddingsAsync(x, 8, { threshold: 1 })).count).toBe(16);
    expect((await clusterEmbeddingsAsync(x, 8, { threshold: -1, neighbours: 15 })).count).toBe(1);
    expect(await clusterEmbeddingsAsync(new Float32Array(0), 8, { threshold: 0.5 })).toEqual({ labels: new Int32Array(0), count: 0 });
  });

  it("storage 'i8' gives the float32 partition on planted faces", async () => {
    for (const linkage of ['average', 'core'] as const) {
      const { x, truth } = faces(40, 6, 128, 1.0, 4);
      const f32 = await clusterEmbeddingsAsync(x, 128, { threshold: 0.3, linkage, minFaces: 2 });
      const i8 = await clusterEmbeddingsAsync(x, 128, { threshold: 0.3, linkage, minFaces: 2, storage: 'i8' });
      expect(partition(i8.labels), linkage).toEqual(partition(f32.labels));
      expect(clusteringScores(truth, i8.labels).bcubed.f).toBeGreaterThan(0.9);
    }
  });

  it('clusterGraph reads a graph built once (several thresholds, one search)', async () => {
    const { x } = faces(5, 4, 16, 0.6, 2);
    const graph = await knnGraph(x, 16, 19);
    expect(clusterGraph(graph, { threshold: 0.4 }).count).toBe(5);
  });

  it('rejects bad options naming them; aborts', async () => {
    const x = new Float32Array(16);
    await expect(clusterEmbeddingsAsync(x, 4, { threshold: 2 })).rejects.toThrow(/options.threshold/);
    await expect(clusterEmbeddingsAsync(x, 4, { threshold: '1' as never })).rejects.toThrow(TypeError);
    await expect(clusterEmbeddingsAsync(x, 4, { threshold: 0.5, linkage: 'x' as never })).rejects.toThrow(/options.linkage/);
    await expect(clusterEmbeddingsAsync(x, 4, { threshold: 0.5, minFaces: 0 })).rejects.toThrow(/options.minFaces/);
    await expect(clusterEmbeddingsAsync(x, 3, { threshold: 0.5 })).rejects.toThrow(/embeddings/);
    await expect(clusterEmbeddingsAsync(x, 4, { threshold: 0.5, signal: AbortSignal.abort() })).rejects.toThrow();
  });
});
