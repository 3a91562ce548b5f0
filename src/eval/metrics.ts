// One call for every verification metric, and the public surface of src/eval's metric files.

import { kFoldFromValidated, bestAccuracyFromValidated, type FoldAssignment, type KFoldAccuracy, type ThresholdAccuracy } from './accuracy.js';
import { DEFAULT_FAR_TARGETS, operatingPoint, type TarAtFar } from './operating-point.js';
import { aucOf, eerOf, rocFromValidated, type EqualErrorRate, type RocCurve } from './roc.js';
import { orderDescending } from './sort.js';
import { checkPairs, checkRate, type SameLabels, type Scores } from './validate.js';

export interface VerificationOptions {
  /** FAR targets for TAR@FAR (default 1e-1, 1e-2, 1e-3, 1e-4). */
  farTargets?: readonly number[];
  /** k of the k-fold protocol (default 10). */
  folds?: number;
  assignment?: FoldAssignment;
}

export interface VerificationMetrics {
  pairs: number;
  positives: number;
  negatives: number;
  auc: number;
  eer: EqualErrorRate;
  tarAtFar: TarAtFar[];
  bestAccuracy: ThresholdAccuracy;
  /** LFW-protocol accuracy, or null (with kFoldReason) when there are fewer pairs than folds. */
  kFold: KFoldAccuracy | null;
  kFoldReason?: string;
  roc: RocCurve;
}

/** Every verification metric of (scores, same); needs at least one genuine and one impostor pair. */
export function verificationMetrics(scores: Scores, same: SameLabels, options: VerificationOptions = {}): VerificationMetrics {
  const v = checkPairs(scores, same);
  const targets = options.farTargets ?? DEFAULT_FAR_TARGETS;
  if (!Array.isArray(targets)) throw new TypeError(`farTargets: expected an array of rates in (0, 1], got ${typeof targets}`);
  targets.forEach((t, i) => checkRate(t, `farTargets[${i}]`));
  // One sort serves the ROC, TAR@FAR, best accuracy and every k-fold training set.
  const order = orderDescending(v.scores);
  const roc = rocFromValidated(v.scores, v.same, v.positives, v.negatives, order);
  const posScores = new Float64Array(v.positives);
  const negDesc = new Float64Array(v.negatives);
  for (let k = 0, p = 0, q = 0; k < order.length; k++) {
    const i = order[k];
    if (v.same[i]) posScores[p++] = v.scores[i];
    else negDesc[q++] = v.scores[i];
  }
  const tarAtFar = targets.map((t) => operatingPoint(t, negDesc, posScores, null, v.positives));

  const folds = options.folds ?? 10;
  let kFold: KFoldAccuracy | null = null;
  let kFoldReason: string | undefined;
  if (typeof folds === 'number' && Number.isInteger(folds) && folds >= 2 && v.scores.length < folds) {
    kFoldReason = `not enough pairs for ${folds} folds: got ${v.scores.length}`;
  } else {
    kFold = kFoldFromValidated(v.scores, v.same, { folds, assignment: options.assignment }, order);
  }
  const out: VerificationMetrics = {
    pairs: v.scores.length,
    positives: v.positives,
    negatives: v.negatives,
    auc: aucOf(roc),
    eer: eerOf(roc),
    tarAtFar,
    bestAccuracy: bestAccuracyFromValidated(v.scores, v.same, order),
    kFold,
    roc,
  };
  if (kFoldReason) out.kFoldReason = kFoldReason;
  return out;
}

export * from './roc.js';
export * from './operating-point.js';
export * from './accuracy.js';
export * from './identification.js';
export type { Scores, SameLabels } from './validate.js';
