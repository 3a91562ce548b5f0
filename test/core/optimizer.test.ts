import { describe, expect, it } from 'vitest';
import { optimizerStep, optimizerStepAsync, type OptimizerStepOptions } from '../../src/core/optimizer.js';
import { randomRows, rng } from '../helpers/random.js';

interface Ref { w: Float64Array; s0: Float64Array; s1: Float64Array }

/** Float64 SGD (torch.optim.SGD: coupled decay, momentum buffer) and AdamW (decoupled decay) on mapped rows. */
function refStep(ref: Ref, g: Float32Array, o: Required<Omit<OptimizerStepOptions, 'rows' | 'state0' | 'state1' | 'threads'>> & { rows?: Int32Array }) {
  const L = o.rowLength, n = g.length / L;
  for (let a = 0; a < n; a++) {
    const row = o.rows ? o.rows[a] : a;
    for (let q = 0; q < L; q++) {
      const i = row * L + q, gi = g[a * L + q];
      if (o.optimizer === 'sgd') {
        const d = gi + o.weightDecay * ref.w[i];
        ref.s0[i] = o.momentum * ref.s0[i] + d;
        ref.w[i] -= o.lr * (o.momentum > 0 ? ref.s0[i] : d);
      } else {
        ref.s0[i] = o.beta1 * ref.s0[i] + (1 - o.beta1) * gi;
        ref.s1[i] = o.beta2 * ref.s1[i] + (1 - o.beta2) * gi * gi;
        const mHat = ref.s0[i] / (1 - o.beta1 ** o.step), vHat = ref.s1[i] / (1 - o.beta2 ** o.step);
        ref.w[i] -= o.lr * (mHat / (Math.sqrt(vHat) + o.eps) + o.weightDecay * ref.w[i]);
      }
    }
  }
}

function close(got: Float32Array, want: Float64Array, tag: string) {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  expect(worst, tag).toBeLessThan(2e-6);
}

describe('optimizerStep', () => {
  // Row lengths below, at and past a SIMD width; all rows or a scattered subset; one row; many.
  const SHAPES: Array<[rows: number, rowLength: number, subset: boolean]> = [
    [1, 1, false], [5, 7, false], [9, 16, true], [4, 33, true], [40, 128, true], [3, 513, false],
  ];

  // One portable loop (no ISA variants), so thread counts rather than ISAs.
  it('matches float64 SGD (with and without momentum) and AdamW over three steps, 1 and 3 threads', () => {
    for (const [nRows, L, subset] of SHAPES) {
      for (const optimizer of ['sgd', 'sgd-plain', 'adamw'] as const) {
        for (const threads of [1, 3]) {
          const r = rng(nRows * 31 + L);
          const rows = subset ? Int32Array.from({ length: Math.ceil(nRows / 2) }, (_, a) => (a * 7 + 3) % nRows) : undefined;
          if (rows) expect(new Set(rows).size).toBe(rows.length);
          const weights = randomRows(nRows, L, L + nRows);
          const plain = optimizer === 'sgd-plain';
          const kind = optimizer === 'adamw' ? 'adamw' : 'sgd';
          const state0 = plain ? undefined : new Float32Array(weights.length);
          const state1 = kind === 'adamw' ? new Float32Array(weights.length) : undefined;
          const ref: Ref = { w: Float64Array.from(weights), s0: new Float64Array(weights.length), s1: new Float64Array(weights.length) };
          const base = {
            optimizer: kind, rowLength: L, lr: 0.05, momentum: plain ? 0 : 0.9, weightDecay: 0.01,
            beta1: 0.9, beta2: 0.999, eps: 1e-8,
          } as const;
          for (let step = 1; step <= 3; step++) {
            const g = Float32Array.from({ length: (rows ? rows.length : nRows) * L }, () => r() - 0.5);
            optimizerStep(weights, g, { ...base, rows, state0, state1, step, threads });
            refStep(ref, g, { ...base, rows, step });
          }
          close(weights, ref.w, `${optimizer} rows=${nRows} L=${L} subset=${subset} t=${threads}`);
        }
      }
    }
  });

  it('async gives the same bytes as sync and leaves unlisted rows alone', async () => {
    const L = 24, weights = randomRows(50, L, 3), copy = weights.slice();
    const s0 = new Float32Array(weights.length), s1 = new Float32Array(weights.length);
    const t0 = new Float32Array(weights.length), t1 = new Float32Array(weights.length);
    const rows = new Int32Array([4, 49, 0, 17]);
    const g = randomRows(rows.length, L, 4);
    const o = { optimizer: 'adamw', rowLength: L, rows, lr: 0.01, step: 1, threads: 2 } as const;
    optimizerStep(weights, g, { ...o, state0: s0, state1: s1 });
    const pending = optimizerStepAsync(copy, g, { ...o, state0: t0, state1: t1 });
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(copy).toEqual(weights);
    expect(t0).toEqual(s0);
    expect(t1).toEqual(s1);
    const moved = new Set(rows);
    const fresh = randomRows(50, L, 3);
    for (let row = 0; row < 50; row++) {
      const same = weights.subarray(row * L, (row + 1) * L).every((v, q) => v === fresh[row * L + q]);
      expect(same, `row ${row}`).toBe(!moved.has(row));
    }
  });

  it('rejects bad input with errors that name the argument, sync and async', async () => {
    const L = 4, w = randomRows(3, L, 1), g = randomRows(3, L, 2);
    const o: OptimizerStepOptions = { optimizer: 'sgd', rowLength: L, lr: 0.1, step: 1 };
    expect(() => optimizerStep(w, g, undefined as unknown as OptimizerStepOptions)).toThrow(TypeError);
    expect(() => optimizerStep(w, g, { ...o, optimizer: 'adam' as 'sgd' })).toThrow(/options.optimizer: expected 'sgd' \| 'adamw', got 'adam'/);
    expect(() => optimizerStep(new Float64Array(12) as unknown as Float32Array, g, o)).toThrow(/weights: expected a Float32Array, got Float64Array\(12\)/);
    expect(() => optimizerStep(w, g, { ...o, rowLength: 5 })).toThrow(/weights: expected a length that is a multiple of options.rowLength \(5\), got 12/);
    expect(() => optimizerStep(w, g.subarray(0, 8), o)).toThrow(/grad: expected 12 elements \(one row per updated row\), got 8/);
    expect(() => optimizerStep(w, g, { ...o, rows: new Int32Array([0, 2]) })).toThrow(/grad: expected 8 elements/);
    expect(() => optimizerStep(w, g.subarray(0, 8), { ...o, rows: [0, 2] as unknown as Int32Array })).toThrow(/options.rows: expected an Int32Array, got Array\(2\)/);
    expect(() => optimizerStep(w, g.subarray(0, 8), { ...o, rows: new Int32Array([0, 3]) })).toThrow(/rows: expected row ids in \[0, 3\), got 3 at index 1/);
    expect(() => optimizerStep(w, g.subarray(0, 4), { ...o, rows: new Int32Array([-1]) })).toThrow(RangeError);
    expect(() => optimizerStep(w, g.subarray(0, 8), { ...o, rows: new Int32Array([1, 1]) })).toThrow(/rows: expected distinct row ids, got 1 twice/);
    expect(() => optimizerStep(w, g, { ...o, optimizer: 'adamw' })).toThrow(/options.state0: expected a Float32Array, got undefined/);
    expect(() => optimizerStep(w, g, { ...o, state0: new Float32Array(11) })).toThrow(/options.state0: expected 12 elements \(as weights\), got 11/);
    expect(() => optimizerStep(w, g, { ...o, lr: 0 })).toThrow(/options.lr: expected a number > 0, got 0/);
    expect(() => optimizerStep(w, g, { ...o, lr: undefined as unknown as number })).toThrow(TypeError);
    expect(() => optimizerStep(w, g, { ...o, lr: Number.NaN })).toThrow(/options.lr: expected a finite number, got NaN/);
    expect(() => optimizerStep(w, g, { ...o, momentum: 1.5 })).toThrow(/options.momentum: expected a number in \[0, 1\], got 1.5/);
    expect(() => optimizerStep(w, g, { ...o, beta2: 1 })).toThrow(/options.beta2: expected a number in \[0, 1\)/);
    expect(() => optimizerStep(w, g, { ...o, step: 0 })).toThrow(/options.step: expected an integer in \[1, /);
    expect(() => optimizerStep(w, g, { ...o, threads: 0 })).toThrow(/options.threads/);
    await expect(optimizerStepAsync(w, g, { ...o, rowLength: 5 })).rejects.toThrow(RangeError);
    await expect(optimizerStepAsync(w, g.subarray(0, 4), { ...o, rows: new Int32Array([7]) })).rejects.toThrow(/rows: expected row ids/);
    expect(Array.from(w)).toEqual(Array.from(randomRows(3, L, 1))); // nothing was written
  });
});
