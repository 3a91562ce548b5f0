import { describe, expect, it } from 'vitest';
import { topK, topKAsync } from '../../src/core/topk.js';
import { integerRows, randomRows } from '../helpers/random.js';
import { refTopK } from '../helpers/reference.js';
import { underEachIsa } from '../helpers/isa.js';

const DIMS = [1, 3, 17, 128, 512, 513];

function rows<T extends ArrayLike<number>>(flat: T, k: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += k) out.push(Array.from(flat).slice(i, i + k));
  return out;
}

describe('topK', () => {
  it('returns exactly the reference indices (dot on integer data: exact scores, planted ties)', () => {
    underEachIsa((isa) => {
      for (const dim of DIMS) {
        for (const [nq, ng, k] of [[1, 1, 1], [3, 5, 10], [4, 50, 1], [5, 300, 7], [2, 40, 40]]) {
          const q = integerRows(nq, dim, dim * 31 + nq);
          const g = integerRows(ng, dim, dim * 17 + ng);
          if (ng > 3) {
            g.copyWithin(Math.floor(ng / 2) * dim, 0, dim); // duplicates of row 0
            g.copyWithin((ng - 1) * dim, 0, dim);
          }
          for (const threads of [1, 2]) {
            const got = topK(q, g, dim, k, { metric: 'dot', threads });
            const want = refTopK(q, g, dim, k, 'dot');
            expect(got.k, `${isa} dim=${dim}`).toBe(want.k);
            expect(rows(got.indices, got.k), `${isa} dim=${dim} nq=${nq} ng=${ng} k=${k}`).toEqual(want.indices);
            expect(rows(got.scores, got.k)).toEqual(want.scores);
          }
        }
      }
    });
  });

  it('matches the cosine reference on random data: same ranking wherever the reference separates scores', () => {
    underEachIsa((isa) => {
      for (const dim of DIMS) {
        const q = randomRows(6, dim, dim), g = randomRows(400, dim, dim + 1);
        const got = topK(q, g, dim, 10, { metric: 'cosine' });
        const want = refTopK(q, g, dim, 10, 'cosine');
        for (let i = 0; i < 6; i++) {
          for (let r = 0; r < 10; r++) {
            expect(Math.abs(got.scores[i * 10 + r] - want.scores[i][r])).toBeLessThan(1e-5);
            const gapBefore = r > 0 ? want.scores[i][r - 1] - want.scores[i][r] : Infinity;
            const gapAfter = r < 9 ? want.scores[i][r] - want.scores[i][r + 1] : Infinity;
            if (Math.min(gapBefore, gapAfter) > 1e-5) {
              expect(got.indices[i * 10 + r], `${isa} dim=${dim} q=${i} r=${r}`).toBe(want.indices[i][r]);
            }
          }
        }
      }
    });
  });

  it('breaks ties of identical gallery rows by the lower index, across thread splits', () => {
    const dim = 33, ng = 5000;
    const g = randomRows(ng, dim, 5);
    const q = randomRows(1, dim, 6);
    for (const at of [10, 2600, 4999]) g.set(q, at * dim);
    for (const threads of [1, 2, 4]) {
      const r = topK(q, g, dim, 3, { threads });
      expect(Array.from(r.indices)).toEqual([10, 2600, 4999]);
      expect(r.scores[0]).toBe(r.scores[2]);
    }
  });

  it('handles n < k, k = n, empty gallery and no queries', () => {
    const g = randomRows(3, 8, 1), q = randomRows(2, 8, 2);
    expect(topK(q, g, 8, 10).k).toBe(3);
    expect(topK(q, g, 8, 3).indices.length).toBe(6);
    const empty = topK(q, new Float32Array(0), 8, 5);
    expect(empty.k).toBe(0);
    expect(empty.indices.length).toBe(0);
    expect(topK(new Float32Array(0), g, 8, 2).indices.length).toBe(0);
  });

  it('async equals sync, and the event loop keeps running during a large async search', async () => {
    const dim = 512, ng = 200_000;
    const g = randomRows(ng, dim, 9), q = randomRows(64, dim, 10);
    const sync = topK(q.subarray(0, 2 * dim), g.subarray(0, 1000 * dim), dim, 5);
    const asyncSmall = await topKAsync(q.subarray(0, 2 * dim), g.subarray(0, 1000 * dim), dim, 5);
    expect(asyncSmall).toEqual(sync);

    // The sync call would block the loop for the whole search: zero ticks. The async one
    // leaves it free, so a 1 ms interval keeps firing until the result arrives.
    let ticks = 0;
    let ticksAtSettle = -1;
    const timer = setInterval(() => ticks++, 1);
    const result = await topKAsync(q, g, dim, 10, { threads: 1 }).then((r) => {
      ticksAtSettle = ticks;
      return r;
    });
    clearInterval(timer);
    expect(result.indices.length).toBe(640);
    expect(ticksAtSettle).toBeGreaterThanOrEqual(3);
  });

  it('rejects bad input with clear errors', async () => {
    const g = randomRows(4, 4, 1);
    expect(() => topK(new Float64Array(4) as unknown as Float32Array, g, 4, 1)).toThrow(/queries: expected a Float32Array, got Float64Array/);
    expect(() => topK(g, [1, 2] as unknown as Float32Array, 4, 1)).toThrow(TypeError);
    expect(() => topK(g, g, 4, 0)).toThrow(/k: expected an integer in \[1, /);
    expect(() => topK(g, g, 4, 1.5)).toThrow(RangeError);
    expect(() => topK(g, g, -1, 1)).toThrow(/dim: expected an integer in \[1, /);
    expect(() => topK(g, g.subarray(0, 6), 4, 1)).toThrow(/gallery: expected a length that is a multiple of dim \(4\), got 6/);
    const bad = g.slice();
    bad[13] = NaN;
    expect(() => topK(g, bad, 4, 2)).toThrow(/gallery: expected finite values, got NaN at index 13 \(row 3, column 1\)/);
    await expect(topKAsync(g, bad, 4, 2)).rejects.toThrow(RangeError);
    await expect(topKAsync(bad, g, 4, 2, { metric: 'dot' })).rejects.toThrow(/queries: expected finite values/);
    expect(() => topK(g, g, 4, 1, { minScore: '1' as never })).toThrow(/options.minScore: expected a number, got '1'/);
    expect(() => topK(g, g, 4, 1, { minScore: NaN })).toThrow(RangeError);
  });

  it('minScore: rows scoring below it never come back (index -1, score -Infinity), for k = 1, small and large k', () => {
    underEachIsa((isa) => {
      const dim = 7, nq = 3, ng = 900;
      const q = integerRows(nq, dim, 5), g = integerRows(ng, dim, 6);
      g.copyWithin(400 * dim, 0, dim);  // ties row 0
      for (const k of [1, 9, 150, 1000]) {
        for (const minScore of [-Infinity, 0, 10.5, 1e9]) {
          for (const threads of [1, 3]) {
            const got = topK(q, g, dim, k, { metric: 'dot', minScore, threads });
            const want = refTopK(q, g, dim, k, 'dot');
            const tag = `${isa} k=${k} minScore=${minScore} threads=${threads}`;
            for (let i = 0; i < nq; i++) {
              const keep = want.scores[i].filter((s) => s >= minScore).length;
              const pad = (v: number) => Array.from({ length: got.k - keep }, () => v);
              expect(rows(got.indices, got.k)[i], tag).toEqual([...want.indices[i].slice(0, keep), ...pad(-1)]);
              expect(rows(got.scores, got.k)[i], tag).toEqual([...want.scores[i].slice(0, keep), ...pad(-Infinity)]);
            }
          }
        }
      }
    });
  });
});
