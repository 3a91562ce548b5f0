import { describe, expect, it } from 'vitest';
import { clusterEmbeddingsAsync } from '../../src/cluster/graph-cluster.js';
import { ivfKnnGraph } from '../../src/cluster/ivf-graph.js';
import { knnGraph } from '../../src/core/knn.js';
import { native } from '../../src/native.js';
import { rng } from '../helpers/random.js';

/** Identities of 1-12 faces (a third of them alone), unit rows around random unit centres: cos ~0.5 within. */
function planted(n: number, dim: number, seed: number) {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const x = new Float32Array(n * dim), truth = new Int32Array(n), centre = new Float64Array(dim);
  for (let i = 0, id = -1, left = 0; i < n; i++) {
    if (left === 0) {
      id++;
      left = r() < 0.33 ? 1 : 2 + Math.floor(11 * r());
      let norm = 0;
      for (let c = 0; c < dim; c++) norm += (centre[c] = gauss()) ** 2;
      for (let c = 0; c < dim; c++) centre[c] /= Math.sqrt(norm);
    }
    left--;
    truth[i] = id;
    let norm = 0;
    for (let c = 0; c < dim; c++) norm += (x[i * dim + c] = centre[c] + gauss() / Math.sqrt(dim)) ** 2;
    for (let c = 0; c < dim; c++) x[i * dim + c] /= Math.sqrt(norm);
  }
  return { x, truth };
}

function cosine64(x: Float32Array, dim: number, i: number, j: number): number {
  let d = 0, a = 0, b = 0;
  for (let c = 0; c < dim; c++) (d += x[i * dim + c] * x[j * dim + c]), (a += x[i * dim + c] ** 2), (b += x[j * dim + c] ** 2);
  return d / Math.sqrt(a * b);
}

describe('ivfKnnGraph (approximate k-NN graph for clustering)', () => {
  it('equals the exact graph when every cell is probed', async () => {
    const dim = 37, { x } = planted(500, dim, 3);
    const exact = await knnGraph(x, dim, 9, { metric: 'cosine' });
    const ivf = await ivfKnnGraph(x, dim, 9, { cells: 12, probes: 12, iterations: 2, rescueBelow: 0 });
    expect(ivf.k).toBe(exact.k);
    for (let i = 0; i < ivf.n * ivf.k; i++) {
      expect(ivf.scores[i]).toBeCloseTo(exact.scores[i], 5);
      // The same neighbour unless two scores tie to float32 rounding.
      if (ivf.indices[i] !== exact.indices[i]) expect(Math.abs(ivf.scores[i] - exact.scores[i])).toBeLessThan(1e-6);
    }
  });

  it('keeps exact scores, best first, without the row itself or repeats', async () => {
    const dim = 64, { x } = planted(1500, dim, 5);
    const g = await ivfKnnGraph(x, dim, 12, { cells: 40, probes: 2 });
    for (let u = 0; u < g.n; u++) {
      const seen = new Set<number>();
      for (let s = 0; s < g.k; s++) {
        const v = g.indices[u * g.k + s], score = g.scores[u * g.k + s];
        if (v < 0) {
          expect(score).toBe(-Infinity);
          continue;
        }
        expect(v).not.toBe(u);
        expect(seen.has(v)).toBe(false);
        seen.add(v);
        expect(score).toBeCloseTo(cosine64(x, dim, u, v), 5);
        if (s > 0) expect(score).toBeLessThanOrEqual(g.scores[u * g.k + s - 1]);
      }
    }
  });

  it('lists every edge on both of its rows when both lists have room', async () => {
    const dim = 48, { x } = planted(1200, dim, 8);
    const g = await ivfKnnGraph(x, dim, 40, { cells: 30, probes: 1, minScore: 0.3, rescueBelow: 0 });
    for (let u = 0; u < g.n; u++) {
      for (let s = 0; s < g.k && g.indices[u * g.k + s] >= 0; s++) {
        const v = g.indices[u * g.k + s];
        const back = Array.from(g.indices.subarray(v * g.k, (v + 1) * g.k));
        if (back[g.k - 1] < 0) expect(back).toContain(u);
      }
    }
  });

  it('searches faces left in small groups exactly: none is left alone that has a match', async () => {
    const dim = 64, { x } = planted(2000, dim, 11), t = 0.3;
    const exact = await knnGraph(x, dim, 5, { metric: 'cosine', minScore: t });
    // Coarse on purpose: random cells (no k-means), one probe, so many edges are missed.
    const opts = { cells: 60, probes: 1, iterations: 0, minScore: t, threshold: t };
    const without = await ivfKnnGraph(x, dim, 5, { ...opts, rescueBelow: 0 });
    const withRescue = await ivfKnnGraph(x, dim, 5, opts);
    const alone = (g: typeof exact, u: number) => g.indices[u * g.k] < 0;
    let missedBefore = 0;
    for (let u = 0; u < exact.n; u++) {
      if (alone(exact, u)) continue;
      if (alone(without, u)) missedBefore++;
      expect(alone(withRescue, u)).toBe(false);
    }
    expect(missedBefore).toBeGreaterThan(0); // the case is hard enough to need the rescue
  });

  it('repairs split people: coarse random cells still give the exact graph\'s groups at the threshold', async () => {
    const dim = 96, { x } = planted(3000, dim, 13), t = 0.3;
    const groupsOf = async (g: Awaited<ReturnType<typeof knnGraph>>) => {
      const { components } = await import('../../src/cluster/graph-groups.js');
      const c = components(g, t), ids = new Map<number, number>();
      return Array.from({ length: g.n }, (_, i) => ids.get(c.root(i)) ?? (ids.set(c.root(i), ids.size), ids.size - 1));
    };
    const exact = await groupsOf(await knnGraph(x, dim, 10, { metric: 'cosine', minScore: t }));
    const coarse = { cells: 80, probes: 1, iterations: 0, minScore: t, threshold: t };
    expect(await groupsOf(await ivfKnnGraph(x, dim, 10, { ...coarse, rescueBelow: 0 }))).not.toEqual(exact);
    expect(await groupsOf(await ivfKnnGraph(x, dim, 10, coarse))).toEqual(exact);
  });

  it('gives the same people as the exact graph on planted identities (core and average)', async () => {
    // 384-d: chance pairs stay far below the threshold (as 512-d face embeddings do), so people do not chain.
    const dim = 384, { x } = planted(6000, dim, 21);
    for (const linkage of ['core', 'average'] as const) {
      const opts = { threshold: 0.3, linkage, minFaces: linkage === 'core' ? 2 : 1 };
      const exact = await clusterEmbeddingsAsync(x, dim, opts);
      const ivf = await clusterEmbeddingsAsync(x, dim, { ...opts, graph: 'ivf' });
      expect(ivf.count).toBe(exact.count);
      expect(Array.from(ivf.labels)).toEqual(Array.from(exact.labels));
    }
  });

  it('past the exhaustive bound, searches small groups in their nearest cells (all of them here: the same graph)', async () => {
    const dim = 64, { x } = planted(1500, dim, 17), t = 0.3;
    const opts = { cells: 24, probes: 1, iterations: 1, minScore: t, threshold: t };
    const exhaustive = await ivfKnnGraph(x, dim, 8, opts);
    const wide = await ivfKnnGraph(x, dim, 8, { ...opts, exhaustivePairs: 0 });
    expect(Array.from(wide.indices)).toEqual(Array.from(exhaustive.indices));
    for (let i = 0; i < wide.scores.length; i++) expect(wide.scores[i]).toBeCloseTo(exhaustive.scores[i], 6);
  });

  it('is deterministic for a seed', async () => {
    const dim = 32, { x } = planted(800, dim, 4);
    const a = await ivfKnnGraph(x, dim, 6, { cells: 20, probes: 2, seed: 9 });
    const b = await ivfKnnGraph(x, dim, 6, { cells: 20, probes: 2, seed: 9 });
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
  });

  it('handles tiny inputs', async () => {
    expect((await ivfKnnGraph(new Float32Array(0), 4, 3)).k).toBe(0);
    expect((await ivfKnnGraph(new Float32Array([1, 0, 0, 0]), 4, 3)).k).toBe(0);
    const two = await ivfKnnGraph(new Float32Array([1, 0, 0, 1]), 2, 3);
    expect(Array.from(two.indices)).toEqual([1, 0]);
    expect(two.scores[0]).toBeCloseTo(0, 6);
  });
});

describe("clusterEmbeddingsAsync({ graph: 'ivf' }): refusals", () => {
  const x = planted(300, 16, 2).x;
  it('names what was expected', async () => {
    await expect(clusterEmbeddingsAsync(x, 16, { threshold: 0.3, graph: 'hnsw' as never })).rejects.toThrow(RangeError);
    await expect(clusterEmbeddingsAsync(x, 16, { threshold: 0.3, graph: 'ivf', storage: 'i8' })).rejects.toThrow(/graph 'ivf' scores in float32/);
    await expect(clusterEmbeddingsAsync(x, 16, { threshold: 0.3, graph: 'ivf', ivf: { cells: 0 } })).rejects.toThrow(/options.ivf.cells/);
    await expect(clusterEmbeddingsAsync(x, 16, { threshold: 0.3, graph: 'ivf', ivf: { probes: 1.5 } })).rejects.toThrow(/options.ivf.probes/);
    await expect(clusterEmbeddingsAsync(x, 16, { threshold: 0.3, graph: 'ivf', ivf: 3 as never })).rejects.toThrow(TypeError);
    await expect(clusterEmbeddingsAsync(x, 16, { threshold: 0.3, graph: 'ivf', signal: {} as never })).rejects.toThrow(/AbortSignal/);
    const zero = x.slice();
    zero.fill(0, 16 * 7, 16 * 8);
    await expect(clusterEmbeddingsAsync(zero, 16, { threshold: 0.3, graph: 'ivf' })).rejects.toThrow(/row 7/);
    const nan = x.slice();
    nan[16 * 3 + 2] = NaN;
    await expect(clusterEmbeddingsAsync(nan, 16, { threshold: 0.3, graph: 'ivf' })).rejects.toThrow(/row 3/);
  });

  it('stops on abort', async () => {
    const big = planted(20000, 64, 6).x;
    const controller = new AbortController();
    const run = clusterEmbeddingsAsync(big, 64, { threshold: 0.3, graph: 'ivf', signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    await expect(run).rejects.toThrow(/abort/i);
  });

  it('the native scan refuses offsets and rows outside its buffers', async () => {
    const n = 4, dim = 2, rows = new Float32Array(n * dim).fill(0.5);
    const base = {
      rows, metric: 0, members: Int32Array.from([0, 1, 2, 3]), memberStart: Int32Array.from([0, 2, 4]),
      askers: Int32Array.from([0, 1, 2, 3]), probeStart: Int32Array.from([0, 2, 4]), n, dim, k: 2, minScore: -Infinity,
      threads: 1, cellFrom: 0, cellTo: 2, outIndices: new Int32Array(8), outScores: new Float32Array(8), control: new Int32Array(2),
    };
    await native.ivfScanAsync(base);
    expect(Array.from(base.outIndices)).toEqual([1, -1, 0, -1, 3, -1, 2, -1]);
    expect(() => native.ivfScanAsync({ ...base, members: Int32Array.from([0, 1, 2, 9]) })).toThrow(/members: expected values in \[0, 3\]/);
    expect(() => native.ivfScanAsync({ ...base, memberStart: Int32Array.from([0, 3, 2]) })).toThrow(/non-decreasing/);
    expect(() => native.ivfScanAsync({ ...base, probeStart: Int32Array.from([0, 2, 5]) })).toThrow(/probeStart/);
    expect(() => native.ivfScanAsync({ ...base, askers: Int32Array.from([0, 1, 2, -1]) })).toThrow(/askers/);
    expect(() => native.ivfScanAsync({ ...base, outIndices: new Int32Array(7) })).toThrow(/outIndices/);
    expect(() => native.ivfScanAsync({ ...base, cellTo: 3 })).toThrow(/cellTo/);
    expect(() => native.ivfScanAsync({ ...base, rows: new Float32Array(3) })).toThrow(/rows/);
    expect(() => native.ivfScanAsync({ ...base, metric: 2 })).toThrow(/metric/);
  });
});
