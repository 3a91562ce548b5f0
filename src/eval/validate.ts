// Argument checks shared by the metrics. Errors follow the project rule:
// TypeError for a wrong kind, RangeError for a wrong size or value, and the
// message names the argument, what was expected and what came.

/** Scores: higher means "more likely the same person" (cosine similarity and the like). */
export type Scores = ArrayLike<number>;
/** Pair labels: 1/true = same person (genuine), 0/false = different (impostor). */
export type SameLabels = ArrayLike<number | boolean>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'object'}`;
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return `${typeof value} ${String(value)}`;
}

export { describe as describeValue };

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  if (value === null || typeof value !== 'object') return false;
  const length = (value as { length?: unknown }).length;
  return typeof length === 'number' && Number.isInteger(length) && length >= 0;
}

/** Checks `scores` is an array-like of finite numbers and returns them as a Float64Array. */
export function checkScores(scores: unknown, name = 'scores'): Float64Array {
  if (!isArrayLike(scores) || typeof scores === 'string') {
    throw new TypeError(`${name}: expected an array or typed array of numbers, got ${describe(scores)}`);
  }
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i];
    if (typeof v !== 'number') {
      throw new TypeError(`${name}[${i}]: expected a number, got ${describe(v)}`);
    }
    if (!Number.isFinite(v)) throw new RangeError(`${name}[${i}]: expected a finite number, got ${v}`);
    out[i] = v;
  }
  return out;
}

/** Checks `same` holds only 0/1/true/false and returns it as a Uint8Array of 0/1. */
export function checkSame(same: unknown, name = 'same'): Uint8Array {
  if (!isArrayLike(same) || typeof same === 'string') {
    throw new TypeError(`${name}: expected an array of 0/1 or booleans, got ${describe(same)}`);
  }
  const out = new Uint8Array(same.length);
  for (let i = 0; i < same.length; i++) {
    const v = same[i];
    if (v === true || v === 1) out[i] = 1;
    else if (v === false || v === 0) out[i] = 0;
    else if (typeof v === 'number') throw new RangeError(`${name}[${i}]: expected 0 or 1, got ${v}`);
    else throw new TypeError(`${name}[${i}]: expected 0, 1 or a boolean, got ${describe(v)}`);
  }
  return out;
}

export function checkSameLength(aName: string, a: ArrayLike<unknown>, bName: string, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) {
    throw new RangeError(`${bName}: expected the same length as ${aName} (${a.length}), got length ${b.length}`);
  }
}

/** Genuine/impostor split of validated (scores, same). */
export interface LabelledScores {
  scores: Float64Array;
  same: Uint8Array;
  positives: number;
  negatives: number;
}

/** Validates (scores, same) and counts the classes; `needBoth` demands at least one of each. */
export function checkPairs(scores: unknown, same: unknown, needBoth = true): LabelledScores {
  const s = checkScores(scores);
  const y = checkSame(same);
  checkSameLength('scores', s, 'same', y);
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i];
  const negatives = y.length - positives;
  if (needBoth && (positives === 0 || negatives === 0)) {
    throw new RangeError(
      `same: expected at least one genuine (1) and one impostor (0) pair, got ${positives} genuine and ${negatives} impostor`,
    );
  }
  return { scores: s, same: y, positives, negatives };
}

/** Checks a target false-accept rate lies in (0, 1]. */
export function checkRate(rate: unknown, name: string): number {
  if (typeof rate !== 'number') throw new TypeError(`${name}: expected a number in (0, 1], got ${describe(rate)}`);
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`${name}: expected a number in (0, 1], got ${rate}`);
  return rate;
}

export function checkPositiveInt(value: unknown, name: string, min = 1): number {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected an integer >= ${min}, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name}: expected an integer >= ${min}, got ${value}`);
  return value;
}

export function checkStrings(values: unknown, name: string): readonly string[] {
  if (!isArrayLike(values) || typeof values === 'string') {
    throw new TypeError(`${name}: expected an array of strings, got ${describe(values)}`);
  }
  const out: string[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'string') throw new TypeError(`${name}[${i}]: expected a string, got ${describe(v)}`);
    out[i] = v;
  }
  return out;
}
