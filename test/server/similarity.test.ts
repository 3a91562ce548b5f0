// The cosine -> CompreFace similarity map: [0, 1], monotone, threshold -> 0.5, and its inverse.
import { describe, expect, it } from 'vitest';
import { cosineOf, similarityOf } from '../../src/server/similarity.js';

describe('similarityOf', () => {
  it('maps -1, the threshold and 1 to 0, 0.5 and 1, monotone in between', () => {
    for (const t of [0.303, 0.597, -0.2, 0]) {
      expect([similarityOf(-1, t), similarityOf(t, t), similarityOf(1, t)]).toEqual([0, 0.5, 1]);
      let prev = -Infinity;
      for (let c = -1; c <= 1; c += 0.01) {
        const s = similarityOf(c, t);
        expect(s).toBeGreaterThanOrEqual(prev);
        if (Math.abs(c - t) > 1e-3) expect(s >= 0.5).toBe(c > t);
        prev = s;
        expect(cosineOf(s, t)).toBeCloseTo(c, 3);
      }
    }
  });

  it('clamps cosines outside [-1, 1] (float rounding)', () => {
    expect(similarityOf(1.0000001, 0.3)).toBe(1);
    expect(similarityOf(-1.5, 0.3)).toBe(0);
  });
});
