// Partial FC class sampling: keep every class present in the batch, sample the rest uniformly
// (without replacement) up to rate * classes, reproducibly from a seed.
import { assertInteger, describe } from '../core/validate.js';

export interface SampledClasses {
  /** Active class ids, ascending: every positive plus the sampled negatives. */
  activeClasses: Int32Array;
  /** The batch's labels as indices into activeClasses (-1 stays -1). */
  labels: Int32Array;
}

/** splitmix32-style generator: a uint32 seed gives one fixed sequence of floats in [0, 1). */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

/**
 * Picks the classes a Partial FC step computes on: every label of the batch (positives are always
 * kept) plus uniformly sampled negatives, max(positives, round(rate * numClasses)) classes in all.
 * rate = 1 keeps every class (the result then equals the full computation exactly).
 */
export function sampleClasses(labels: Int32Array, numClasses: number, rate: number, seed: number): SampledClasses {
  if (!(labels instanceof Int32Array)) throw new TypeError(`labels: expected an Int32Array, got ${describe(labels)}`);
  assertInteger('numClasses', numClasses, 1, 2 ** 31 - 1);
  if (typeof rate !== 'number') throw new TypeError(`rate: expected a number, got ${describe(rate)}`);
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`rate: expected a number in (0, 1], got ${rate}`);
  assertInteger('seed', seed, 0, 2 ** 32 - 1);

  // 0 = not picked, 1 = picked, 2 = excluded (when it is cheaper to sample what to drop).
  const mark = new Uint8Array(numClasses);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y < -1 || y >= numClasses) throw new RangeError(`labels: expected values in [-1, ${numClasses}), got ${y} at index ${i}`);
    if (y >= 0 && mark[y] === 0) {
      mark[y] = 1;
      positives++;
    }
  }
  const total = Math.max(positives, Math.min(numClasses, Math.round(rate * numClasses)));
  const pool = numClasses - positives;
  let need = total - positives;
  const random = generator(seed);
  // Rejection sampling draws at most about twice what it keeps while it keeps at most half the pool.
  if (need <= pool / 2) {
    while (need > 0) {
      const c = Math.floor(random() * numClasses);
      if (mark[c] === 0) {
        mark[c] = 1;
        need--;
      }
    }
  } else {
    let drop = pool - need;
    while (drop > 0) {
      const c = Math.floor(random() * numClasses);
      if (mark[c] === 0) {
        mark[c] = 2;
        drop--;
      }
    }
    for (let c = 0; c < numClasses; c++) if (mark[c] === 0) mark[c] = 1;
  }

  const activeClasses = new Int32Array(total);
  for (let c = 0, a = 0; c < numClasses; c++) if (mark[c] === 1) activeClasses[a++] = c;
  const remapped = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) remapped[i] = labels[i] < 0 ? -1 : lowerBound(activeClasses, labels[i]);
  return { activeClasses, labels: remapped };
}

function lowerBound(sorted: Int32Array, value: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
