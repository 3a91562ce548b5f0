// The warp, margin, optimizer and probe bindings take one named options object (a baton):
// anything else, a missing field or a field of the wrong kind or size is a named error, never a crash.
import { describe, expect, it } from 'vitest';
import { native } from '../../src/native.js';
import { randomRows } from '../helpers/random.js';

const loose = native as unknown as Record<string, (...args: unknown[]) => unknown>;

const x = randomRows(2, 4, 1), w = randomRows(3, 4, 2);
const margin = {
  x, w, dim: 4, classes: 3, subcenters: 1, labels: new Int32Array([0, 2]), activeClasses: null,
  s: 64, m1: 1, m2: 0.5, m3: 0, gradX: new Float32Array(8), gradW: new Float32Array(12), stats: new Float64Array(3), threads: 1,
};
const warp = {
  data: new Uint8Array(4 * 4 * 3), width: 4, height: 4, channels: 3, stride: 12, inverse: new Float64Array([1, 0, 0, 0, 1, 0]),
  outWidth: 2, outHeight: 2, interpolation: 0, border: 0, borderValue: new Float64Array(4), output: 0, bgr: false,
  mean: new Float64Array(3), std: new Float64Array([1, 1, 1]), out: new Uint8Array(12), threads: 1,
};
const step = {
  weights: randomRows(3, 4, 3), state0: null, state1: null, grad: randomRows(3, 4, 4), rows: null, rowLength: 4, kind: 0,
  lr: 0.1, momentum: 0, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1, threads: 1,
};
const probe = { x, w, dim: 4, classes: 3, subcenters: 1, recompute: false, gradX: new Float32Array(8), gradW: new Float32Array(12), threads: 1 };

// May be null or absent (for marginSoftmax, a forward pass without gradients).
const OPTIONAL = new Set(['activeClasses', 'gradX', 'gradW', 'state0', 'state1', 'rows']);
const BINDINGS: Array<[name: string, valid: Record<string, unknown>]> = [
  ['warpAffine', warp], ['marginSoftmax', margin], ['optimizerStep', step], ['marginGemmsProbe', probe],
];

describe('named-options bindings', () => {
  it('run with a valid options object', async () => {
    for (const [name, valid] of BINDINGS) expect(loose[name](valid), name).toBeUndefined();
    await loose.warpAffineAsync(warp);
    await loose.marginSoftmaxAsync(margin);
    await loose.optimizerStepAsync(step);
    expect(margin.stats[0]).toBeGreaterThan(0); // the loss was written
  });

  it('refuse anything but one options object, naming the function', () => {
    for (const [name] of BINDINGS) {
      for (const bad of [undefined, 3, 'x', [1], new Float32Array(2), () => 0]) {
        expect(() => loose[name](bad), `${name}(${String(bad)})`).toThrow(TypeError);
      }
      expect(() => loose[name](), name).toThrow(new RegExp(`^${name}: expected one options object, got undefined$`));
    }
    expect(() => loose.warpAffine([warp])).toThrow(/warpAffine: expected one options object, got Array/);
  });

  it('name a missing field, or one of the wrong kind or size', () => {
    for (const [name, valid] of BINDINGS) {
      for (const field of Object.keys(valid)) {
        if (OPTIONAL.has(field)) continue;
        const { [field]: _, ...missing } = valid;
        expect(() => loose[name](missing), `${name} without ${field}`).toThrow(new RegExp(`^${field}: expected `));
        expect(() => loose[name]({ ...valid, [field]: 'no' }), `${name} ${field} = 'no'`).toThrow(TypeError);
      }
    }
    expect(() => native.warpAffine({ ...warp, out: new Uint8Array(11) })).toThrow(/^out: expected a Uint8Array of at least 12 elements, got 11$/);
    expect(() => native.warpAffine({ ...warp, mean: new Float64Array(2) })).toThrow(/mean, std: expected 3 values each/);
    expect(() => native.warpAffine({ ...warp, data: new Uint8Array(47) })).toThrow(/data: expected at least stride \* height = 48 bytes, got 47/);
    expect(() => loose.marginGemmsProbe({ ...probe, gradX: undefined })).toThrow(/^gradX: expected a Float32Array, got undefined$/);
    expect(() => native.marginSoftmax({ ...margin, gradW: new Float32Array(11) })).toThrow(/gradW: expected a Float32Array of at least 12/);
    expect(() => native.marginSoftmax({ ...margin, stats: new Float64Array(2) })).toThrow(/stats: expected a Float64Array of at least 3/);
    expect(() => native.optimizerStep({ ...step, kind: 1 })).toThrow(/state0: expected a Float32Array, got null/);
    expect(() => native.optimizerStep({ ...step, grad: new Float32Array(11) })).toThrow(/grad: expected a Float32Array of at least 12/);
    expect(() => native.marginGemmsProbe({ ...probe, dim: 0 })).toThrow(/dim: expected an integer in \[1, /);
    // The async forms check their options before queueing: the call itself throws.
    expect(() => native.optimizerStepAsync({ ...step, rows: new Int32Array([5]), grad: new Float32Array(4) })).toThrow(/rows: expected row ids/);
    expect(() => native.warpAffineAsync({ ...warp, threads: 0 })).toThrow(/threads: expected an integer in \[1, 1024\], got 0/);
  });
});
