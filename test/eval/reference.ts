// Plain brute-force references for the verification metrics: O(P*N) and O(n^2), no cleverness.

export { rng } from '../helpers/random.js';

export function refAuc(scores: number[], same: number[]): number {
  let u = 0;
  let pn = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!same[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (same[j]) continue;
      pn++;
      if (scores[i] > scores[j]) u += 1;
      else if (scores[i] === scores[j]) u += 0.5;
    }
  }
  return u / pn;
}

/** Every candidate threshold: +Infinity and each distinct score. */
export function candidates(scores: number[]): number[] {
  return [Infinity, ...[...new Set(scores)].sort((a, b) => b - a)];
}

export function rates(scores: number[], same: number[], t: number): { far: number; tar: number; acc: number } {
  let p = 0, n = 0, tp = 0, fp = 0;
  for (let i = 0; i < scores.length; i++) {
    const accept = scores[i] >= t;
    if (same[i]) { p++; if (accept) tp++; } else { n++; if (accept) fp++; }
  }
  return { far: fp / n, tar: tp / p, acc: (tp + n - fp) / scores.length };
}

/** Max TAR over thresholds with FAR <= f, and the highest threshold reaching it. */
export function refTarAtFar(scores: number[], same: number[], f: number): { tar: number; threshold: number } {
  let best = { tar: -1, threshold: Infinity };
  for (const t of candidates(scores)) {
    const r = rates(scores, same, t);
    if (r.far <= f + 1e-12 && r.tar > best.tar) best = { tar: r.tar, threshold: t };
  }
  return best;
}

export function refBestAccuracy(scores: number[], same: number[]): number {
  let best = 0;
  for (const t of candidates(scores)) best = Math.max(best, rates(scores, same, t).acc);
  return best;
}
