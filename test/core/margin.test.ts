import { describe, expect, it } from 'vitest';
import { marginSoftmaxLoss, marginSoftmaxLossAsync, type MarginSoftmaxOptions } from '../../src/core/margin.js';
import { sampleClasses } from '../../src/train/partial-fc.js';
import { randomRows, rng } from '../helpers/random.js';
import { refMarginSoftmax, relativeError, type RefParams } from '../helpers/margin-reference.js';
import { underEachIsa } from '../helpers/isa.js';

const ARC: RefParams = { s: 64, m1: 1, m2: 0.5, m3: 0 };
const COS: RefParams = { s: 64, m1: 1, m2: 0, m3: 0.35 };
const COMBINED: RefParams = { s: 64, m1: 1.0, m2: 0.3, m3: 0.2 };

function labelsFor(B: number, C: number, seed: number, ignore = false): Int32Array {
  const r = rng(seed);
  const y = new Int32Array(B);
  for (let i = 0; i < B; i++) y[i] = Math.floor(r() * C);
  if (ignore && B > 2) y[1] = -1;
  return y;
}

function run(x: Float32Array, w: Float32Array, y: Int32Array, dim: number, C: number, K: number, p: RefParams, extra: Partial<MarginSoftmaxOptions> = {}) {
  return marginSoftmaxLoss(x, w, y, { dim, classes: C, subcenters: K, ...p, ...extra });
}

describe('marginSoftmaxLoss', () => {
  // dim 512: a tile holds 96 W rows, so 250 classes make three tiles, the last one partial.
  const SHAPES: Array<[number, number, number, number]> = [
    [1, 8, 3, 1], [1, 17, 5, 3], [4, 33, 40, 1], [7, 9, 23, 3], [3, 512, 250, 1], [2, 513, 70, 3], [5, 64, 130, 1],
  ];

  it('matches the float64 reference (loss, accuracy, both gradients to 1e-5) on many shapes, every ISA', () => {
    underEachIsa((isa) => {
      for (const [B, dim, C, K] of SHAPES) {
        for (const p of [ARC, COS, COMBINED]) {
          const x = randomRows(B, dim, B * 13 + dim), w = randomRows(C * K, dim, C * 7 + K);
          const y = labelsFor(B, C, dim + C, true);
          for (const threads of [1, 3]) {
            const got = run(x, w, y, dim, C, K, p, { threads });
            const want = refMarginSoftmax(x, w, y, dim, C, K, p);
            const tag = `${isa} B=${B} d=${dim} C=${C} K=${K} m=${p.m1},${p.m2},${p.m3} t=${threads}`;
            expect(Math.abs(got.loss - want.loss) / Math.max(1, want.loss), tag).toBeLessThan(1e-5);
            expect(got.accuracy, tag).toBe(want.accuracy);
            expect(relativeError(got.gradX, want.gradX), tag).toBeLessThan(1e-5);
            expect(relativeError(got.gradW, want.gradW), tag).toBeLessThan(1e-5);
          }
        }
      }
    });
  });

  // Central differences of the float64 reference loss against the kernel's analytic gradients.
  function finiteDifferenceCheck(x: Float32Array, w: Float32Array, y: Int32Array, dim: number, C: number, K: number, p: RefParams) {
    const got = run(x, w, y, dim, C, K, p);
    const loss = (xx: ArrayLike<number>, ww: ArrayLike<number>) => refMarginSoftmax(xx, ww, y, dim, C, K, p).loss;
    const h = 1e-6;
    const fd = (v: ArrayLike<number>, isX: boolean) => {
      const base = Float64Array.from(v), out = new Float64Array(v.length);
      const xs = Float64Array.from(x), ws = Float64Array.from(w);
      for (let j = 0; j < v.length; j++) {
        base[j] = v[j] + h;
        const up = isX ? loss(base, ws) : loss(xs, base);
        base[j] = v[j] - h;
        const down = isX ? loss(base, ws) : loss(xs, base);
        base[j] = v[j];
        out[j] = (up - down) / (2 * h);
      }
      return out;
    };
    expect(relativeError(got.gradX, fd(x, true))).toBeLessThan(2e-4);
    expect(relativeError(got.gradW, fd(w, false))).toBeLessThan(2e-4);
  }

  it('has the gradients of its loss (finite differences) for ArcFace, CosFace, combined and sub-centre K = 3', () => {
    const dim = 6, C = 5, B = 4;
    for (const [p, K] of [[ARC, 1], [COS, 1], [COMBINED, 1], [ARC, 3]] as const) {
      const x = randomRows(B, dim, 3 + K), w = randomRows(C * K, dim, 4 + K);
      // s = 8 keeps the softmax away from saturation, so every class carries gradient.
      finiteDifferenceCheck(x, w, labelsFor(B, C, 5), dim, C, K, { ...p, s: 8 });
    }
  });

  it('has the right gradients on both sides of the theta + m2 > pi fallback', () => {
    const dim = 5, C = 4;
    for (const p of [ARC, COMBINED]) {
      for (const side of [-0.02, 0.02]) {
        const theta = Math.PI - p.m2 + side;
        const w = randomRows(C, dim, 11);
        const wy = Array.from(w.subarray(0, dim));
        const nw = Math.hypot(...wy);
        // x at angle theta from class 0: cos(theta) w0-hat + sin(theta) u, u orthogonal to w0.
        const u = Array.from(randomRows(1, dim, 12));
        const proj = u.reduce((a, v, q) => a + v * wy[q], 0) / (nw * nw);
        for (let q = 0; q < dim; q++) u[q] -= proj * wy[q];
        const nu = Math.hypot(...u);
        const x = new Float32Array(dim);
        for (let q = 0; q < dim; q++) x[q] = 1.7 * (Math.cos(theta) * wy[q] / nw + Math.sin(theta) * u[q] / nu);
        const y = new Int32Array([0]);
        const got = run(x, w, y, dim, C, 1, p);
        expect(got.loss).toBeCloseTo(refMarginSoftmax(x, w, y, dim, C, 1, p).loss, 4);
        finiteDifferenceCheck(x, w, y, dim, C, 1, { ...p, s: 8 });
      }
    }
  });

  it('ignores rows labelled -1 (no loss, zero gradient) and reports zeros when every row is ignored', () => {
    const dim = 12, C = 9, x = randomRows(5, dim, 1), w = randomRows(C, dim, 2);
    const y = new Int32Array([3, -1, 4, -1, 0]);
    const all = run(x, w, y, dim, C, 1, ARC);
    const kept = run(
      Float32Array.from([...x.subarray(0, dim), ...x.subarray(2 * dim, 3 * dim), ...x.subarray(4 * dim)]), w,
      new Int32Array([3, 4, 0]), dim, C, 1, ARC,
    );
    expect(all.counted).toBe(3);
    expect(all.loss).toBeCloseTo(kept.loss, 6);
    expect(Array.from(all.gradX.subarray(dim, 2 * dim))).toEqual(new Array(dim).fill(0));
    expect(relativeError(all.gradW, kept.gradW)).toBeLessThan(1e-6);
    const none = run(x, w, new Int32Array(5).fill(-1), dim, C, 1, ARC);
    expect([none.loss, none.accuracy, none.counted]).toEqual([0, 0, 0]);
    expect(none.gradW.every((v) => v === 0)).toBe(true);
  });

  it('Partial FC: rate 1 equals the full computation exactly; sampled classes match the reference on those classes', () => {
    const dim = 40, C = 300, K = 3, B = 16;
    const x = randomRows(B, dim, 1), w = randomRows(C * K, dim, 2), y = labelsFor(B, C, 3, true);
    const full = run(x, w, y, dim, C, K, ARC);
    const all = sampleClasses(y, C, 1, 7);
    expect(all.activeClasses).toEqual(Int32Array.from({ length: C }, (_, c) => c));
    const viaList = run(x, w, all.labels, dim, C, K, ARC, { activeClasses: all.activeClasses });
    expect(viaList).toEqual(full);

    const part = sampleClasses(y, C, 0.1, 9);
    const got = run(x, w, part.labels, dim, C, K, ARC, { activeClasses: part.activeClasses });
    const want = refMarginSoftmax(x, w, part.labels, dim, C, K, ARC, part.activeClasses);
    expect(Math.abs(got.loss - want.loss) / want.loss).toBeLessThan(1e-5);
    expect(relativeError(got.gradX, want.gradX)).toBeLessThan(1e-5);
    expect(relativeError(got.gradW, want.gradW)).toBeLessThan(1e-5);
  });

  it('a zero embedding or class vector has cosine 0 and zero gradient, not NaN', () => {
    const dim = 4, C = 3, x = new Float32Array(8), w = Float32Array.from({ length: 12 }, (_, i) => i - 5);
    x.set([1, 2, 3, 4], 4);
    w.fill(0, 4, 8); // class 1 is a zero vector
    const got = run(x, w, new Int32Array([0, 1]), dim, C, 1, ARC);
    const want = refMarginSoftmax(x, w, new Int32Array([0, 1]), dim, C, 1, ARC);
    expect(Number.isFinite(got.loss)).toBe(true);
    expect(Math.abs(got.loss - want.loss) / want.loss).toBeLessThan(1e-6);
    expect(Array.from(got.gradX.subarray(0, 4)).every((v) => v === 0)).toBe(true);
    expect(Array.from(got.gradW.subarray(4, 8)).every((v) => v === 0)).toBe(true);
  });

  it('forward-only and input-gradient-free calls give the same loss and gradW', () => {
    const dim = 20, C = 50, x = randomRows(6, dim, 1), w = randomRows(C, dim, 2), y = labelsFor(6, C, 3);
    const full = run(x, w, y, dim, C, 1, COMBINED);
    const fwd = run(x, w, y, dim, C, 1, COMBINED, { gradients: false });
    const noX = run(x, w, y, dim, C, 1, COMBINED, { inputGradient: false });
    expect(fwd.loss).toBe(full.loss);
    expect(fwd.gradW.length).toBe(0);
    expect(noX.gradW).toEqual(full.gradW);
    expect(noX.gradX.length).toBe(0);
  });

  it('async equals sync and writes into given buffers', async () => {
    const dim = 64, C = 500, x = randomRows(32, dim, 1), w = randomRows(C, dim, 2), y = labelsFor(32, C, 3);
    const sync = run(x, w, y, dim, C, 1, ARC);
    const gradW = new Float32Array(C * dim + 5);
    const got = await marginSoftmaxLossAsync(x, w, y, { dim, classes: C, out: { gradW } });
    expect(got.loss).toBe(sync.loss);
    expect(got.gradW).toEqual(sync.gradW);
    expect(got.gradW.buffer).toBe(gradW.buffer);
  });

  it('rejects bad input with clear errors', async () => {
    const dim = 4, C = 3, x = randomRows(2, dim, 1), w = randomRows(C, dim, 2), y = new Int32Array([0, 2]);
    const o = { dim, classes: C };
    expect(() => marginSoftmaxLoss(x, w, new Int32Array([0, 3]), o)).toThrow(/labels: expected values in \[-1, 3\), got 3 at index 1/);
    expect(() => marginSoftmaxLoss(x, w, new Int32Array([0, -2]), o)).toThrow(RangeError);
    expect(() => marginSoftmaxLoss(x, w, [0, 1] as unknown as Int32Array, o)).toThrow(/labels: expected an Int32Array, got Array/);
    expect(() => marginSoftmaxLoss(x, w, new Int32Array(3), o)).toThrow(/labels: expected one label per row of x \(2\), got 3/);
    expect(() => marginSoftmaxLoss(x, w.subarray(0, 8), y, o)).toThrow(/w: expected classes \* subcenters \* dim = 12 elements, got 8/);
    expect(() => marginSoftmaxLoss(x.subarray(0, 6), w, y, o)).toThrow(/x: expected a length that is a multiple of dim/);
    expect(() => marginSoftmaxLoss(x, w, y, { ...o, subcenters: 0 })).toThrow(/options.subcenters: expected an integer in \[1, /);
    expect(() => marginSoftmaxLoss(x, w, y, { ...o, s: 0 })).toThrow(/options.s: expected a number > 0, got 0/);
    expect(() => marginSoftmaxLoss(x, w, y, { ...o, m2: NaN })).toThrow(/options.m2: expected a finite number/);
    expect(() => marginSoftmaxLoss(x, w, y, { ...o, m1: '1' as unknown as number })).toThrow(TypeError);
    expect(() => marginSoftmaxLoss(x, new Float64Array(12) as unknown as Float32Array, y, o)).toThrow(/w: expected a Float32Array/);
    expect(() => marginSoftmaxLoss(x, w, y, undefined as unknown as MarginSoftmaxOptions)).toThrow(TypeError);
    expect(() => marginSoftmaxLoss(x, w, y, { ...o, activeClasses: new Int32Array([0, 0]) })).toThrow(/activeClasses: expected distinct class ids/);
    expect(() => marginSoftmaxLoss(x, w, y, { ...o, activeClasses: new Int32Array([0, 5]) })).toThrow(/activeClasses: expected class ids in \[0, 3\), got 5/);
    expect(() => marginSoftmaxLoss(x, w, new Int32Array([0, 1]), { ...o, activeClasses: new Int32Array([2]) })).toThrow(/indices into activeClasses/);
    expect(() => marginSoftmaxLoss(x, w, y, { ...o, out: { gradX: new Float32Array(3) } })).toThrow(/options.out.gradX: expected a Float32Array of at least 8/);
    const bad = w.slice();
    bad[5] = NaN;
    expect(() => marginSoftmaxLoss(x, bad, y, o)).toThrow(/w: expected finite values, got NaN at index 5 \(row 1, column 1\)/);
    const badX = x.slice();
    badX[2] = Infinity;
    await expect(marginSoftmaxLossAsync(badX, w, y, o)).rejects.toThrow(/x: expected finite values, got Infinity/);
  });
});
