// Float64 reference of the margin softmax (docs/margin.md): loss, accuracy and the analytic
// gradients on the full batch x classes logits, written plainly, independent of the kernel.
export interface RefParams { s: number; m1: number; m2: number; m3: number }

const MIN_SIN = 3.4526698e-4;

export function refTarget(t: number, p: RefParams): { f: number; fp: number } {
  const theta = Math.acos(t);
  if (p.m1 * theta + p.m2 > Math.PI) return { f: t - Math.sin(Math.PI - p.m2) * p.m2 - p.m3, fp: 1 };
  if (p.m1 === 1 && p.m2 === 0) return { f: t - p.m3, fp: 1 };
  const u = p.m1 * theta + p.m2;
  return { f: Math.cos(u) - p.m3, fp: (p.m1 * Math.sin(u)) / Math.max(Math.sqrt(Math.max(0, 1 - t * t)), MIN_SIN) };
}

export interface RefResult { loss: number; accuracy: number; gradX: Float64Array; gradW: Float64Array }

/** w holds classes * K rows; with `active`, class c of the computation is row block active[c]. */
export function refMarginSoftmax(
  x: ArrayLike<number>, w: ArrayLike<number>, labels: ArrayLike<number>, dim: number, classes: number, K: number,
  p: RefParams, active?: ArrayLike<number>,
): RefResult {
  const B = labels.length;
  const nCls = active ? active.length : classes;
  const row = (c: number, k: number) => ((active ? active[c] : c) * K + k) * dim;
  const norm = (v: ArrayLike<number>, off: number) => {
    let s = 0;
    for (let q = 0; q < dim; q++) s += v[off + q] * v[off + q];
    return Math.sqrt(s);
  };
  const gradX = new Float64Array(B * dim), gradW = new Float64Array(nCls * K * dim);
  let n = 0, correct = 0, loss = 0;
  for (let i = 0; i < B; i++) if (labels[i] >= 0) n++;
  for (let i = 0; i < B; i++) {
    const y = labels[i];
    if (y < 0) continue;
    const nx = norm(x, i * dim);
    const cos = new Float64Array(nCls), raw = new Float64Array(nCls), arg = new Int32Array(nCls), z = new Float64Array(nCls);
    for (let c = 0; c < nCls; c++) {
      let best = -Infinity;
      for (let k = 0; k < K; k++) {
        const o = row(c, k);
        let dot = 0;
        for (let q = 0; q < dim; q++) dot += x[i * dim + q] * w[o + q];
        const nw = norm(w, o);
        const r = nx === 0 || nw === 0 ? 0 : dot / (nx * nw); // a zero vector has cosine 0
        const v = Math.min(1, Math.max(-1, r));
        if (v > best) { best = v; arg[c] = k; raw[c] = r; }
      }
      cos[c] = best;
      z[c] = p.s * best;
    }
    const { f, fp } = refTarget(cos[y], p);
    z[y] = p.s * f;
    let top = 0;
    for (let c = 1; c < nCls; c++) if (cos[c] > cos[top]) top = c;
    if (top === y) correct++;
    let m = -Infinity;
    for (const v of z) m = Math.max(m, v);
    let sum = 0;
    for (const v of z) sum += Math.exp(v - m);
    const lse = m + Math.log(sum);
    loss += (lse - z[y]) / n;
    for (let c = 0; c < nCls; c++) {
      const pc = Math.exp(z[c] - lse);
      const g = (c === y ? p.s * fp * (pc - 1) : p.s * pc) / n;
      const o = row(c, arg[c]);
      const nw = norm(w, o);
      if (nx === 0 || nw === 0) continue; // ... and no gradient
      for (let q = 0; q < dim; q++) {
        gradX[i * dim + q] += (g * (w[o + q] / nw - raw[c] * x[i * dim + q] / nx)) / nx;
        gradW[(c * K + arg[c]) * dim + q] += (g * (x[i * dim + q] / nx - raw[c] * w[o + q] / nw)) / nw;
      }
    }
  }
  return { loss: n ? loss : 0, accuracy: n ? correct / n : 0, gradX, gradW };
}

/** Largest |got - want| relative to the largest |want|. */
export function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 1e-30, worst = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  return worst / scale;
}
