// One call for every verification metric, and the public surface of src/eval's metric files.

import { kFoldAccuracy, bestAccuracyFromValidated, type FoldAssignment, type KFoldAccuracy, type ThresholdAccuracy } from './accuracy.js';
import { DEFAULT_FAR_TARGETS, operatingPoint, type TarAtFar } from './operating-point.js';
import { aucOf, eerOf, rocFromValidated, type EqualErrorRate, type RocCurve } from './roc.js';
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
  const roc = rocFromValidated(v.scores, v.same, v.positives, v.negatives);

  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < v.scores.length; i++) (v.same[i] ? pos : neg).push(v.scores[i]);
  const negDesc = Float64Array.from(neg).sort().reverse();
  const posScores = Float64Array.from(pos);
  const tarAtFar = targets.map((t) => operatingPoint(t, negDesc, posScores, null, v.positives));

  const folds = options.folds ?? 10;
  let kFold: KFoldAccuracy | null = null;
  let kFoldReason: string | undefined;
  if (typeof folds === 'number' && Number.isInteger(folds) && folds >= 2 && v.scores.length < folds) {
    kFoldReason = `not enough pairs for ${folds} folds: got ${v.scores.length}`;
  } else {
    kFold = kFoldAccuracy(v.scores, v.same, { folds, assignment: options.assignment });
  }
  const out: VerificationMetrics = {
    pairs: v.scores.length,
    positives: v.positives,
    negatives: v.negatives,
    auc: aucOf(roc),
    eer: eerOf(roc),
    tarAtFar,
    bestAccuracy: bestAccuracyFromValidated(v.scores, v.same),
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
