// Least-squares 2-D transforms between point sets, in float64: the similarity (Umeyama) that
// insightface's norm_crop uses, a full affine, and the inverse of a 2x3 matrix.
// Matrices are row-major 2x3 [a, b, c, d, e, f]: x' = a x + b y + c, y' = d x + e y + f (OpenCV's M).
import { describe, isNumberList } from '../core/validate.js';

export type Points = ArrayLike<number>;

/** Checks a flat [x0, y0, x1, y1, ...] point list; returns the number of points. */
export function pointCount(name: string, value: unknown, minPoints: number): number {
  if (!isNumberList(value)) throw new TypeError(`${name}: expected a flat array of numbers [x0, y0, x1, y1, ...], got ${describe(value)}`);
  const arr = value as ArrayLike<unknown>;
  if (arr.length % 2 !== 0 || arr.length < 2 * minPoints) {
    throw new RangeError(`${name}: expected an even length of at least ${2 * minPoints} (${minPoints} points), got ${arr.length}`);
  }
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number') {
      throw new TypeError(`${name}[${i}]: expected a number, got ${describe(v)}`);
    }
    if (!Number.isFinite(v)) throw new RangeError(`${name}[${i}]: expected a finite number, got ${v}`);
  }
  return arr.length / 2;
}

function pairOf(src: unknown, dst: unknown, minPoints: number): number {
  const n = pointCount('src', src, minPoints);
  const m = pointCount('dst', dst, minPoints);
  if (n !== m) throw new RangeError(`src, dst: expected the same number of points, got ${n} and ${m}`);
  return n;
}

function meanOf(p: Points, n: number): [number, number] {
  let x = 0, y = 0;
  for (let i = 0; i < n; i++) { x += p[2 * i]; y += p[2 * i + 1]; }
  return [x / n, y / n];
}

/** Throws unless m (2x3) is finite and its linear part is invertible (relative to its size). */
function assertNonDegenerate(what: string, m: Float64Array): void {
  const det = m[0] * m[4] - m[1] * m[3];
  const size = Math.max(Math.abs(m[0]), Math.abs(m[1]), Math.abs(m[3]), Math.abs(m[4]));
  if (!m.every(Number.isFinite) || !(Math.abs(det) > 1e-12 * size * size) || size === 0) {
    throw new RangeError(`${what}: expected points that determine an invertible transform, got a degenerate one (determinant ${det})`);
  }
}

/**
 * The least-squares similarity (rotation, uniform scale, translation; no reflection) mapping the
 * `src` points onto `dst` (n >= 2 points each, flat [x0, y0, ...]): Umeyama's method with its
 * reflection correction, as skimage's SimilarityTransform.estimate that insightface calls.
 *
 * In 2-D the SVD of the 2x2 cross-covariance A = dst'ᵀ src' / n has a closed form: writing
 * E = (A00 + A11) / 2 and H = (A10 - A01) / 2, Umeyama's R U diag(1, sign det A) Vᵀ is the rotation
 * by atan2(H, E) and its scale tr(S D) / var(src) is 2 sqrt(E² + H²) / var(src). So the linear part
 * is [[p, -q], [q, p]] with p = 2E / var, q = 2H / var: no trigonometry, no iteration.
 */
export function estimateSimilarity(src: Points, dst: Points): Float64Array {
  const n = pairOf(src, dst, 2);
  const [sx, sy] = meanOf(src, n), [dx, dy] = meanOf(dst, n);
  let e = 0, h = 0, v = 0;
  for (let i = 0; i < n; i++) {
    const ax = src[2 * i] - sx, ay = src[2 * i + 1] - sy;
    const bx = dst[2 * i] - dx, by = dst[2 * i + 1] - dy;
    e += bx * ax + by * ay; // 2n E
    h += by * ax - bx * ay; // 2n H
    v += ax * ax + ay * ay; // n var(src)
  }
  if (!(v > 0)) throw new RangeError('src: expected at least two distinct points, got all points equal');
  const p = e / v, q = h / v;
  const m = new Float64Array([p, -q, dx - (p * sx - q * sy), q, p, dy - (q * sx + p * sy)]);
  assertNonDegenerate('dst', m);
  return m;
}

/**
 * The least-squares affine transform (6 degrees of freedom) mapping `src` onto `dst` (n >= 3
 * points each, not all on one line).
 */
export function estimateAffine(src: Points, dst: Points): Float64Array {
  const n = pairOf(src, dst, 3);
  const [sx, sy] = meanOf(src, n), [dx, dy] = meanOf(dst, n);
  // Centred normal equations: [Sxx Sxy; Sxy Syy] [a; b] = [Sxu; Syu] for each output row.
  let sxx = 0, sxy = 0, syy = 0, sxu = 0, syu = 0, sxv = 0, syv = 0;
  for (let i = 0; i < n; i++) {
    const ax = src[2 * i] - sx, ay = src[2 * i + 1] - sy;
    const u = dst[2 * i] - dx, w = dst[2 * i + 1] - dy;
    sxx += ax * ax; sxy += ax * ay; syy += ay * ay;
    sxu += ax * u; syu += ay * u; sxv += ax * w; syv += ay * w;
  }
  const det = sxx * syy - sxy * sxy;
  if (!(det > 1e-12 * (sxx + syy) * (sxx + syy))) {
    throw new RangeError('src: expected at least three points not on one line, got collinear (or equal) points');
  }
  const a = (syy * sxu - sxy * syu) / det, b = (sxx * syu - sxy * sxu) / det;
  const d = (syy * sxv - sxy * syv) / det, e = (sxx * syv - sxy * sxv) / det;
  const m = new Float64Array([a, b, dx - a * sx - b * sy, d, e, dy - d * sx - e * sy]);
  assertNonDegenerate('dst', m);
  return m;
}

/** Checks a single row-major 2x3 matrix (6 finite numbers). */
export function assertMatrix(name: string, m: unknown): asserts m is ArrayLike<number> {
  if (!isNumberList(m)) throw new TypeError(`${name}: expected a row-major 2x3 matrix (6 numbers), got ${describe(m)}`);
  const arr = m as ArrayLike<unknown>;
  if (arr.length !== 6) throw new RangeError(`${name}: expected 6 numbers (row-major 2x3), got ${arr.length}`);
  for (let i = 0; i < 6; i++) {
    if (typeof arr[i] !== 'number') throw new TypeError(`${name}[${i}]: expected a number, got ${describe(arr[i])}`);
    if (!Number.isFinite(arr[i])) throw new RangeError(`${name}[${i}]: expected a finite number, got ${arr[i]}`);
  }
}

/** The inverse of a row-major 2x3 affine matrix; RangeError when it is singular. */
export function invertAffine(m: ArrayLike<number>, name = 'm'): Float64Array {
  assertMatrix(name, m);
  const [a, b, c, d, e, f] = [m[0], m[1], m[2], m[3], m[4], m[5]];
  const det = a * e - b * d;
  const size = Math.max(Math.abs(a), Math.abs(b), Math.abs(d), Math.abs(e));
  if (!(Math.abs(det) > 1e-12 * size * size)) {
    throw new RangeError(`${name}: expected an invertible matrix, got a singular one (determinant ${det})`);
  }
  const ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
  const out = new Float64Array([ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)]);
  if (!out.every(Number.isFinite)) throw new RangeError(`${name}: expected an invertible matrix, got one whose inverse overflows`);
  return out;
}

/** Applies a 2x3 matrix to flat points [x0, y0, ...]; returns a new Float64Array. RangeError when a result overflows. */
export function transformPoints(m: ArrayLike<number>, points: Points): Float64Array {
  assertMatrix('m', m);
  const n = pointCount('points', points, 0);
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const x = points[2 * i], y = points[2 * i + 1];
    const u = m[0] * x + m[1] * y + m[2], v = m[3] * x + m[4] * y + m[5];
    // Finite inputs can still overflow (or give Infinity - Infinity = NaN).
    if (!Number.isFinite(u) || !Number.isFinite(v)) {
      throw new RangeError(`points[${2 * i}], points[${2 * i + 1}]: expected points whose transform is finite, got (${x}, ${y}), which maps to (${u}, ${v})`);
    }
    out[2 * i] = u;
    out[2 * i + 1] = v;
  }
  return out;
}
