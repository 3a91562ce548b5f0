import { describe, expect, it } from 'vitest';
import { laplacianVariance, laplacianVarianceAsync } from '../../src/core/quality.js';
import { native } from '../../src/native.js';
import { randomRows } from '../helpers/random.js';

// float64 reference: grey image, 4-neighbour Laplacian over the interior, two-pass variance.
function refVariance(crops: Float32Array, i: number, c: number, h: number, w: number, weights: number[]): number {
  if (h < 3 || w < 3) return 0;
  const base = i * c * h * w;
  const grey = (y: number, x: number) => {
    let g = 0;
    for (let k = 0; k < c; k++) g += weights[k]! * crops[base + k * h * w + y * w + x]!;
    return g;
  };
  const lap: number[] = [];
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) lap.push(grey(y - 1, x) + grey(y + 1, x) + grey(y, x - 1) + grey(y, x + 1) - 4 * grey(y, x));
  }
  const mean = lap.reduce((a, b) => a + b, 0) / lap.length;
  return lap.reduce((a, b) => a + (b - mean) ** 2, 0) / lap.length;
}

describe('laplacianVariance', () => {
  it('matches a float64 reference on odd, tiny and model-sized crops, sync and async', async () => {
    const shapes = [[1, 3, 112, 112], [4, 3, 5, 7], [3, 1, 3, 3], [2, 4, 9, 30], [2, 3, 2, 9], [1, 2, 1, 1]] as const;
    for (const [n, c, h, w] of shapes) {
      const crops = randomRows(n, c * h * w, n * 31 + h);
      const weights = Array.from({ length: c }, (_, k) => 0.5 + k * 0.25);
      for (const threads of [1, 2]) {
        const sync = laplacianVariance(crops, { channels: c, height: h, width: w, weights, threads });
        const async = await laplacianVarianceAsync(crops, { channels: c, height: h, width: w, weights, threads });
        expect(sync.length).toBe(n);
        for (let i = 0; i < n; i++) {
          const want = refVariance(crops, i, c, h, w, weights);
          expect(Math.abs(sync[i]! - want)).toBeLessThanOrEqual(1e-5 * (1 + want));
          expect(async[i]).toBe(sync[i]);
        }
      }
    }
  });

  it('is 0 on a constant crop, ~64 a^2 on a checkerboard, lower after a blur; default weights average the planes', () => {
    const flat = new Float32Array(3 * 16 * 16).fill(-0.3);
    expect(laplacianVariance(flat, { height: 16, width: 16 })[0]).toBe(0);
    const board = new Float32Array(3 * 11 * 11);
    for (let k = 0; k < 3; k++) for (let y = 0; y < 11; y++) for (let x = 0; x < 11; x++) board[k * 121 + y * 11 + x] = (x + y) % 2 ? 1 : -1;
    const v = laplacianVariance(board, { height: 11, width: 11 })[0]!;
    expect(v).toBeCloseTo(refVariance(board, 0, 3, 11, 11, [1 / 3, 1 / 3, 1 / 3]), 9);
    expect(v).toBeGreaterThan(63);
    // Same board as one plane with weight 1: the default 1/3 weights of 3 equal planes match it.
    expect(laplacianVariance(board.subarray(0, 121), { channels: 1, height: 11, width: 11 })[0]).toBeCloseTo(v, 9);
  });

  it('reads only count crops, writes into out, handles an empty batch', () => {
    const crops = randomRows(3, 3 * 8 * 8, 5);
    const out = new Float64Array(4).fill(-1);
    const got = laplacianVariance(crops, { height: 8, width: 8, count: 2, out });
    expect(got.length).toBe(2);
    expect(out[2]).toBe(-1);
    expect(laplacianVariance(new Float32Array(0), { height: 8, width: 8 }).length).toBe(0);
  });

  it('rejects bad arguments with TypeError / RangeError naming them', () => {
    const crops = new Float32Array(3 * 8 * 8);
    expect(() => laplacianVariance([1, 2] as never, { height: 8, width: 8 })).toThrow(TypeError);
    expect(() => laplacianVariance(crops, { height: 0, width: 8 })).toThrow(/options.height: expected an integer in \[1, 8192\], got 0/);
    expect(() => laplacianVariance(crops, { height: 8, width: 7 })).toThrow(/crops: expected a multiple of channels \* height \* width = 168 floats, got 192/);
    expect(() => laplacianVariance(crops, { height: 8, width: 8, count: 2 })).toThrow(RangeError);
    expect(() => laplacianVariance(crops, { height: 8, width: 8, weights: [1, 2] })).toThrow(/options.weights: expected 3 numbers/);
    expect(() => laplacianVariance(crops, { height: 8, width: 8, weights: [1, NaN, 1] })).toThrow(/options.weights\[1\]: expected a finite number/);
    expect(() => laplacianVariance(crops, { height: 8, width: 8, weights: 3 as never })).toThrow(TypeError);
    expect(() => laplacianVariance(crops, { height: 8, width: 8, out: new Float32Array(1) as never })).toThrow(/options.out: expected a Float64Array/);
    expect(() => laplacianVariance(crops, { height: 8, width: 8, channels: 5 })).toThrow(RangeError);
  });

  it('the binding re-checks sizes itself (never reads past the buffers)', () => {
    const args = { crops: new Float32Array(10), count: 1, channels: 3, height: 8, width: 8, weights: new Float32Array(3), out: new Float64Array(1), threads: 1 };
    expect(() => native.laplacianVariance(args)).toThrow(/crops: expected a Float32Array of at least 192 elements, got 10/);
    expect(() => native.laplacianVariance({ ...args, crops: new Float32Array(192), weights: new Float32Array(2) })).toThrow(/weights: expected 3/);
    expect(() => native.laplacianVariance({ ...args, crops: new Float32Array(192), out: new Float64Array(0) })).toThrow(/out: expected a Float64Array of at least 1/);
    expect(() => native.laplacianVariance({ ...args, crops: new Float64Array(192) as never })).toThrow(TypeError);
    expect(() => native.laplacianVariance(null as never)).toThrow(/expected one options object/);
    expect(() => native.laplacianVariance({ ...args, count: undefined as never })).toThrow(/count: expected an integer/);
    expect(() => native.laplacianVariance({ ...args, crops: new Float32Array(192), weights: Float32Array.of(1, Infinity, 1) })).toThrow(/weights\[1\]/);
  });
});
