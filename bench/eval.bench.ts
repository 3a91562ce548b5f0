// Cost of the verification metrics at LFW size (6000 pairs) and at a million pairs.
// Run: npx vitest bench --run bench/eval.bench.ts
// No JS peer exists for these metrics (users reach for Python's sklearn); the point of the numbers
// is that a full report on a big pair list costs well under a second.

import { bench, describe } from 'vitest';
import { auc, tarAtFar, verificationMetrics } from '../src/eval/metrics.js';

function pairs(n: number) {
  let a = 12345;
  const r = () => ((a = (a * 1103515245 + 12345) % 2147483648), a / 2147483648);
  const same = new Uint8Array(n);
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    same[i] = i % 2;
    scores[i] = same[i] * 0.4 + r() * 0.6;
  }
  return { scores, same };
}

for (const n of [6000, 1_000_000]) {
  const { scores, same } = pairs(n);
  describe(`${n} pairs`, () => {
    bench('auc', () => {
      auc(scores, same);
    });
    bench('tarAtFar (4 targets)', () => {
      tarAtFar(scores, same);
    });
    bench('verificationMetrics (all, 10-fold)', () => {
      verificationMetrics(scores, same);
    }, { iterations: n > 100_000 ? 3 : 20, warmupIterations: 1 });
  });
}
