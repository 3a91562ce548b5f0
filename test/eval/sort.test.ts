import { describe, expect, it } from 'vitest';
import { orderDescending } from '../../src/eval/sort.js';
import { rng } from './reference.js';

const reference = (s: Float64Array) => Array.from(s.keys()).sort((a, b) => s[b] - s[a] || a - b);

describe('orderDescending', () => {
  it('sorts by descending score, ties in index order', () => {
    expect([...orderDescending(Float64Array.from([0.5, 1, 0.5, -2, 1, 0.5]))]).toEqual([1, 4, 0, 2, 5, 3]);
    expect([...orderDescending(new Float64Array(0))]).toEqual([]);
    expect([...orderDescending(Float64Array.from([7]))]).toEqual([0]);
    // -0 and 0 are one tie group, as everywhere else (===).
    expect([...orderDescending(Float64Array.from([0, -0, 0]))]).toEqual([0, 1, 2]);
  });

  it('matches a comparator sort on random scores with many and few ties', () => {
    const r = rng(17);
    for (const n of [2, 3, 10, 257, 5000]) {
      for (const levels of [1, 2, 7, 0]) {
        const s = Float64Array.from({ length: n }, () => (levels ? Math.floor(r() * levels) - 3 : r() * 2 - 1));
        expect([...orderDescending(s)]).toEqual(reference(s));
      }
    }
  });
});
