import { describe, expect, it } from 'vitest';
import { cmc, rankProbes, tpirAtFpir } from '../../src/eval/identification.js';

describe('cmc', () => {
  // Gallery A, B, C; rows are probes.
  const input = {
    galleryIds: ['A', 'B', 'C'],
    probeIds: ['A', 'B', 'C', 'A'],
    scores: [
      0.9, 0.5, 0.1, // A first: rank 1
      0.8, 0.6, 0.7, // B behind A and C: rank 3
      0.5, 0.5, 0.5, // C tied with both: rank 1, 2 or 3 with probability 1/3 each
      0.7, 0.7, 0.2, // A tied with B for first: rank 1 or 2, one half each
    ],
  };

  it('counts ties as the probability of each place (hand-computed)', () => {
    const got = cmc(input);
    expect(got).toHaveLength(3);
    expect(got[0]).toBeCloseTo((1 + 0 + 1 / 3 + 1 / 2) / 4, 15);
    expect(got[1]).toBeCloseTo((1 + 0 + 2 / 3 + 1) / 4, 15);
    expect(got[2]).toBe(1);
  });

  it('extends to any maxRank and takes an identity\'s best gallery entry', () => {
    expect([...cmc(input, 5)].slice(2)).toEqual([1, 1, 1]);
    const multi = { galleryIds: ['A', 'B', 'A'], probeIds: ['A', 'B'], scores: Float32Array.from([0.25, 0.5, 0.75, 0.5, 0.25, 0.75]) };
    // Probe A: its second entry 0.75 beats B's 0.5. Probe B: A's best (0.75) beats B's 0.25.
    expect([...cmc(multi)]).toEqual([0.5, 1]);
    expect(rankProbes(multi).identities).toBe(2);
  });

  it('is 1 at rank 1 for a perfect gallery', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const scores = ids.flatMap((p) => ids.map((g) => (p === g ? 1 : 0)));
    expect([...cmc({ probeIds: ids, galleryIds: ids, scores })]).toEqual([1, 1, 1, 1]);
  });

  it('rejects probes outside the gallery and malformed input', () => {
    expect(() => cmc({ galleryIds: ['A'], probeIds: ['Z'], scores: [0.5] })).toThrow(
      new RangeError('probeIds[0]: expected an identity enrolled in galleryIds (closed set), got "Z"'),
    );
    expect(() => cmc({ galleryIds: ['A', 'B'], probeIds: ['A'], scores: [0.5] })).toThrow(
      new RangeError('scores: expected probeIds.length x galleryIds.length = 1 x 2 = 2 values, got 1'),
    );
    expect(() => cmc({ galleryIds: ['A'], probeIds: [3 as unknown as string], scores: [0.5] })).toThrow(
      new TypeError('probeIds[0]: expected a string, got number 3'),
    );
    expect(() => cmc({ galleryIds: [], probeIds: [], scores: [] })).toThrow(RangeError);
    expect(() => cmc({ galleryIds: ['A'], probeIds: ['A'], scores: [NaN] })).toThrow(RangeError);
    expect(() => cmc(input, 0)).toThrow(new RangeError('maxRank: expected an integer >= 1, got 0'));
  });
});

describe('tpirAtFpir', () => {
  const galleryIds = ['A', 'B'];
  const mated = [
    ['A', 0.9, 0.1], // found at rank 1, score 0.9
    ['B', 0.3, 0.6], // found at rank 1, score 0.6
    ['A', 0.4, 0.5], // A only second: a miss at rank 1, a hit at rank 2 (score 0.4)
  ] as const;
  // Ten unenrolled probes; their top scores: 0.7 0.55 0.5 0.45 0.3 0.2 0.2 0.1 0.1 0.
  const tops = [0.7, 0.55, 0.5, 0.45, 0.3, 0.2, 0.2, 0.1, 0.1, 0];
  const input = {
    galleryIds,
    probeIds: [...mated.map((m) => m[0]), ...tops.map((_, i) => `X${i}`)],
    scores: [...mated.flatMap((m) => [m[1], m[2]]), ...tops.flatMap((t) => [t, t / 2])],
  };

  it('sets the threshold on the non-mated top scores (hand-computed)', () => {
    // FPIR 0.1 lets one of ten pass (0.7): threshold = lowest mated score above 0.55 = 0.6.
    // FPIR 0.5 lets five pass: threshold = lowest found mated score above 0.2.
    expect(tpirAtFpir(input, { targets: [0.1, 0.01, 0.5] })).toEqual([
      { fpir: 0.1, tpir: 2 / 3, threshold: 0.6, achievedFpir: 0.1 },
      { fpir: 0.01, tpir: null, threshold: null, achievedFpir: null, reason: 'not enough non-mated probes: need >= 100, got 10' },
      { fpir: 0.5, tpir: 2 / 3, threshold: 0.6, achievedFpir: 0.1 },
    ]);
    expect(tpirAtFpir(input, { targets: [0.5], rank: 2 })).toEqual([{ fpir: 0.5, tpir: 1, threshold: 0.4, achievedFpir: 0.4 }]);
  });

  it('uses 1e-1, 1e-2, 1e-3 by default', () => {
    expect(tpirAtFpir(input).map((r) => r.fpir)).toEqual([1e-1, 1e-2, 1e-3]);
  });

  it('needs mated and non-mated probes', () => {
    expect(() => tpirAtFpir({ galleryIds, probeIds: ['A'], scores: [1, 0] })).toThrow(
      new RangeError('probeIds: expected at least one enrolled (mated) and one unenrolled (non-mated) probe, got 1 mated and 0 non-mated'),
    );
    expect(() => tpirAtFpir(input, { rank: 0 })).toThrow(RangeError);
    expect(() => tpirAtFpir(input, { targets: [2] })).toThrow(RangeError);
  });
});
