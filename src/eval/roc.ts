// ROC curve, AUC and EER for verification scores.
// Convention everywhere in src/eval: a pair is accepted ("same person") when score >= threshold.

import { orderDescending } from './sort.js';
import { checkPairs, type SameLabels, type Scores } from './validate.js';

export { orderDescending };

/**
 * Operating points of every distinct threshold, strictest first.
 * Point 0 is threshold +Infinity (accept nothing: FAR = TAR = 0); point i > 0 accepts every
 * pair whose score >= thresholds[i], the i-th highest distinct score. The last point accepts
 * everything (FAR = TAR = 1). Tied scores share one point, so ties draw a diagonal segment.
 */
export interface RocCurve {
  thresholds: Float64Array;
  /** False accept rate (FMR) per point: impostor pairs accepted / impostor pairs. */
  far: Float64Array;
  /** True accept rate (1 - FNMR) per point: genuine pairs accepted / genuine pairs. */
  tar: Float64Array;
  /** Impostor pairs accepted per point (exact count). */
  falseAccepts: Uint32Array;
  /** Genuine pairs accepted per point (exact count). */
  trueAccepts: Uint32Array;
  positives: number;
  negatives: number;
  /** Twice the Mann-Whitney U (an integer), so AUC = u2 / (2 P N) is exact up to one division. */
  u2: number;
}

/** ROC from validated arrays; needs at least one pair of each class. */
export function rocFromValidated(
  scores: Float64Array,
  same: Uint8Array,
  positives: number,
  negatives: number,
  order: Uint32Array = orderDescending(scores),
): RocCurve {
  const n = order.length;
  const thresholds: number[] = [Infinity];
  const fa: number[] = [0];
  const ta: number[] = [0];
  let tp = 0;
  let fp = 0;
  let u2 = 0;
  for (let i = 0; i < n; ) {
    const t = scores[order[i]];
    let p = 0;
    let q = 0;
    // One point per distinct score: ties are accepted or rejected together.
    for (; i < n && scores[order[i]] === t; i++) {
      if (same[order[i]] === 1) p++;
      else q++;
    }
    // Each impostor here loses to the tp genuine pairs above it and ties with the p beside it.
    u2 += q * (2 * tp + p);
    tp += p;
    fp += q;
    thresholds.push(t);
    fa.push(fp);
    ta.push(tp);
  }
  const far = new Float64Array(fa.length);
  const tar = new Float64Array(ta.length);
  for (let i = 0; i < fa.length; i++) {
    far[i] = fa[i] / negatives;
    tar[i] = ta[i] / positives;
  }
  return {
    thresholds: Float64Array.from(thresholds),
    far,
    tar,
    falseAccepts: Uint32Array.from(fa),
    trueAccepts: Uint32Array.from(ta),
    positives,
    negatives,
    u2,
  };
}

/** ROC curve of (scores, same). Throws unless both classes are present. */
export function rocCurve(scores: Scores, same: SameLabels): RocCurve {
  const v = checkPairs(scores, same);
  return rocFromValidated(v.scores, v.same, v.positives, v.negatives);
}

/**
 * Area under the ROC curve = P(genuine score > impostor score) + 0.5 P(equal), the
 * Mann-Whitney statistic. Ties count one half exactly (no float rank averaging), which equals
 * the trapezoid area under the curve from rocCurve.
 */
export function auc(scores: Scores, same: SameLabels): number {
  return aucOf(rocCurve(scores, same));
}

export function aucOf(roc: RocCurve): number {
  return roc.u2 / (2 * roc.positives * roc.negatives);
}

export interface EqualErrorRate {
  /** The rate where FAR = FRR on the piecewise-linear ROC. */
  eer: number;
  /** Threshold of the ROC point nearest the crossing (the one where FAR >= FRR on a tie). */
  threshold: number;
  /** FAR and FRR actually achieved at `threshold`. */
  far: number;
  frr: number;
}

/**
 * Equal error rate. Rule: connect consecutive ROC points with straight lines and intersect
 * that curve with FAR = FRR (= 1 - TAR). The crossing is unique because FAR - FRR rises
 * monotonically from -1 (accept nothing) to +1 (accept everything). A perfect scorer gives 0,
 * a constant scorer 0.5, an inverted scorer 1.
 */
export function eerOf(roc: RocCurve): EqualErrorRate {
  const { far, thresholds, falseAccepts, trueAccepts, positives: P, negatives: N } = roc;
  // d = (FAR - FRR) * P * N, an exact integer; d[0] = -PN and d[last] = +PN, so some i >= 1 has d >= 0.
  const d = (i: number) => falseAccepts[i] * P - (P - trueAccepts[i]) * N;
  let i = 1;
  while (d(i) < 0) i++;
  const dHi = d(i);
  const dLo = d(i - 1);
  const eer = dHi === 0 ? far[i] : far[i - 1] + (-dLo / (dHi - dLo)) * (far[i] - far[i - 1]);
  const pick = -dLo < dHi ? i - 1 : i;
  return { eer, threshold: thresholds[pick], far: far[pick], frr: (P - trueAccepts[pick]) / P };
}

export function eer(scores: Scores, same: SameLabels): EqualErrorRate {
  return eerOf(rocCurve(scores, same));
}
