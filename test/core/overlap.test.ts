// Output buffers that share bytes with an input are refused (issue #13): a kernel would read
// values it has already overwritten. Views of one buffer that do not intersect are fine.
import { describe, expect, it } from 'vitest';
import { alignFaces } from '../../src/align/align-faces.js';
import { ARCFACE_TEMPLATE_112 } from '../../src/align/templates.js';
import { warpAffine, warpAffineAsync } from '../../src/align/warp.js';
import { marginSoftmaxLoss, marginSoftmaxLossAsync } from '../../src/core/margin.js';
import { optimizerStep, optimizerStepAsync } from '../../src/core/optimizer.js';
import { similarityMatrix, similarityMatrixAsync } from '../../src/core/similarity.js';
import { assertNoOverlap } from '../../src/core/validate.js';
import { native } from '../../src/native.js';
import { randomRows } from '../helpers/random.js';

describe('assertNoOverlap', () => {
  const buf = new ArrayBuffer(64);

  it('refuses intersecting byte ranges of one buffer, naming both arguments and the ranges', () => {
    const out = new Float32Array(buf, 8, 4); // bytes [8, 24)
    expect(() => assertNoOverlap('options.out', out, { a: new Uint8Array(buf, 23, 1) })).toThrow(RangeError);
    expect(() => assertNoOverlap('options.out', out, { a: new Uint8Array(buf, 0, 9) })).toThrow(
      /options.out: expected memory that does not overlap a, got bytes \[8, 24\) of the same buffer as a's \[0, 9\)/,
    );
    expect(() => assertNoOverlap('out', out, { a: new Float64Array(buf, 0, 8), b: null })).toThrow(/overlap a/);
    expect(() => assertNoOverlap('out', out, { x: new Float32Array(8), b: new Int32Array(buf, 12, 1) })).toThrow(/overlap b/);
  });

  it('accepts adjacent views, other buffers, empty views and missing inputs', () => {
    const out = new Float32Array(buf, 8, 4);
    assertNoOverlap('out', out, {
      before: new Uint8Array(buf, 0, 8), after: new Uint8Array(buf, 24, 40), other: new Float32Array(16),
      empty: new Uint8Array(buf, 10, 0), none: null, missing: undefined,
    });
    assertNoOverlap('out', new Float32Array(buf, 16, 0), { all: new Uint8Array(buf) });
  });
});

describe('kernels refuse an out that overlaps an input', () => {
  const image = { data: Uint8Array.from({ length: 32 * 24 * 3 }, (_, i) => (i * 37) & 255), width: 32, height: 24, channels: 3 as const };
  const shift = [1, 0, -2, 0, 1, -3];

  it('warpAffine and alignFaces: out in image.data', async () => {
    const o = { width: 8, height: 8, out: image.data };
    expect(() => warpAffine(image, shift, o)).toThrow(/options.out: expected memory that does not overlap image.data/);
    await expect(warpAffineAsync(image, shift, o)).rejects.toThrow(RangeError);
    // The crop lands just past the pixels: allowed, and equal to a fresh warp.
    const big = new Uint8Array(image.data.length + 8 * 8 * 3);
    big.set(image.data);
    const pixels = { ...image, data: big.subarray(0, image.data.length) };
    const into = big.subarray(image.data.length);
    expect(warpAffine(pixels, shift, { width: 8, height: 8, out: into })).toEqual(warpAffine(image, shift, { width: 8, height: 8 }));
    const shared = new ArrayBuffer(3 * 112 * 112 * 4);
    const f32 = new Float32Array(shared);
    expect(() => alignFaces({ ...image, data: new Uint8Array(shared, 0, image.data.length) }, ARCFACE_TEMPLATE_112, { out: f32 })).toThrow(
      /options.out: expected memory that does not overlap image.data/,
    );
  });

  it('marginSoftmaxLoss: gradX in x, gradW in w, and gradX and gradW in each other', async () => {
    const dim = 8, C = 5, x = randomRows(3, dim, 1), w = randomRows(C, dim, 2), y = new Int32Array([0, 4, 2]);
    const o = { dim, classes: C };
    expect(() => marginSoftmaxLoss(x, w, y, { ...o, out: { gradX: x } })).toThrow(/options.out.gradX: expected memory that does not overlap x/);
    expect(() => marginSoftmaxLoss(x, w, y, { ...o, out: { gradW: w } })).toThrow(/options.out.gradW: expected memory that does not overlap w/);
    const both = new Float32Array(3 * dim + C * dim);
    expect(() => marginSoftmaxLoss(x, w, y, { ...o, out: { gradX: both, gradW: both.subarray(3 * dim - 1) } })).toThrow(
      /options.out.gradW: expected memory that does not overlap options.out.gradX/,
    );
    await expect(marginSoftmaxLossAsync(x, w, y, { ...o, out: { gradX: x } })).rejects.toThrow(RangeError);
    // Back to back in one buffer is fine and gives the same numbers.
    const want = marginSoftmaxLoss(x, w, y, o);
    const got = marginSoftmaxLoss(x, w, y, { ...o, out: { gradX: both.subarray(0, 3 * dim), gradW: both.subarray(3 * dim) } });
    expect(got.gradX).toEqual(want.gradX);
    expect(got.gradW).toEqual(want.gradW);
  });

  it('similarityMatrix: out over a', async () => {
    const dim = 4, na = 3, buf = randomRows(6, dim, 3), b = randomRows(2, dim, 4);
    const a = buf.subarray(0, na * dim);
    expect(() => similarityMatrix(a, b, dim, { out: buf })).toThrow(/options.out: expected memory that does not overlap a/);
    await expect(similarityMatrixAsync(a, b, dim, { out: buf.subarray(11) })).rejects.toThrow(/overlap a/);
    expect(similarityMatrix(a, b, dim, { out: buf.subarray(na * dim) })).toEqual(similarityMatrix(a, b, dim));
  });

  it('optimizerStep: weights, grad and state sharing bytes', async () => {
    const L = 4, w = randomRows(3, L, 5), g = randomRows(3, L, 6);
    const o = { optimizer: 'sgd', rowLength: L, lr: 0.1, step: 1 } as const;
    expect(() => optimizerStep(w, w, o)).toThrow(/weights: expected memory that does not overlap grad/);
    expect(() => optimizerStep(w, g, { ...o, state0: w })).toThrow(/weights: expected memory that does not overlap options.state0/);
    expect(() => optimizerStep(w, g, { ...o, optimizer: 'adamw', state0: new Float32Array(12), state1: g })).toThrow(
      /options.state1: expected memory that does not overlap grad/,
    );
    const s = new Float32Array(12);
    await expect(optimizerStepAsync(w, g, { ...o, optimizer: 'adamw', state0: s, state1: s })).rejects.toThrow(
      /options.state0: expected memory that does not overlap options.state1/,
    );
  });

  it('the bindings check overlap themselves (called without the TypeScript layer)', () => {
    const x = randomRows(2, 4, 7), w = randomRows(3, 4, 8);
    const margin = {
      x, w, dim: 4, classes: 3, subcenters: 1, labels: new Int32Array([0, 1]), activeClasses: null,
      s: 64, m1: 1, m2: 0.5, m3: 0, gradX: null, gradW: null, stats: new Float64Array(3), threads: 1,
    };
    expect(() => native.marginSoftmax({ ...margin, gradX: x })).toThrow(/gradX: expected memory that does not overlap x/);
    const shared = new Float32Array(8 + 12);
    expect(() => native.marginSoftmax({ ...margin, gradX: shared.subarray(0, 8), gradW: shared.subarray(7) })).toThrow(
      /gradW: expected memory that does not overlap gradX/,
    );
    native.marginSoftmax({ ...margin, gradX: shared.subarray(0, 8), gradW: shared.subarray(8) });
    const data = new Uint8Array(4 * 4 * 3 + 16);
    const warp = {
      data: data.subarray(0, 48), width: 4, height: 4, channels: 3, stride: 12, inverse: new Float64Array([1, 0, 0, 0, 1, 0]),
      outWidth: 2, outHeight: 2, interpolation: 0, border: 0, borderValue: new Float64Array(4), output: 0, bgr: false,
      mean: new Float64Array(3), std: new Float64Array([1, 1, 1]), out: data.subarray(40), threads: 1,
    };
    expect(() => native.warpAffine(warp)).toThrow(/out: expected memory that does not overlap data/);
    native.warpAffine({ ...warp, out: data.subarray(48) });
    const weights = randomRows(3, 4, 9);
    const step = {
      weights, state0: null, state1: null, grad: weights, rows: null, rowLength: 4, kind: 0, lr: 0.1, momentum: 0,
      weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1, threads: 1,
    };
    expect(() => native.optimizerStep(step)).toThrow(/weights: expected memory that does not overlap grad/);
  });
});
