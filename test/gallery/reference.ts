// Plain references for the index kernels: binary16 rounding, symmetric int8/int16
// quantisation (replaying the kernels' float32 arithmetic), and float64 dot products.
const f32 = Math.fround;

/** Round half to even (what nearbyint does in the default rounding mode). */
export function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/** The binary16 value nearest to x (ties to even), +-Infinity past the largest half. */
export function halfValue(x: number): number {
  const a = Math.abs(x);
  if (a >= 65520) return Math.sign(x) * Infinity;
  if (a === 0) return x;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  const step = 2 ** (Math.max(e, -14) - 10);
  return Math.sign(x) * roundEven(a / step) * step;
}

/** Value of a binary16 bit pattern. */
export function halfBits(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** The kernels' float32 normalisation: x * (float)(1 / |x|) with |x| in float64. */
export function normaliseRows(x: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    let sq = 0;
    for (let k = 0; k < dim; k++) sq += x[r * dim + k] * x[r * dim + k];
    const inv = sq > 0 ? f32(1 / Math.sqrt(sq)) : 0;
    for (let k = 0; k < dim; k++) out[r * dim + k] = f32(x[r * dim + k] * inv);
  }
  return out;
}

/** Symmetric quantisation as quantize_i8 / quantize_i16 do it (float32 steps). */
export function quantise(x: Float32Array, dim: number, qmax: number): { codes: number[]; scales: number[] } {
  const codes: number[] = [], scales: number[] = [];
  for (let r = 0; r < x.length / dim; r++) {
    let amax = 0;
    for (let k = 0; k < dim; k++) amax = Math.max(amax, Math.abs(x[r * dim + k]));
    if (amax === 0) {
      scales.push(0);
      for (let k = 0; k < dim; k++) codes.push(0);
      continue;
    }
    const inv = f32(qmax / amax);
    scales.push(f32(amax / qmax));
    for (let k = 0; k < dim; k++) codes.push(Math.max(-qmax, Math.min(qmax, roundEven(f32(x[r * dim + k] * inv)))) + 0);
  }
  return { codes, scales };
}

export const i16QueryMax = (dim: number) => Math.min(32767, Math.floor(2147483647 / (127 * dim)));

export function dot64(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, dim: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) s += a[i * dim + k] * b[j * dim + k];
  return s;
}
