import { describe, expect, it } from 'vitest';
import { knnGraph } from '../../src/core/knn.js';
import { encodeRows } from '../../src/core/gallery.js';
import { integerRows, randomRows } from '../helpers/random.js';
import { supportedIsas } from '../helpers/isa.js';
import { getIsa, setIsa } from '../../src/core/cpu.js';

// Brute force in float64: every other row by (score desc, index asc), self excluded.
function refKnn(x: Float32Array, dim: number, k: number, minScore = -Infinity) {
  const n = x.length / dim, kk = n === 0 ? 0 : Math.min(k, n - 1);
  const indices: number[][] = [], scores: number[][] = [];
  for (let i = 0; i < n; i++) {
    const all: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d = 0;
      for (let c = 0; c < dim; c++) d += x[i * dim + c] * x[j * dim + c];
      all.push([d, j]);
    }
    all.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    const top = all.slice(0, kk);
    indices.push(top.map(([s, j]) => (s >= minScore ? j : -1)));
    scores.push(top.map(([s]) => (s >= minScore ? s : -Infinity)));
  }
  return { k: kk, indices, scores };
}

const split = (flat: ArrayLike<number>, k: number, n = flat.length / k) =>
  Array.from({ length: n }, (_, i) => Array.from(flat).slice(i * k, i * k + k));

function withDuplicates(n: number, dim: number, seed: number): Float32Array {
  const x = integerRows(n, dim, seed);
  if (n > 3) {
    x.copyWithin(Math.floor(n / 2) * dim, 0, dim);
    x.copyWithin((n - 1) * dim, 0, dim);
    x.copyWithin(2 * dim, dim, 2 * dim);
  }
  return x;
}

describe('knnGraph', () => {
  it('matches brute force exactly: ties to the lower index, duplicates listed, self never', async () => {
    for (const dim of [1, 7, 64]) {
      // 1100 rows cross the driver's 1024-row chunk; once (dim 7) is enough for the slow reference.
      for (const [n, k] of [[0, 3], [1, 3], [2, 5], [9, 4], [300, 6], ...(dim === 7 ? [[1100, 3]] : [])]) {
        const x = withDuplicates(n, dim, n * 7 + dim);
        const got = await knnGraph(x, dim, k, { metric: 'dot', threads: 2 });
        const want = refKnn(x, dim, k);
        expect(got.k).toBe(want.k);
        expect(got.n).toBe(n);
        expect(split(got.indices, got.k, n), `dim=${dim} n=${n} k=${k}`).toEqual(want.indices);
        expect(split(got.scores, got.k, n)).toEqual(want.scores);
      }
    }
  });

  it('leaves neighbours below minScore out as -1 / -Infinity', async () => {
    const x = withDuplicates(200, 5, 3);
    for (const minScore of [-1e9, 0, 15]) {
      const got = await knnGraph(x, 5, 4, { metric: 'dot', minScore, threads: 1 });
      expect(split(got.indices, 4)).toEqual(refKnn(x, 5, 4, minScore).indices);
    }
  });

  it('reads float16 rows (exact for small integers) like float32', async () => {
    const dim = 16, x = withDuplicates(150, dim, 11);
    const h = new Uint16Array(x.length);
    encodeRows(x, dim, 'f16', false, h, new Float32Array(0));
    const got = await knnGraph({ data: h }, dim, 5, { metric: 'dot' });
    expect(split(got.indices, 5)).toEqual(refKnn(x, dim, 5).indices);
  });

  it('reads int8 rows with their scales (neighbours close to exact)', async () => {
    const dim = 32, n = 300, x = randomRows(n, dim, 5);
    const codes = new Int8Array(n * dim), scales = new Float32Array(n);
    encodeRows(x, dim, 'i8', true, codes, scales);
    const got = await knnGraph({ data: codes, scales }, dim, 3);
    const exact = await knnGraph(x, dim, 3);
    let same = 0;
    for (let i = 0; i < n * 3; i++) {
      expect(got.indices[i]).not.toBe(Math.floor(i / 3));
      if (got.indices[i] === exact.indices[i]) same++;
      expect(Math.abs(got.scores[i] - exact.scores[i])).toBeLessThan(0.03);
    }
    expect(same / (n * 3)).toBeGreaterThan(0.9);
  });

  it("scores Float32Array rows as int8 on request (storage: 'i8'): neighbours close to float32 cosine", async () => {
    const dim = 48, n = 1500, x = randomRows(n, dim, 8);
    const got = await knnGraph(x, dim, 4, { storage: 'i8', threads: 2 });
    const exact = await knnGraph(x, dim, 4);
    let same = 0;
    for (let i = 0; i < n * 4; i++) {
      expect(got.indices[i]).not.toBe(Math.floor(i / 4));
      if (got.indices[i] === exact.indices[i]) same++;
      expect(Math.abs(got.scores[i] - exact.scores[i])).toBeLessThan(0.03);
    }
    expect(same / (n * 4)).toBeGreaterThan(0.9);
  });

  it("storage: 'i8' gives the same graph, scores bit for bit, on every ISA (exact int32 sums)", async () => {
    // 1300 rows: a full 1024-row chunk and a partial one; odd dim (padded in the widened blocks).
    const dim = 37, n = 1300, x = randomRows(n, dim, 12);
    const saved = getIsa();
    try {
      for (const minScore of [-Infinity, 0.2]) {
        setIsa('scalar');
        const want = await knnGraph(x, dim, 6, { storage: 'i8', threads: 2, minScore });
        for (const isa of supportedIsas()) {
          setIsa(isa);
          const got = await knnGraph(x, dim, 6, { storage: 'i8', threads: 3, minScore });
          expect(Array.from(got.indices), `${isa} minScore ${minScore}`).toEqual(Array.from(want.indices));
          expect(Array.from(got.scores), `${isa} minScore ${minScore}`).toEqual(Array.from(want.scores));
        }
      }
    } finally {
      setIsa(saved);
    }
  });

  it('reports progress up to 1 and stops when aborted', async () => {
    const dim = 256, x = randomRows(6000, dim, 2);
    const seen: number[] = [];
    await knnGraph(x, dim, 5, { threads: 1, onProgress: (f) => seen.push(f) });
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= seen[i - 1]))).toBe(true);

    const ctl = new AbortController();
    const started = knnGraph(x, dim, 5, { threads: 1, signal: ctl.signal });
    ctl.abort(new Error('stop'));
    await expect(started).rejects.toThrow('stop');
    await expect(knnGraph(x, dim, 5, { signal: ctl.signal })).rejects.toThrow('stop');
  });

  it('rejects bad input naming the argument', async () => {
    await expect(knnGraph(new Float32Array(5), 2, 1)).rejects.toThrow(RangeError);
    await expect(knnGraph(new Float32Array(4), 2, 0)).rejects.toThrow(/k: expected an integer/);
    await expect(knnGraph([1, 2] as unknown as Float32Array, 2, 1)).rejects.toThrow(TypeError);
    await expect(knnGraph({ data: new Int8Array(4) } as never, 2, 1)).rejects.toThrow(/rows.scales/);
    await expect(knnGraph({ data: new Int8Array(4), scales: new Float32Array(1) }, 2, 1)).rejects.toThrow(RangeError);
    await expect(knnGraph(new Float32Array(4), 2, 1, { minScore: 'x' as never })).rejects.toThrow(/minScore/);
    await expect(knnGraph(new Float32Array(4), 2, 1, { storage: 'f16' as never })).rejects.toThrow(RangeError);
    await expect(knnGraph({ data: new Uint16Array(4) }, 2, 1, { storage: 'i8' })).rejects.toThrow(/options.storage/);
    const bad = new Float32Array(8); bad[3] = NaN;
    await expect(knnGraph(bad, 2, 1)).rejects.toThrow(/finite/);
  });
});
