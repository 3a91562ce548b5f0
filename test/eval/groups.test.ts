import { describe, expect, it } from 'vitest';
import { groupBreakdown } from '../../src/eval/groups.js';
import { verificationMetrics } from '../../src/eval/metrics.js';

const rows: [string, number, number][] = [
  ['a', 0.875, 1], ['a', 0.25, 1], ['a', 0.5, 0], ['a', 0.75, 0],
  ['b', 0.875, 1], ['b', 0.625, 1], ['b', 0.5, 0], ['b', 0.375, 0], ['b', 0.25, 0], ['b', 0.125, 0],
  ['c', 0.75, 1],
];
const groups = rows.map((r) => r[0]);
const scores = rows.map((r) => r[1]);
const same = rows.map((r) => r[2]);

describe('groupBreakdown', () => {
  const got = groupBreakdown(scores, same, groups, { threshold: 0.5, farTargets: [0.5], folds: 2 });

  it('reports FMR and FNMR per group at the shared threshold (hand-computed)', () => {
    expect(got.groups.map(({ group, pairs, positives, negatives, fmr, fnmr }) => ({ group, pairs, positives, negatives, fmr, fnmr }))).toEqual([
      { group: 'a', pairs: 4, positives: 2, negatives: 2, fmr: 1, fnmr: 0.5 },
      { group: 'b', pairs: 6, positives: 2, negatives: 4, fmr: 0.25, fnmr: 0 },
      { group: 'c', pairs: 1, positives: 1, negatives: 0, fmr: null, fnmr: 0 },
    ]);
  });

  it('gives worst/best ratios, and no number when the best group has no errors', () => {
    expect(got.fmr).toEqual({ worst: { group: 'a', value: 1 }, best: { group: 'b', value: 0.25 }, ratio: 4 });
    expect(got.fnmr).toEqual({
      worst: { group: 'a', value: 0.5 },
      best: { group: 'b', value: 0 },
      ratio: null,
      reason: 'best group "b" has FNMR 0, so the ratio is unbounded',
    });
  });

  it('computes every metric per group, and says why a group has none', () => {
    const a = got.groups[0].metrics!;
    expect(a).toMatchObject(verificationMetrics([0.875, 0.25, 0.5, 0.75], [1, 1, 0, 0], { farTargets: [0.5], folds: 2 }));
    // 0.875 beats both impostors, 0.25 neither: AUC 2/4.
    expect(a.auc).toBe(0.5);
    expect(got.groups[1].metrics!.auc).toBe(1);
    expect(got.groups[2].metrics).toBeNull();
    expect(got.groups[2].reason).toBe('needs genuine and impostor pairs, got 1 genuine and 0 impostor');
  });

  it('gives ratio 1 when every group is error-free', () => {
    const g = groupBreakdown([1, 0, 1, 0], [1, 0, 1, 0], ['x', 'x', 'y', 'y'], { threshold: 0.5, folds: 2 });
    expect(g.fmr.ratio).toBe(1);
    expect(g.fnmr.ratio).toBe(1);
  });

  it('checks its arguments', () => {
    expect(() => groupBreakdown(scores, same, groups.slice(1), { threshold: 0.5 })).toThrow(
      new RangeError('groups: expected the same length as scores (11), got length 10'),
    );
    expect(() => groupBreakdown(scores, same, groups, {} as never)).toThrow(
      new TypeError('options.threshold: expected a number, got undefined'),
    );
  });
});
