import { describe, expect, it } from 'vitest';
import { auc, eer, kFoldAccuracy, tarAtFar, verificationMetrics, bestAccuracy } from '../../src/eval/metrics.js';
import { rng } from './reference.js';

describe('verificationMetrics', () => {
  it('agrees with the single-metric functions', () => {
    const r = rng(21);
    const n = 3000;
    const same = Array.from({ length: n }, () => (r() < 0.3 ? 1 : 0));
    const scores = same.map((y) => Math.round((r() + y * 0.6) * 100) / 100);
    const m = verificationMetrics(scores, same);
    expect(m.pairs).toBe(n);
    expect(m.positives + m.negatives).toBe(n);
    expect(m.auc).toBe(auc(scores, same));
    expect(m.eer).toEqual(eer(scores, same));
    expect(m.tarAtFar).toEqual(tarAtFar(scores, same));
    expect(m.bestAccuracy).toEqual(bestAccuracy(scores, same));
    expect(m.kFold).toEqual(kFoldAccuracy(scores, same));
    // ~2100 impostors support 1e-1, 1e-2 and 1e-3 but not 1e-4.
    expect(m.tarAtFar.map((t) => t.tar === null)).toEqual([false, false, false, true]);
  });

  it('skips k-fold with a reason when there are fewer pairs than folds', () => {
    const m = verificationMetrics([1, 0.5, 0], [1, 0, 0]);
    expect(m.kFold).toBeNull();
    expect(m.kFoldReason).toBe('not enough pairs for 10 folds: got 3');
    expect(m.auc).toBe(1);
  });

  it('checks its options', () => {
    expect(() => verificationMetrics([1, 0], [1, 0], { farTargets: [0] })).toThrow(new RangeError('farTargets[0]: expected a number in (0, 1], got 0'));
    expect(() => verificationMetrics([1, 0], [1, 0], { folds: 1 })).toThrow(RangeError);
  });
});
