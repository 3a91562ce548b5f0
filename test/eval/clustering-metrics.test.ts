import { describe, expect, it } from 'vitest';
import { clusteringScores } from '../../src/eval/clustering-metrics.js';

// Brute force over all faces and pairs, straight from the definitions.
function reference(truth: (number | string)[], pred: number[]) {
  const n = truth.length;
  const cl = pred.map((p, i) => (p === -1 ? `u${i}` : `c${p}`));
  let bp = 0, br = 0, tp = 0, pp = 0, tpairs = 0;
  for (let i = 0; i < n; i++) {
    let same = 0, inCluster = 0, inClass = 0;
    for (let j = 0; j < n; j++) {
      if (cl[j] === cl[i]) inCluster++;
      if (truth[j] === truth[i]) inClass++;
      if (cl[j] === cl[i] && truth[j] === truth[i]) same++;
      if (j > i) {
        if (cl[j] === cl[i]) pp++;
        if (truth[j] === truth[i]) tpairs++;
        if (cl[j] === cl[i] && truth[j] === truth[i]) tp++;
      }
    }
    bp += same / inCluster;
    br += same / inClass;
  }
  return { bp: bp / n, br: br / n, pp: pp ? tp / pp : 1, pr: tpairs ? tp / tpairs : 1 };
}

describe('clusteringScores', () => {
  it('is 1 for a perfect clustering, whatever the ids', () => {
    const s = clusteringScores(['a', 'a', 'b', 'c', 'c'], [7, 7, 0, 3, 3]);
    expect(s.bcubed).toEqual({ precision: 1, recall: 1, f: 1 });
    expect(s.pairwise).toEqual({ precision: 1, recall: 1, f: 1 });
    expect(s.clusters).toBe(3);
  });

  it('matches a hand-computed case', () => {
    // truth: A A A B B; predicted: 0 0 1 1 -1
    // BCubed precision: faces in cluster 0 (A,A): 1,1; cluster 1 (A,B): 1/2,1/2; singleton: 1 -> 4/5
    // BCubed recall: A faces: 2/3, 2/3, 1/3; B faces: 1/2, 1/2 -> (5/3 + 1)/5 = 8/15
    const s = clusteringScores(['A', 'A', 'A', 'B', 'B'], [0, 0, 1, 1, -1]);
    expect(s.bcubed.precision).toBeCloseTo(4 / 5, 12);
    expect(s.bcubed.recall).toBeCloseTo(8 / 15, 12);
    // Pairs: predicted same {01, 23} -> 1 true of 2; true same {01,02,12,34} -> 1 of 4.
    expect(s.pairwise.precision).toBeCloseTo(1 / 2, 12);
    expect(s.pairwise.recall).toBeCloseTo(1 / 4, 12);
    expect(s.unassigned).toBe(1);
    expect(s.clusters).toBe(3);
  });

  it('equals the brute-force definitions on random labelings (numbers and strings mixed)', () => {
    let seed = 12345;
    const rand = (m: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % m);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + rand(60);
      const truth = Array.from({ length: n }, () => (rand(2) ? rand(6) : `p${rand(6)}`));
      const pred = Array.from({ length: n }, () => rand(8) - 1);
      const s = clusteringScores(truth, pred);
      const r = reference(truth, pred);
      expect(s.bcubed.precision).toBeCloseTo(r.bp, 12);
      expect(s.bcubed.recall).toBeCloseTo(r.br, 12);
      expect(s.pairwise.precision).toBeCloseTo(r.pp, 12);
      expect(s.pairwise.recall).toBeCloseTo(r.pr, 12);
    }
  });

  it('puts every face in one cluster or none: recall 1 / precision 1', () => {
    const truth = [1, 1, 2, 2, 3];
    const all = clusteringScores(truth, [0, 0, 0, 0, 0]);
    expect(all.bcubed.recall).toBe(1);
    expect(all.pairwise.recall).toBe(1);
    const none = clusteringScores(truth, [-1, -1, -1, -1, -1]);
    expect(none.bcubed.precision).toBe(1);
    expect(none.pairwise.recall).toBe(0);
    expect(none.pairwise.f).toBe(0);
  });

  it('refuses bad input with the argument named', () => {
    expect(() => clusteringScores([1, 2], [0])).toThrow(RangeError);
    expect(() => clusteringScores([1, 2], [0, -2])).toThrow(/predicted\[1\]/);
    expect(() => clusteringScores([1], [0.5])).toThrow(RangeError);
    expect(() => clusteringScores(null as never, [])).toThrow(TypeError);
    expect(clusteringScores([], []).bcubed.f).toBe(1);
  });
});
