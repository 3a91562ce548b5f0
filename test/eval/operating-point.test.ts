import { describe, expect, it } from 'vitest';
import { minNegativesFor, tarAtFar, thresholdAtFar } from '../../src/eval/operating-point.js';
import { rates, refTarAtFar, rng } from './reference.js';

const TIED_SCORES = [0.875, 0.75, 0.75, 0.625, 0.5, 0.5];
const TIED_SAME = [1, 1, 0, 1, 0, 0];

describe('tarAtFar', () => {
  it('refuses targets the set is too small for, with a reason', () => {
    expect(tarAtFar(TIED_SCORES, TIED_SAME)).toEqual([
      { far: 1e-1, tar: null, threshold: null, achievedFar: null, reason: 'not enough negatives: need >= 10, got 3' },
      { far: 1e-2, tar: null, threshold: null, achievedFar: null, reason: 'not enough negatives: need >= 100, got 3' },
      { far: 1e-3, tar: null, threshold: null, achievedFar: null, reason: 'not enough negatives: need >= 1000, got 3' },
      { far: 1e-4, tar: null, threshold: null, achievedFar: null, reason: 'not enough negatives: need >= 10000, got 3' },
    ]);
  });

  it('takes the best TAR within the target at the strictest threshold reaching it (no interpolation)', () => {
    // Impostors 0.75, 0.5, 0.5: one false accept (1/3) fits FAR 0.5; the lowest genuine score above
    // the second impostor is 0.625, which accepts every genuine pair. At FAR 1 the same threshold
    // already reaches TAR 1, so nothing looser is taken.
    expect(tarAtFar(TIED_SCORES, TIED_SAME, [0.5, 1 / 3, 1])).toEqual([
      { far: 0.5, tar: 1, threshold: 0.625, achievedFar: 1 / 3 },
      { far: 1 / 3, tar: 1, threshold: 0.625, achievedFar: 1 / 3 },
      { far: 1, tar: 1, threshold: 0.625, achievedFar: 1 / 3 },
    ]);
  });

  it('rejects everything when tied impostors at the top exceed the target', () => {
    const scores = [1, 1, 0.5, 0.25, 0.25, 0.25];
    const same = [0, 0, 1, 0, 0, 0];
    // Target 0.25 allows 1 of 5 impostors, but two tie at the top: only "accept nothing" fits.
    expect(tarAtFar(scores, same, [0.25])).toEqual([{ far: 0.25, tar: 0, threshold: Infinity, achievedFar: 0 }]);
    expect(tarAtFar(scores, same, [0.4])).toEqual([{ far: 0.4, tar: 1, threshold: 0.5, achievedFar: 0.4 }]);
  });

  it('reaches TAR 1 at FAR 0 for a perfect scorer', () => {
    const scores = Array.from({ length: 20 }, (_, i) => i);
    const same = scores.map((s) => (s >= 10 ? 1 : 0));
    expect(tarAtFar(scores, same, [0.1])).toEqual([{ far: 0.1, tar: 1, threshold: 10, achievedFar: 0 }]);
  });

  it('matches a brute-force search over every threshold on random scorers', () => {
    const r = rng(5);
    for (const n of [20, 101, 1000]) {
      for (const levels of [5, 0]) {
        const scores = Array.from({ length: n }, () => (levels ? Math.floor(r() * levels) : r()));
        const same = Array.from({ length: n }, (_, i) => (i < 2 ? i : r() < 0.2 ? 1 : 0));
        for (const f of [0.5, 0.29, 0.1, 0.07, 0.01]) {
          const [got] = tarAtFar(scores, same, [f]);
          const negatives = same.filter((y) => y === 0).length;
          if (negatives < minNegativesFor(f)) {
            expect(got.tar).toBeNull();
            continue;
          }
          const ref = refTarAtFar(scores, same, f);
          expect(got.tar).toBe(ref.tar);
          expect(got.threshold).toBe(ref.threshold);
          expect(got.achievedFar).toBe(rates(scores, same, got.threshold!).far);
        }
      }
    }
  });
});

describe('thresholdAtFar', () => {
  it('returns the calibration threshold for one target', () => {
    const scores = Array.from({ length: 200 }, (_, i) => i / 4);
    const same = scores.map((_, i) => (i % 2 ? 1 : 0));
    // 100 impostors at 0, 0.5, ..., 49.5; FAR 1e-2 lets one pass: the top one (49.5); the lowest
    // genuine score above the second impostor (49) is 49.25.
    expect(thresholdAtFar(scores, same, 1e-2)).toEqual({ far: 1e-2, tar: 2 / 100, threshold: 49.25, achievedFar: 1e-2 });
    expect(thresholdAtFar(scores, same, 1e-3).reason).toBe('not enough negatives: need >= 1000, got 100');
  });

  it('checks the target', () => {
    expect(() => thresholdAtFar([1, 0], [1, 0], 0)).toThrow(new RangeError('far: expected a number in (0, 1], got 0'));
    expect(() => thresholdAtFar([1, 0], [1, 0], 1.5)).toThrow(RangeError);
    expect(() => thresholdAtFar([1, 0], [1, 0], '0.1' as unknown as number)).toThrow(TypeError);
    expect(() => tarAtFar([1, 0], [1, 0], [0.1, -1])).toThrow(new RangeError('targets[1]: expected a number in (0, 1], got -1'));
  });
});
