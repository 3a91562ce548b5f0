// TAR at a target FAR and the threshold that delivers it.
//
// Rule (no interpolation): TAR is the highest TAR of any threshold whose empirical FAR <= target,
// and the threshold reported is the strictest one that reaches that TAR (the lowest genuine score
// above the cut), so achievedFar is as small as it can be for that TAR. Interpolating between two
// ROC points would describe a randomised mix of two thresholds, which no single threshold gives.
// A set with fewer than 1/target impostor pairs cannot show one false accept within the target,
// so it reports `tar: null` with a reason instead of a number it cannot support.

import { checkPairs, checkRate, type SameLabels, type Scores } from './validate.js';

/** The standard targets of face verification reports. */
export const DEFAULT_FAR_TARGETS: readonly number[] = [1e-1, 1e-2, 1e-3, 1e-4];

export interface TarAtFar {
  /** The requested target. */
  far: number;
  /** TAR at the operating threshold, or null when the set cannot support the target. */
  tar: number | null;
  /** Accept score >= threshold; Infinity means "accept nothing" (ties at the top exceed the target). */
  threshold: number | null;
  /** FAR the threshold really achieves on this set (<= far). */
  achievedFar: number | null;
  reason?: string;
}

/** Number of impostors needed so that one false accept fits inside `rate`. */
export function minNegativesFor(rate: number): number {
  return Math.ceil(1 / rate - 1e-9);
}

/** How many negatives may pass at `rate`; the epsilon keeps 0.29 * 100 from flooring to 28. */
function allowedFalseAccepts(rate: number, negatives: number): number {
  return Math.floor(rate * negatives + 1e-9);
}

/**
 * Core rule shared by TAR@FAR and TPIR@FPIR. `negativesDesc` holds impostor scores sorted
 * descending; `positiveScores` are genuine scores with a weight (1 for a verification pair, the
 * probability of a rank hit for identification).
 */
export function operatingPoint(
  rate: number,
  negativesDesc: Float64Array,
  positiveScores: Float64Array,
  positiveWeights: Float64Array | null,
  positivesTotal: number,
  negativesName = 'negatives',
): TarAtFar {
  const n = negativesDesc.length;
  const need = minNegativesFor(rate);
  if (n < need) {
    return { far: rate, tar: null, threshold: null, achievedFar: null, reason: `not enough ${negativesName}: need >= ${need}, got ${n}` };
  }
  const allowed = allowedFalseAccepts(rate, n);
  // Any threshold above the (allowed+1)-th highest impostor score keeps FAR within the target.
  const cut = allowed >= n ? -Infinity : negativesDesc[allowed];
  // TAR only rises at genuine scores, so the strictest threshold with the best TAR is the lowest
  // genuine score above the cut (Infinity = accept nothing when none is above it).
  let threshold = Infinity;
  for (let i = 0; i < positiveScores.length; i++) {
    const s = positiveScores[i];
    if (s > cut && s < threshold && (!positiveWeights || positiveWeights[i] > 0)) threshold = s;
  }
  let hits = 0;
  for (let i = 0; i < positiveScores.length; i++) {
    if (positiveScores[i] >= threshold) hits += positiveWeights ? positiveWeights[i] : 1;
  }
  let falseAccepts = 0;
  while (falseAccepts < n && negativesDesc[falseAccepts] >= threshold) falseAccepts++;
  return { far: rate, tar: hits / positivesTotal, threshold, achievedFar: falseAccepts / n };
}

function splitByClass(scores: Float64Array, same: Uint8Array): { pos: Float64Array; negDesc: Float64Array } {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < scores.length; i++) (same[i] ? pos : neg).push(scores[i]);
  const negDesc = Float64Array.from(neg).sort().reverse();
  return { pos: Float64Array.from(pos), negDesc };
}

/** TAR at each target FAR (default 1e-1, 1e-2, 1e-3, 1e-4), by the rule in this file's header. */
export function tarAtFar(scores: Scores, same: SameLabels, targets: readonly number[] = DEFAULT_FAR_TARGETS): TarAtFar[] {
  const v = checkPairs(scores, same);
  if (!Array.isArray(targets)) throw new TypeError(`targets: expected an array of rates in (0, 1], got ${typeof targets}`);
  targets.forEach((t, i) => checkRate(t, `targets[${i}]`));
  const { pos, negDesc } = splitByClass(v.scores, v.same);
  return targets.map((t) => operatingPoint(t, negDesc, pos, null, v.positives));
}

/**
 * The threshold to deploy for a target FAR (calibration): the threshold of TAR@FAR above (best TAR
 * with FAR <= `far` on this set, strictest threshold reaching it). Returns the same record as tarAtFar, with `threshold: null` and a reason
 * when the set has too few impostor pairs.
 */
export function thresholdAtFar(scores: Scores, same: SameLabels, far: number): TarAtFar {
  return tarAtFar(scores, same, [checkRate(far, 'far')])[0];
}
