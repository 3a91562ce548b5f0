import { describe, expect, it } from 'vitest';
import { similarityMatrix, similarityMatrixAsync } from '../../src/core/similarity.js';
import { integerRows, randomRows } from '../helpers/random.js';
import { refSimilarity } from '../helpers/reference.js';
import { underEachIsa } from '../helpers/isa.js';

const DIMS = [1, 3, 17, 128, 512, 513];

describe('similarityMatrix', () => {
  it('matches a float64 reference for every dim, metric, ISA and thread count', () => {
    underEachIsa((isa) => {
      for (const dim of DIMS) {
        for (const [na, nb] of [[1, 1], [4, 7], [13, 70]]) {
          const a = randomRows(na, dim, dim + na), b = randomRows(nb, dim, 7 * dim + nb);
          for (const metric of ['cosine', 'dot'] as const) {
            for (const threads of [1, 2, 3]) {
              const out = similarityMatrix(a, b, dim, { metric, threads });
              expect(out.length).toBe(na * nb);
              const tol = metric === 'dot' ? 1e-5 * Math.sqrt(dim) : 1e-5;
              for (let i = 0; i < na; i++) {
                for (let j = 0; j < nb; j++) {
                  const want = refSimilarity(a, i, b, j, dim, metric);
                  if (Math.abs(out[i * nb + j] - want) > tol) {
                    throw new Error(`${isa} dim=${dim} ${metric} t=${threads} [${i},${j}]: ${out[i * nb + j]} vs ${want}`);
                  }
                }
              }
            }
          }
        }
      }
    });
  });

  it('gives exact dot products on integer data and 0 (not NaN) for zero vectors', () => {
    const a = integerRows(5, 9, 1);
    a.fill(0, 9, 18); // row 1 is the zero vector
    const out = similarityMatrix(a, a, 9, { metric: 'cosine' });
    for (let j = 0; j < 5; j++) {
      expect(out[1 * 5 + j]).toBe(0);
      expect(out[j * 5 + 1]).toBe(0);
    }
    const dots = similarityMatrix(a, a, 9, { metric: 'dot' });
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(dots[i * 5 + j]).toBe(refSimilarity(a, i, a, j, 9, 'dot'));
  });

  it('handles empty inputs', () => {
    expect(similarityMatrix(new Float32Array(0), randomRows(3, 4, 1), 4).length).toBe(0);
    expect(similarityMatrix(randomRows(3, 4, 1), new Float32Array(0), 4).length).toBe(0);
  });

  it('writes into a caller buffer and uses inputs in place', () => {
    const big = randomRows(10, 8, 2);
    const a = big.subarray(8, 24); // rows 1..2 of a shared buffer (byteOffset != 0)
    const out = new Float32Array(2 * 10);
    const ret = similarityMatrix(a, big, 8, { out });
    expect(ret).toBe(out);
    expect(out[0 * 10 + 1]).toBeCloseTo(1, 6);
    expect(out[1 * 10 + 2]).toBeCloseTo(1, 6);
  });

  it('async gives the same result as sync', async () => {
    const a = randomRows(30, 65, 3), b = randomRows(200, 65, 4);
    const sync = similarityMatrix(a, b, 65);
    const asyncOut = await similarityMatrixAsync(a, b, 65);
    expect(asyncOut).toEqual(sync);
  });

  it('rejects bad input with TypeError / RangeError naming the argument', () => {
    const a = randomRows(2, 4, 1);
    expect(() => similarityMatrix(new Float64Array(8) as unknown as Float32Array, a, 4)).toThrow(TypeError);
    expect(() => similarityMatrix([1, 2, 3, 4] as unknown as Float32Array, a, 4)).toThrow(/a: expected a Float32Array, got Array/);
    expect(() => similarityMatrix(a, a, 0)).toThrow(RangeError);
    expect(() => similarityMatrix(a, a, 3)).toThrow(/a: expected a length that is a multiple of dim \(3\), got 8/);
    expect(() => similarityMatrix(a, randomRows(1, 5, 1), 4)).toThrow(/b: expected a length that is a multiple of dim/);
    expect(() => similarityMatrix(a, a, 4, { metric: 'l2' as 'dot' })).toThrow(/options.metric: expected 'cosine' \| 'dot', got 'l2'/);
    expect(() => similarityMatrix(a, a, 4, { threads: 0 })).toThrow(RangeError);
    expect(() => similarityMatrix(a, a, 4, { out: new Float32Array(3) })).toThrow(/options.out: expected a Float32Array of at least 4 elements, got 3/);
    const bad = a.slice();
    bad[5] = NaN;
    expect(() => similarityMatrix(bad, a, 4)).toThrow(/a: expected finite values, got NaN at index 5 \(row 1, column 1\)/);
    bad[5] = Infinity;
    expect(() => similarityMatrix(a, bad, 4, { metric: 'dot' })).toThrow(/b: expected finite values, got Infinity at index 5/);
    expect(() => similarityMatrix(new Float32Array([1e30, 0]), new Float32Array([1e30, 0]), 2, { metric: 'dot' })).toThrow(/overflow/);
  });
});
