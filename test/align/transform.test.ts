import { describe, expect, it } from 'vitest';
import { ARCFACE_TEMPLATE_112 } from '../../src/align/templates.js';
import { estimateAffine, estimateSimilarity, invertAffine, transformPoints } from '../../src/align/transform.js';
import { rng } from '../helpers/random.js';
import { applyMatrix, refUmeyama, similarity } from '../helpers/warp-reference.js';

function randomPoints(n: number, seed: number, spread = 100): number[] {
  const r = rng(seed);
  return Array.from({ length: 2 * n }, () => (r() - 0.5) * spread);
}

function expectMatrix(got: ArrayLike<number>, want: ArrayLike<number>, tol: number) {
  expect(got.length).toBe(6);
  for (let i = 0; i < 6; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol)) throw new Error(`entry ${i}: ${got[i]} vs ${want[i]} (tol ${tol})\n${Array.from(got)}\n${Array.from(want)}`);
  }
}

describe('estimateSimilarity', () => {
  it('recovers a known similarity exactly from exact points', () => {
    const r = rng(1);
    for (const n of [2, 3, 5, 20]) {
      for (let t = 0; t < 20; t++) {
        const m = similarity((r() - 0.5) * 2 * Math.PI, 0.05 + r() * 5, (r() - 0.5) * 500, (r() - 0.5) * 500);
        const src = randomPoints(n, 100 * n + t);
        expectMatrix(estimateSimilarity(src, applyMatrix(m, src)), m, 1e-9);
      }
    }
  });

  it('equals the closed-form Umeyama answer (skimage) on noisy and mirrored points', () => {
    const r = rng(2);
    for (let t = 0; t < 200; t++) {
      const n = 2 + (t % 9);
      const src = randomPoints(n, t);
      let dst = applyMatrix(similarity(r() * 6, 0.1 + r() * 3, r() * 50, r() * 50), src).map((v) => v + (r() - 0.5) * 10);
      if (t % 4 === 0) dst = dst.map((v, i) => (i % 2 === 0 ? -v : v)); // a reflection: no proper rotation fits
      const want = refUmeyama(src, dst);
      expectMatrix(estimateSimilarity(src, dst), want, 1e-9 * Math.max(1, ...want.map(Math.abs)));
    }
  });

  it('stays close to the truth from noisy points', () => {
    const m = similarity(0.3, 1.7, 12, -7);
    const src = randomPoints(50, 3);
    const r = rng(4);
    const dst = applyMatrix(m, src).map((v) => v + (r() - 0.5) * 0.2);
    expectMatrix(estimateSimilarity(src, dst), m, 0.05);
  });

  it('maps the ArcFace template onto itself with the identity', () => {
    expectMatrix(estimateSimilarity(ARCFACE_TEMPLATE_112, ARCFACE_TEMPLATE_112), [1, 0, 0, 0, 1, 0], 1e-12);
    expectMatrix(estimateSimilarity(new Float32Array(ARCFACE_TEMPLATE_112), Float64Array.from(ARCFACE_TEMPLATE_112)), [1, 0, 0, 0, 1, 0], 1e-5); // float32 rounding of the src
  });

  it('accepts two points on a line (a similarity needs no more)', () => {
    expectMatrix(estimateSimilarity([0, 0, 1, 0, 2, 0], [0, 0, 0, 2, 0, 4]), similarity(Math.PI / 2, 2, 0, 0), 1e-12);
  });

  it('rejects degenerate and malformed input', () => {
    expect(() => estimateSimilarity([1, 1, 1, 1, 1, 1], [0, 0, 1, 0, 2, 3])).toThrow(/src: .*all points equal/);
    expect(() => estimateSimilarity([0, 0, 1, 0, 2, 3], [5, 5, 5, 5, 5, 5])).toThrow(RangeError);
    expect(() => estimateSimilarity([0, 0, Number.NaN, 0], [0, 0, 1, 1])).toThrow(/src\[2\]: expected a finite number, got NaN/);
    expect(() => estimateSimilarity([0, 0, 1, 1], [0, 0, Infinity, 1])).toThrow(RangeError);
    expect(() => estimateSimilarity([0, 0], [1, 1])).toThrow(/src: expected an even length of at least 4/);
    expect(() => estimateSimilarity([0, 0, 1], [1, 1, 2])).toThrow(RangeError);
    expect(() => estimateSimilarity([0, 0, 1, 1], [0, 0, 1, 1, 2, 2])).toThrow(/same number of points, got 2 and 3/);
    expect(() => estimateSimilarity('abcd' as unknown as number[], [0, 0, 1, 1])).toThrow(TypeError);
    expect(() => estimateSimilarity([0, 0, '1', 1] as unknown as number[], [0, 0, 1, 1])).toThrow(/src\[2\]: expected a number/);
  });
});

describe('estimateAffine', () => {
  it('recovers a known affine exactly and matches a plain least-squares solve on noisy points', () => {
    const r = rng(5);
    for (let t = 0; t < 50; t++) {
      const m = Array.from({ length: 6 }, () => (r() - 0.5) * 4);
      m[2] *= 100; m[5] *= 100;
      const n = 3 + (t % 7);
      const src = randomPoints(n, 50 + t);
      expectMatrix(estimateAffine(src, applyMatrix(m, src)), m, 1e-9 * 100);
      // Noisy: the residual must be orthogonal to the design columns [x, y, 1] (normal equations).
      const dst = applyMatrix(m, src).map((v) => v + (r() - 0.5) * 3);
      const fit = applyMatrix(estimateAffine(src, dst), src);
      for (let o = 0; o < 2; o++) {
        let gx = 0, gy = 0, g1 = 0;
        for (let i = 0; i < n; i++) {
          const e = dst[2 * i + o] - fit[2 * i + o];
          gx += e * src[2 * i]; gy += e * src[2 * i + 1]; g1 += e;
        }
        expect(Math.abs(gx) + Math.abs(gy) + Math.abs(g1)).toBeLessThan(1e-8);
      }
    }
  });

  it('rejects collinear or too few points', () => {
    expect(() => estimateAffine([0, 0, 1, 1, 2, 2, 3, 3], [0, 0, 1, 0, 0, 1, 1, 1])).toThrow(/collinear/);
    expect(() => estimateAffine([0, 0, 1, 1], [0, 0, 1, 1])).toThrow(/at least 6 \(3 points\)/);
    expect(() => estimateAffine([0, 0, 1, 0, 0, 1], [2, 2, 2, 2, 2, 2])).toThrow(RangeError);
  });
});

describe('invertAffine / transformPoints', () => {
  it('inverts: M⁻¹(M(p)) = p', () => {
    const r = rng(6);
    for (let t = 0; t < 50; t++) {
      const m = Array.from({ length: 6 }, () => (r() - 0.5) * 10);
      const pts = randomPoints(4, t);
      const back = transformPoints(invertAffine(m), transformPoints(m, pts));
      for (let i = 0; i < pts.length; i++) expect(back[i]).toBeCloseTo(pts[i], 6);
    }
  });

  it('rejects singular and malformed matrices', () => {
    expect(() => invertAffine([1, 2, 3, 2, 4, 6])).toThrow(/m: expected an invertible matrix/);
    expect(() => invertAffine([0, 0, 1, 0, 0, 1])).toThrow(RangeError);
    expect(() => invertAffine([1, 0, 0, 0, 1])).toThrow(/expected 6 numbers/);
    expect(() => invertAffine([1, 0, Number.NaN, 0, 1, 0])).toThrow(/m\[2\]: expected a finite number/);
    expect(() => invertAffine(null as unknown as number[])).toThrow(TypeError);
  });

  it('transformPoints refuses finite points whose image overflows (RangeError, not Infinity or NaN)', () => {
    const big = 1e308;
    expect(() => transformPoints([10, 0, 0, 0, 1, 0], [0, 0, big, 1])).toThrow(RangeError);
    expect(() => transformPoints([10, 0, 0, 0, 1, 0], [0, 0, big, 1])).toThrow(
      /points\[2\], points\[3\]: expected points whose transform is finite, got \(1e\+308, 1\), which maps to \(Infinity, 1\)/,
    );
    // Infinity - Infinity: NaN without the check.
    expect(() => transformPoints([1, -1, 0, 0, 1, 0], [big, -big])).toThrow(RangeError);
    expect(() => transformPoints([2, 0, 0, 0, 2, 0], [-big, 0])).toThrow(/maps to \(-Infinity, 0\)/);
    // Large but representable results still come back.
    expect(Array.from(transformPoints([1, 0, 0, 0, 1, 0], [big, -big]))).toEqual([big, -big]);
  });
});
