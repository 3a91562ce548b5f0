import { describe, expect, it } from 'vitest';
import { accuracyAt, bestAccuracy, foldIndices, kFoldAccuracy } from '../../src/eval/accuracy.js';
import { refBestAccuracy, rng } from './reference.js';

const TIED_SCORES = [0.875, 0.75, 0.75, 0.625, 0.5, 0.5];
const TIED_SAME = [1, 1, 0, 1, 0, 0];

describe('bestAccuracy', () => {
  it('puts the threshold midway between the two scores around the best cut', () => {
    expect(bestAccuracy(TIED_SCORES, TIED_SAME)).toEqual({ accuracy: 5 / 6, threshold: 0.5625, correct: 5, total: 6 });
  });

  it('handles a perfect scorer, a constant scorer and one class only', () => {
    expect(bestAccuracy([1, 0.75, 0.25, 0], [1, 1, 0, 0]).threshold).toBe(0.5);
    expect(bestAccuracy([1, 0.75, 0.25, 0], [1, 1, 0, 0]).accuracy).toBe(1);
    // All tied: accepting everything is no better than rejecting everything; the stricter cut wins.
    expect(bestAccuracy([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toEqual({ accuracy: 0.5, threshold: Infinity, correct: 2, total: 4 });
    expect(bestAccuracy([0.25, 0.5], [1, 1])).toEqual({ accuracy: 1, threshold: 0.25, correct: 2, total: 2 });
    expect(bestAccuracy([0.25, 0.5], [0, 0])).toEqual({ accuracy: 1, threshold: Infinity, correct: 2, total: 2 });
  });

  it('uses the upper score when the midpoint rounds onto the lower one', () => {
    const lo = 1;
    const hi = 1 + Number.EPSILON;
    expect(bestAccuracy([hi, lo], [1, 0]).threshold).toBe(hi);
  });

  it('matches a brute-force search, and its threshold achieves it', () => {
    const r = rng(9);
    for (const n of [1, 2, 7, 64, 500]) {
      for (const levels of [4, 0]) {
        const scores = Array.from({ length: n }, () => (levels ? Math.floor(r() * levels) : r()));
        const same = Array.from({ length: n }, () => (r() < 0.4 ? 1 : 0));
        const got = bestAccuracy(scores, same);
        expect(got.accuracy).toBe(refBestAccuracy(scores, same));
        expect(accuracyAt(scores, same, got.threshold)).toBe(got.accuracy);
      }
    }
  });

  it('rejects an empty set', () => {
    expect(() => bestAccuracy([], [])).toThrow(new RangeError('scores: expected at least one pair, got 0'));
  });
});

describe('foldIndices', () => {
  it('deals contiguous blocks like sklearn KFold, the first n % k folds one longer', () => {
    expect([...foldIndices(7, 3)]).toEqual([0, 0, 0, 1, 1, 2, 2]);
    expect([...foldIndices(7, 3, 'interleaved')]).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('reproduces the LFW folds of 600 pairs', () => {
    const f = foldIndices(6000, 10);
    expect(f[0]).toBe(0);
    expect(f[599]).toBe(0);
    expect(f[600]).toBe(1);
    expect(f[5999]).toBe(9);
  });

  it('checks an explicit assignment', () => {
    expect([...foldIndices(3, 2, [1, 0, 1])]).toEqual([1, 0, 1]);
    expect(() => foldIndices(3, 2, [1, 0])).toThrow(new RangeError('assignment: expected one fold index per pair (3), got length 2'));
    expect(() => foldIndices(3, 2, [1, 0, 2])).toThrow(new RangeError('assignment[2]: expected an integer in [0, 1], got 2'));
    expect(() => foldIndices(3, 2, 'random' as never)).toThrow(TypeError);
  });
});

describe('kFoldAccuracy', () => {
  it('picks each threshold on the other folds (hand-computed, 3 folds)', () => {
    // Fold 0 = pairs 0,1; its training set (0.75 x, 0.625 v, 0.5 x, 0.5 x) is best rejecting all.
    // Fold 1 = pairs 2,3; training (0.875 v, 0.75 v, 0.5 x, 0.5 x) cuts at 0.625: pair 2 wrong, 3 right.
    // Fold 2 = pairs 4,5; training (0.875 v, 0.75 v, 0.75 x, 0.625 v) accepts all, threshold 0.625.
    const got = kFoldAccuracy(TIED_SCORES, TIED_SAME, { folds: 3 });
    expect(got.folds).toEqual([
      { fold: 0, threshold: Infinity, accuracy: 0, size: 2 },
      { fold: 1, threshold: 0.625, accuracy: 0.5, size: 2 },
      { fold: 2, threshold: 0.625, accuracy: 1, size: 2 },
    ]);
    expect(got.mean).toBe(0.5);
    expect(got.std).toBeCloseTo(Math.sqrt(1 / 6), 15);
  });

  it('gives 1 +- 0 for a perfect scorer and about 0.5 for a random one', () => {
    const r = rng(1);
    const n = 2000;
    const same = Array.from({ length: n }, (_, i) => i % 2);
    const perfect = same.map((y) => y + r() * 0.5);
    expect(kFoldAccuracy(perfect, same)).toMatchObject({ mean: 1, std: 0 });
    const random = same.map(() => r());
    const got = kFoldAccuracy(random, same);
    expect(got.folds).toHaveLength(10);
    expect(Math.abs(got.mean - 0.5)).toBeLessThan(0.05);
  });

  it('chooses each fold\'s threshold exactly as bestAccuracy does on the other folds', () => {
    const r = rng(4);
    const n = 503;
    const scores = Array.from({ length: n }, () => Math.floor(r() * 40) / 8);
    const same = scores.map((s) => (r() * 5 < s ? 1 : 0));
    for (const assignment of ['contiguous', 'interleaved'] as const) {
      const got = kFoldAccuracy(scores, same, { folds: 7, assignment });
      const fold = foldIndices(n, 7, assignment);
      for (const f of got.folds) {
        const train = [...fold.keys()].filter((i) => fold[i] !== f.fold);
        const test = [...fold.keys()].filter((i) => fold[i] === f.fold);
        expect(f.threshold).toBe(bestAccuracy(train.map((i) => scores[i]), train.map((i) => same[i])).threshold);
        expect(f.accuracy).toBe(accuracyAt(test.map((i) => scores[i]), test.map((i) => same[i]), f.threshold));
      }
    }
  });

  it('checks folds against the pair count', () => {
    expect(() => kFoldAccuracy([1, 0], [1, 0])).toThrow(new RangeError('scores: expected at least as many pairs as folds (10), got 2'));
    expect(() => kFoldAccuracy([1, 0], [1, 0], { folds: 1 })).toThrow(new RangeError('folds: expected an integer >= 2, got 1'));
    expect(() => kFoldAccuracy([1, 0, 1], [1, 0, 1], { folds: 2, assignment: [0, 0, 0] })).toThrow(
      new RangeError('assignment: expected every fold 0..1 to hold a pair, got none in fold 1'),
    );
  });
});
