import { describe, expect, it } from 'vitest';
import { auc, eer, rocCurve } from '../../src/eval/roc.js';
import { refAuc, rates, rng } from './reference.js';

// Dyadic scores keep every expected value exact in binary floating point.
const TIED_SCORES = [0.875, 0.75, 0.75, 0.625, 0.5, 0.5];
const TIED_SAME = [1, 1, 0, 1, 0, 0];

describe('rocCurve', () => {
  it('has one point per distinct score, ties sharing a point', () => {
    const roc = rocCurve(TIED_SCORES, TIED_SAME);
    expect([...roc.thresholds]).toEqual([Infinity, 0.875, 0.75, 0.625, 0.5]);
    expect([...roc.falseAccepts]).toEqual([0, 0, 1, 1, 3]);
    expect([...roc.trueAccepts]).toEqual([0, 1, 2, 3, 3]);
    expect([...roc.far]).toEqual([0, 0, 1 / 3, 1 / 3, 1]);
    expect([...roc.tar]).toEqual([0, 1 / 3, 2 / 3, 1, 1]);
  });

  it('accepts typed arrays and booleans', () => {
    const roc = rocCurve(Float32Array.from([0.5, 0.25]), [true, false]);
    expect([...roc.tar]).toEqual([0, 1, 1]);
  });
});

describe('auc', () => {
  it('counts a tie as one half (Mann-Whitney)', () => {
    // 0.875 beats 3; 0.75 ties one and beats two (2.5); 0.625 beats two: 7.5 / 9.
    expect(auc(TIED_SCORES, TIED_SAME)).toBe(5 / 6);
  });

  it('is 1 for a perfect scorer, 0 for an inverted one, 0.5 when all scores are equal', () => {
    expect(auc([1, 0.75, 0.25, 0], [1, 1, 0, 0])).toBe(1);
    expect(auc([0, 0.25, 0.75, 1], [1, 1, 0, 0])).toBe(0);
    expect(auc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBe(0.5);
  });

  it('matches the O(P*N) pair count on random scorers with and without ties', () => {
    const r = rng(7);
    for (const n of [2, 3, 17, 100, 1001]) {
      for (const levels of [3, 1000, 0]) {
        const scores = Array.from({ length: n }, () => (levels ? Math.floor(r() * levels) : r()));
        const same = Array.from({ length: n }, (_, i) => (i < 2 ? i : r() < 0.3 ? 1 : 0));
        expect(auc(scores, same)).toBeCloseTo(refAuc(scores, same), 14);
      }
    }
  });

  it('stays near 0.5 for a random scorer on a large set', () => {
    const r = rng(11);
    const n = 20000;
    const scores = Array.from({ length: n }, () => r());
    const same = Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
    expect(Math.abs(auc(scores, same) - 0.5)).toBeLessThan(0.02);
  });
});

describe('eer', () => {
  it('lands on a ROC point when FAR = FRR there', () => {
    expect(eer(TIED_SCORES, TIED_SAME)).toEqual({ eer: 1 / 3, threshold: 0.75, far: 1 / 3, frr: 1 / 3 });
  });

  it('is 0 for a perfect scorer, 1 for an inverted one and 0.5 for a constant one', () => {
    expect(eer([1, 0.75, 0.25, 0], [1, 1, 0, 0])).toEqual({ eer: 0, threshold: 0.75, far: 0, frr: 0 });
    expect(eer([0, 0.25, 0.75, 1], [1, 1, 0, 0]).eer).toBe(1);
    expect(eer([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toEqual({ eer: 0.5, threshold: 0.5, far: 1, frr: 0 });
  });

  it('interpolates linearly between the two ROC points around the crossing', () => {
    // Points: (0,0) (0,.5) (.5,.5) (.5,1) (1,1); FAR - FRR: -1, -.5, 0 -> EER exactly .5 at point 2.
    expect(eer([4, 3, 2, 1], [1, 0, 1, 0]).eer).toBe(0.5);
    // One genuine (score 2) and two impostors (3, 1): points (0,0) (.5,0) (.5,1) (1,1);
    // d = -1, -.5, .5: the crossing is halfway along the vertical segment at FAR .5.
    const e = eer([3, 2, 1], [0, 1, 0]);
    expect(e.eer).toBe(0.5);
    // |d| ties (-.5 vs .5): the point with FAR >= FRR wins.
    expect(e.threshold).toBe(2);
  });

  it('gives an EER between the FAR and FRR of its threshold on random data', () => {
    const r = rng(3);
    const scores = Array.from({ length: 500 }, () => Math.floor(r() * 50));
    const same = scores.map((s) => (r() * 50 < s ? 1 : 0));
    const e = eer(scores, same);
    const at = rates(scores, same, e.threshold);
    expect(e.far).toBe(at.far);
    expect(e.frr).toBe(1 - at.tar);
    expect(e.eer).toBeGreaterThan(0);
    expect(e.eer).toBeLessThan(0.5);
  });
});

describe('input checks', () => {
  it('names the argument, what was expected and what came', () => {
    expect(() => auc([1, 2], [1])).toThrow(new RangeError('same: expected the same length as scores (2), got length 1'));
    expect(() => auc([1, NaN], [1, 0])).toThrow(new RangeError('scores[1]: expected a finite number, got NaN'));
    expect(() => auc([1, Infinity], [1, 0])).toThrow(RangeError);
    expect(() => auc([1, '2' as unknown as number], [1, 0])).toThrow(new TypeError('scores[1]: expected a number, got string "2"'));
    expect(() => auc([1, 2], [1, 2])).toThrow(new RangeError('same[1]: expected 0 or 1, got 2'));
    expect(() => auc([1, 2], [1, 'yes' as unknown as number])).toThrow(TypeError);
    expect(() => auc(null as unknown as number[], [1])).toThrow(new TypeError('scores: expected an array or typed array of numbers, got null'));
    expect(() => auc('12' as unknown as number[], [1, 0])).toThrow(TypeError);
  });

  it('needs a genuine and an impostor pair', () => {
    expect(() => auc([1, 2], [1, 1])).toThrow(
      new RangeError('same: expected at least one genuine (1) and one impostor (0) pair, got 2 genuine and 0 impostor'),
    );
    expect(() => eer([1, 2], [0, 0])).toThrow(RangeError);
    expect(() => rocCurve([], [])).toThrow(RangeError);
  });
});
