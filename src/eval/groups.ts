// Per-group breakdown for bias reports: every verification metric per group, and how far apart
// the groups' error rates are at one shared threshold (the worst-to-best FMR and FNMR ratios of
// NIST's demographic-effects reports).

import { verificationMetrics, type VerificationMetrics, type VerificationOptions } from './metrics.js';
import { checkPairs, checkStrings, checkSameLength, describeValue, type SameLabels, type Scores } from './validate.js';

export interface GroupMetrics {
  group: string;
  pairs: number;
  positives: number;
  negatives: number;
  /** False match rate at the shared threshold (impostors accepted / impostors); null without impostors. */
  fmr: number | null;
  /** False non-match rate at the shared threshold (genuine rejected / genuine); null without genuine pairs. */
  fnmr: number | null;
  /** Every verification metric of the group, or null (with reason) when it lacks a class. */
  metrics: VerificationMetrics | null;
  reason?: string;
}

export interface RateSpread {
  worst: { group: string; value: number } | null;
  best: { group: string; value: number } | null;
  /** worst / best; 1 when both are 0; null (with reason) when only the best is 0 or no group has the rate. */
  ratio: number | null;
  reason?: string;
}

export interface GroupBreakdown {
  threshold: number;
  groups: GroupMetrics[];
  fmr: RateSpread;
  fnmr: RateSpread;
}

export interface GroupOptions extends VerificationOptions {
  /** The one threshold (accept score >= threshold) at which FMR and FNMR are compared. */
  threshold: number;
}

function spread(groups: GroupMetrics[], key: 'fmr' | 'fnmr'): RateSpread {
  let worst: { group: string; value: number } | null = null;
  let best: { group: string; value: number } | null = null;
  for (const g of groups) {
    const value = g[key];
    if (value === null) continue;
    if (!worst || value > worst.value) worst = { group: g.group, value };
    if (!best || value < best.value) best = { group: g.group, value };
  }
  if (!worst || !best) return { worst, best, ratio: null, reason: `no group has a defined ${key.toUpperCase()}` };
  if (best.value === 0) {
    return worst.value === 0
      ? { worst, best, ratio: 1 }
      : { worst, best, ratio: null, reason: `best group ${JSON.stringify(best.group)} has ${key.toUpperCase()} 0, so the ratio is unbounded` };
  }
  return { worst, best, ratio: worst.value / best.value };
}

/**
 * Splits (scores, same) by `groups` (one label per pair, e.g. a demographic attribute), computes
 * every verification metric per group, FMR/FNMR per group at `options.threshold`, and the
 * worst/best ratio of each. Groups come out in order of first appearance.
 */
export function groupBreakdown(scores: Scores, same: SameLabels, groups: readonly string[], options: GroupOptions): GroupBreakdown {
  const v = checkPairs(scores, same, false);
  const labels = checkStrings(groups, 'groups');
  checkSameLength('scores', v.scores, 'groups', labels);
  if (options === null || typeof options !== 'object') throw new TypeError(`options: expected { threshold }, got ${describeValue(options)}`);
  const { threshold } = options;
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new TypeError(`options.threshold: expected a number, got ${describeValue(threshold)}`);
  }
  const members = new Map<string, number[]>();
  labels.forEach((g, i) => {
    let list = members.get(g);
    if (!list) members.set(g, (list = []));
    list.push(i);
  });
  const out: GroupMetrics[] = [];
  for (const [group, idx] of members) {
    const s = Float64Array.from(idx, (i) => v.scores[i]);
    const y = Uint8Array.from(idx, (i) => v.same[i]);
    let positives = 0;
    let falseMatches = 0;
    let falseNonMatches = 0;
    for (let i = 0; i < s.length; i++) {
      positives += y[i];
      if (y[i] && s[i] < threshold) falseNonMatches++;
      if (!y[i] && s[i] >= threshold) falseMatches++;
    }
    const negatives = s.length - positives;
    const g: GroupMetrics = {
      group,
      pairs: s.length,
      positives,
      negatives,
      fmr: negatives > 0 ? falseMatches / negatives : null,
      fnmr: positives > 0 ? falseNonMatches / positives : null,
      metrics: null,
    };
    if (positives > 0 && negatives > 0) g.metrics = verificationMetrics(s, y, options);
    else g.reason = `needs genuine and impostor pairs, got ${positives} genuine and ${negatives} impostor`;
    out.push(g);
  }
  return { threshold, groups: out, fmr: spread(out, 'fmr'), fnmr: spread(out, 'fnmr') };
}
