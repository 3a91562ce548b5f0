// Best-threshold accuracy and the LFW k-fold protocol.

import { orderDescending } from './sort.js';
import { checkPairs, checkPositiveInt, describeValue, type SameLabels, type Scores } from './validate.js';

export interface ThresholdAccuracy {
  /** Fraction of pairs decided right (score >= threshold <=> same). */
  accuracy: number;
  /** Accept score >= threshold. Infinity = accept nothing. */
  threshold: number;
  correct: number;
  total: number;
}

/**
 * Best accuracy over all thresholds, from validated arrays (either class may be absent).
 * Among equally good cuts the strictest (highest) one wins. The cut lies between two adjacent
 * distinct scores; the threshold reported is their midpoint, so that a held-out pair falling
 * between them is decided by the nearer side (when the midpoint rounds onto the lower score,
 * the upper score itself is used). Cutting above the top score gives Infinity; below the
 * lowest score, the lowest score.
 * `order` is the descending order of `scores`; pairs with foldOf[i] === heldOut are ignored
 * (k-fold reuses one sort for every training set).
 */
export function bestAccuracyFromValidated(
  scores: Float64Array,
  same: Uint8Array,
  order: Uint32Array = orderDescending(scores),
  foldOf?: Uint32Array,
  heldOut = -1,
): ThresholdAccuracy {
  const skip = (i: number) => foldOf !== undefined && foldOf[i] === heldOut;
  let n = 0;
  let negatives = 0;
  for (let k = 0; k < order.length; k++) {
    if (skip(order[k])) continue;
    n++;
    negatives += same[order[k]] ? 0 : 1;
  }
  if (n === 0) throw new RangeError('scores: expected at least one pair, got 0');
  // Accept nothing: every impostor is right.
  let bestCorrect = negatives;
  let correct = negatives;
  let bestHi = Infinity; // lowest accepted score of the best cut
  let bestLo = -Infinity; // highest rejected score of the best cut
  let needLo = false;
  for (let k = 0; k < order.length; ) {
    if (skip(order[k])) {
      k++;
      continue;
    }
    const t = scores[order[k]];
    if (needLo) {
      bestLo = t;
      needLo = false;
    }
    for (; k < order.length && scores[order[k]] === t; k++) if (!skip(order[k])) correct += same[order[k]] ? 1 : -1;
    if (correct > bestCorrect) {
      bestCorrect = correct;
      bestHi = t;
      bestLo = -Infinity;
      needLo = true;
    }
  }
  let threshold: number;
  if (bestHi === Infinity || bestLo === -Infinity) threshold = bestHi;
  else {
    const mid = bestHi / 2 + bestLo / 2;
    threshold = mid > bestLo ? mid : bestHi;
  }
  return { accuracy: bestCorrect / n, threshold, correct: bestCorrect, total: n };
}

/** Best-threshold accuracy of (scores, same); see bestAccuracyFromValidated for the tie rules. */
export function bestAccuracy(scores: Scores, same: SameLabels): ThresholdAccuracy {
  const v = checkPairs(scores, same, false);
  return bestAccuracyFromValidated(v.scores, v.same);
}

/** Accuracy of a fixed threshold (accept score >= threshold). */
export function accuracyAt(scores: Scores, same: SameLabels, threshold: number): number {
  const v = checkPairs(scores, same, false);
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new TypeError(`threshold: expected a number, got ${describeValue(threshold)}`);
  }
  if (v.scores.length === 0) throw new RangeError('scores: expected at least one pair, got 0');
  let correct = 0;
  for (let i = 0; i < v.scores.length; i++) correct += (v.scores[i] >= threshold ? 1 : 0) === v.same[i] ? 1 : 0;
  return correct / v.scores.length;
}

/**
 * How pairs are dealt into folds.
 * - 'contiguous' (default): consecutive blocks in input order, the first n % k folds one pair
 *   longer — the split of sklearn's KFold(shuffle=False) used by facenet and insightface, and on
 *   LFW's pairs list (10 x 600, fold order preserved) exactly the official 10 folds.
 * - 'interleaved': pair i goes to fold i % k (mixes lists that are sorted by label).
 * - an array: the fold index (0..k-1) of every pair.
 */
export type FoldAssignment = 'contiguous' | 'interleaved' | ArrayLike<number>;

export interface KFoldOptions {
  /** Number of folds (default 10). */
  folds?: number;
  assignment?: FoldAssignment;
}

export interface FoldResult {
  fold: number;
  /** Threshold chosen on the other folds (best accuracy there). */
  threshold: number;
  /** Accuracy of that threshold on this fold. */
  accuracy: number;
  size: number;
}

export interface KFoldAccuracy {
  folds: FoldResult[];
  mean: number;
  /** Population standard deviation (ddof = 0, as numpy's np.std in the LFW scripts). */
  std: number;
}

export function foldIndices(n: number, k: number, assignment: FoldAssignment = 'contiguous'): Uint32Array {
  const fold = new Uint32Array(n);
  if (assignment === 'contiguous') {
    const base = Math.floor(n / k);
    const extra = n % k;
    let i = 0;
    for (let f = 0; f < k; f++) {
      const size = base + (f < extra ? 1 : 0);
      for (let j = 0; j < size; j++) fold[i++] = f;
    }
  } else if (assignment === 'interleaved') {
    for (let i = 0; i < n; i++) fold[i] = i % k;
  } else if (typeof assignment === 'object' && assignment !== null && typeof assignment.length === 'number') {
    if (assignment.length !== n) {
      throw new RangeError(`assignment: expected one fold index per pair (${n}), got length ${assignment.length}`);
    }
    for (let i = 0; i < n; i++) {
      const f = assignment[i];
      if (typeof f !== 'number') throw new TypeError(`assignment[${i}]: expected an integer fold index, got ${describeValue(f)}`);
      if (!Number.isInteger(f) || f < 0 || f >= k) throw new RangeError(`assignment[${i}]: expected an integer in [0, ${k - 1}], got ${f}`);
      fold[i] = f;
    }
  } else {
    throw new TypeError(`assignment: expected 'contiguous', 'interleaved' or an array of fold indices, got ${describeValue(assignment)}`);
  }
  return fold;
}

/**
 * LFW protocol: for each fold, pick the best-accuracy threshold on the other k - 1 folds and
 * measure accuracy with it on this fold; report every fold, the mean and the std.
 */
export function kFoldAccuracy(scores: Scores, same: SameLabels, options: KFoldOptions = {}): KFoldAccuracy {
  const v = checkPairs(scores, same, false);
  return kFoldFromValidated(v.scores, v.same, options);
}

/** kFoldAccuracy on validated arrays; `order` (descending) is computed when not given. */
export function kFoldFromValidated(scores: Float64Array, same: Uint8Array, options: KFoldOptions = {}, order?: Uint32Array): KFoldAccuracy {
  const k = checkPositiveInt(options.folds ?? 10, 'folds', 2);
  const n = scores.length;
  if (n < k) throw new RangeError(`scores: expected at least as many pairs as folds (${k}), got ${n}`);
  const fold = foldIndices(n, k, options.assignment);
  const sizes = new Uint32Array(k);
  for (let i = 0; i < n; i++) sizes[fold[i]]++;
  const empty = sizes.indexOf(0);
  if (empty >= 0) throw new RangeError(`assignment: expected every fold 0..${k - 1} to hold a pair, got none in fold ${empty}`);
  order ??= orderDescending(scores);

  const results: FoldResult[] = [];
  for (let f = 0; f < k; f++) {
    const { threshold } = bestAccuracyFromValidated(scores, same, order, fold, f);
    let correct = 0;
    for (let i = 0; i < n; i++) {
      if (fold[i] !== f) continue;
      correct += (scores[i] >= threshold ? 1 : 0) === same[i] ? 1 : 0;
    }
    results.push({ fold: f, threshold, accuracy: correct / sizes[f], size: sizes[f] });
  }
  let mean = 0;
  for (const r of results) mean += r.accuracy;
  mean /= k;
  let variance = 0;
  for (const r of results) variance += (r.accuracy - mean) ** 2;
  return { folds: results, mean, std: Math.sqrt(variance / k) };
}
